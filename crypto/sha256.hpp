// sha256: SHA-256 through libsodium (crypto_hash_sha256), for the audit
// log's hash chain (PROTOCOL.md §8).
//
// Pure functions: thread-safe once sodium_ready() has returned true (called
// implicitly).
#pragma once

#include <string>
#include <string_view>

namespace nexus::crypto {

/// Lowercase hex SHA-256 of the bytes of `data` (64 characters).
std::string sha256_hex(std::string_view data);

} // namespace nexus::crypto
