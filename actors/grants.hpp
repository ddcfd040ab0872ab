// Per-recipient capability grants, PROTOCOL.md §3.5.5. One decision function
// serves both the direct pre-flight (§3.3 step 4) and fan-out, so session-key
// grants are honoured in both places (deviation §11 item 37).
//
// A recipient's grants map (member.peer_grants) maps a sender pubkey (hex) to
// the capability strings that sender holds; parsing it from JSON is the
// storage/codec layer's job. An empty array blocks that sender entirely —
// that is what "block" (revoke-all) stores. Unknown strings are ignored.
//
// Thread-safety: free functions over values; safe from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nexus {

/// Known capabilities. Wire strings "read", "dm", "broadcast", "state-read",
/// "state-write". Defaults: read, dm, broadcast, state-read.
enum class capability : uint8_t { read, dm, broadcast, state_read, state_write };

using grants_map = std::map<std::string, std::vector<std::string>>;

/// True for the default set granted when no entry applies.
bool is_default_capability(capability cap);

/// §3.5.5:
/// 1. no map → cap ∈ defaults;
/// 2. entry for sender_member_pubkey → array contains cap;
/// 3. else sender has a (non-empty) session pubkey with an entry → contains cap;
/// 4. else → cap ∈ defaults.
bool allowed(const std::optional<grants_map>& recipient_grants, capability cap,
             std::string_view sender_member_pubkey,
             std::optional<std::string_view> sender_session_pubkey);

std::string_view to_string(capability cap);
/// Exact, case-sensitive; unknown (incl. "file-read", which is not enforced) → nullopt.
std::optional<capability> parse_capability(std::string_view s);

} // namespace nexus
