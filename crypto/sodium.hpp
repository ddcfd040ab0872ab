// Thin libsodium wrappers: encodings, CSPRNG ids, ed25519 signatures.
// Every function is thread-safe once sodium_ready() has returned true
// (it is called implicitly by each function here).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nexus::crypto {

using bytes = std::vector<uint8_t>;

/// Initialises libsodium once; false if the library cannot be used.
bool sodium_ready();

std::string to_hex(const uint8_t* data, size_t size);
inline std::string to_hex(const bytes& b) { return to_hex(b.data(), b.size()); }
/// Standard base64 with padding (sodium_base64_VARIANT_ORIGINAL), as the
/// protocol's payloads use (§3.11).
std::string to_base64(std::string_view data);
/// Length of to_base64() of `size` bytes, without encoding anything.
constexpr size_t base64_length(size_t size) { return (size + 2) / 3 * 4; }

/// Accepts upper and lower case; nullopt on any non-hex character or odd length.
std::optional<bytes> from_hex(std::string_view hex);

/// True iff `s` is exactly `length` lowercase hex characters.
bool is_lower_hex(std::string_view s, size_t length);

/// `length` characters drawn uniformly from [0-9A-Za-z] with the CSPRNG
/// (spec §0.3 ids; deviation 12).
std::string random_base62(size_t length);

/// Ed25519 detached signature check (spec §2.2). Both arguments hex;
/// false for malformed input as well as a bad signature.
bool verify_ed25519(std::string_view message, std::string_view signature_hex,
                    std::string_view pubkey_hex);

/// Ed25519 keypair from a 32-byte seed: {secret (64 bytes), public (32)}.
std::pair<bytes, bytes> ed25519_from_seed(const bytes& seed);
std::pair<bytes, bytes> ed25519_generate();
bytes sign_ed25519(std::string_view message, const bytes& secret_key);

/// Constant-time equality of two secrets of the same length.
bool secure_equal(const bytes& a, const bytes& b);

} // namespace nexus::crypto
