// aead: secrets at rest with XChaCha20-Poly1305 (libsodium
// crypto_aead_xchacha20poly1305_ietf). A sealed value is
//
//   nonce (24 random bytes) ‖ ciphertext ‖ tag (16 bytes)
//
// so it is self-contained and 40 bytes longer than the plaintext. The random
// 192-bit nonce makes nonce reuse under one key a non-issue. `context` is
// authenticated additional data: bind a sealed value to what it is for (e.g.
// "mesh root key" + mesh id), so a row's ciphertext cannot be swapped into
// another row and still open.
//
// Thread-safe (pure functions over their arguments).
#pragma once

#include "crypto/secret_buffer.hpp"
#include "crypto/sodium.hpp"

#include <cstddef>
#include <optional>
#include <string_view>

namespace nexus::crypto {

constexpr size_t aead_key_bytes = 32;
constexpr size_t aead_nonce_bytes = 24;
constexpr size_t aead_tag_bytes = 16;
constexpr size_t aead_overhead_bytes = aead_nonce_bytes + aead_tag_bytes;

/// Seals `size` bytes at `plaintext`. REQUIRES: key.size() == aead_key_bytes
/// (throws std::invalid_argument otherwise).
bytes aead_seal(const secret_buffer& key, const uint8_t* plaintext, size_t size,
                std::string_view context);
inline bytes aead_seal(const secret_buffer& key, const secret_buffer& plaintext,
                       std::string_view context) {
  return aead_seal(key, plaintext.data(), plaintext.size(), context);
}

/// Opens a value made by aead_seal with the same key and context; nullopt
/// when it is too short, was tampered with, or key/context differ.
std::optional<secret_buffer> aead_open(const secret_buffer& key, const bytes& sealed,
                                       std::string_view context);

} // namespace nexus::crypto
