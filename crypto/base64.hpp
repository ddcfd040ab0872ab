// base64: the two encodings of the protocol (PROTOCOL.md §0.2) — standard
// base64 with padding for message nonces and ciphertexts, base64url without
// padding for mesh root keys, invite x25519 keys and sealed root keys.
//
// Pure functions: thread-safe once sodium_ready() has returned true (called
// implicitly).
#pragma once

#include "crypto/sodium.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace nexus::crypto {

enum class base64_variant {
  standard,      ///< alphabet +/, '=' padding (libsodium ORIGINAL)
  url_no_padding ///< alphabet -_, no padding (libsodium URLSAFE_NO_PADDING)
};

std::string to_base64(const uint8_t* data, size_t size, base64_variant v);
inline std::string to_base64(const bytes& b, base64_variant v) {
  return to_base64(b.data(), b.size(), v);
}
inline std::string to_base64(std::string_view s, base64_variant v) {
  return to_base64(reinterpret_cast<const uint8_t*>(s.data()), s.size(), v);
}

/// nullopt on any character outside the variant's alphabet or bad padding.
std::optional<bytes> from_base64(std::string_view text, base64_variant v);

} // namespace nexus::crypto
