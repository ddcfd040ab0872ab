// sealed_box: what invites v2 and mesh creation need to hand a mesh root key
// to a client (PROTOCOL.md §7.2 step 9): base64url (no padding) keys and
// crypto_box_seal to a client's x25519 public key, plus the constant-time
// comparison of operator tokens.
//
// Pure functions: thread-safe once sodium_ready() has returned true (called
// implicitly).
#pragma once

#include "crypto/secret_buffer.hpp"
#include "crypto/sodium.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace nexus::crypto {

/// base64url without padding (libsodium URLSAFE_NO_PADDING), as §0.2 encodes
/// root keys, x25519 claim keys and sealed root keys.
std::string to_base64url(const uint8_t* data, size_t size);
/// nullopt unless `text` is valid unpadded base64url.
std::optional<bytes> from_base64url(std::string_view text);

/// True iff `text` is base64url of exactly 32 bytes (an x25519 public key).
bool is_x25519_key_b64url(std::string_view text);

/// base64url(crypto_box_seal(plaintext, recipient)) where `recipient_b64url`
/// is a 32-byte x25519 public key; nullopt when it is not one.
std::optional<std::string> seal_b64url(const secret_buffer& plaintext,
                                       std::string_view recipient_b64url);

/// Constant-time equality of two tokens of any lengths: their SHA-256
/// digests are compared with sodium_memcmp, so neither the content nor the
/// length of the expected token leaks through timing.
bool tokens_equal(std::string_view given, std::string_view expected);

} // namespace nexus::crypto
