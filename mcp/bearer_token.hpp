// bearer_token: the secret that guards `nexus-mcp --http`. Generated on
// first use into $NEXUS_HOME/mcp-http.token (64 hex characters from the
// CSPRNG, mode 0600, created atomically so racing bridges agree on one);
// refused with the fix when group or others may read it. Compared in
// constant time. Never logged.
//
// Functions only; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace nexus::mcp {

/// $home/mcp-http.token
std::string token_path(const std::string& home);

/// The token, created when absent. Throws crypto::private_file_error.
std::string load_or_create_token(const std::string& home);

/// True iff `authorization` is "Bearer <token>" (scheme case-insensitive);
/// the comparison of the secret part takes the same time wherever it differs.
bool bearer_matches(std::string_view authorization, const std::string& token);

} // namespace nexus::mcp
