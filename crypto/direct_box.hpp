// direct_box: the client side of a direct message's payload (PROTOCOL.md
// §3.11) and of an invite v2 claim (§7.2). Peers hold ed25519 keys; boxes
// need X25519 ones, so both sides convert (crypto_sign_ed25519_*_to_curve25519)
// and use crypto_box_easy (XSalsa20-Poly1305, a 24-byte random nonce). On
// the wire nonce and ciphertext are standard base64 with padding.
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

/// A sealed direct message as it travels in `send` / `push`.
struct sealed_message {
  std::string nonce_b64;
  std::string ciphertext_b64;
};

/// crypto_box_easy of `plaintext` to the holder of ed25519 public key
/// `recipient_pubkey_hex`, from the ed25519 secret key `sender_secret`
/// (64 bytes). nullopt if the recipient key is not a valid ed25519 point.
/// `nonce`: 24 bytes for test vectors; random when empty.
std::optional<sealed_message> seal_direct(std::string_view plaintext,
                                          std::string_view recipient_pubkey_hex,
                                          const secret_buffer& sender_secret,
                                          const bytes& nonce = {});

/// Opens a message sealed by the holder of `sender_pubkey_hex` to us
/// (`recipient_secret`, 64-byte ed25519 secret). nullopt on any failure
/// (bad encoding, wrong keys, tampering).
std::optional<std::string> open_direct(const sealed_message& m, std::string_view sender_pubkey_hex,
                                       const secret_buffer& recipient_secret);

/// An X25519 keypair for one invite claim (crypto_box_keypair).
struct box_keypair {
  bytes public_key;      ///< 32 bytes
  secret_buffer secret;  ///< 32 bytes
};
box_keypair box_generate();

/// crypto_box_seal_open of `sealed` with `kp`; nullopt on failure.
std::optional<secret_buffer> sealed_box_open(const bytes& sealed, const box_keypair& kp);

/// A safety number for two ed25519 public keys (hex): 12 groups of 5 digits
/// from SHA-256 of the two raw keys in ascending byte order, so both sides
/// compute the same value whoever runs it. nullopt if a key is not 64 hex.
std::optional<std::string> safety_number(std::string_view pubkey_a_hex,
                                         std::string_view pubkey_b_hex);

} // namespace nexus::crypto
