#include "crypto/direct_box.hpp"

#include "crypto/base64.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdio>

namespace nexus::crypto {
namespace {

std::optional<bytes> curve_public(std::string_view ed_pubkey_hex) {
  auto ed = from_hex(ed_pubkey_hex);
  if (!ed || ed->size() != crypto_sign_PUBLICKEYBYTES)
    return std::nullopt;
  bytes x(crypto_box_PUBLICKEYBYTES);
  if (crypto_sign_ed25519_pk_to_curve25519(x.data(), ed->data()) != 0)
    return std::nullopt;
  return x;
}

/// The X25519 secret of a 64-byte ed25519 secret key, in guarded memory.
std::optional<secret_buffer> curve_secret(const secret_buffer& ed_secret) {
  if (ed_secret.size() != crypto_sign_SECRETKEYBYTES)
    return std::nullopt;
  secret_buffer x(crypto_box_SECRETKEYBYTES);
  if (crypto_sign_ed25519_sk_to_curve25519(x.data(), ed_secret.data()) != 0)
    return std::nullopt;
  return x;
}

} // namespace

std::optional<sealed_message> seal_direct(std::string_view plaintext,
                                          std::string_view recipient_pubkey_hex,
                                          const secret_buffer& sender_secret, const bytes& nonce_in) {
  sodium_ready();
  auto rx = curve_public(recipient_pubkey_hex);
  auto sx = curve_secret(sender_secret);
  if (!rx || !sx)
    return std::nullopt;
  bytes nonce = nonce_in;
  if (nonce.empty()) {
    nonce.resize(crypto_box_NONCEBYTES);
    randombytes_buf(nonce.data(), nonce.size());
  }
  if (nonce.size() != crypto_box_NONCEBYTES)
    return std::nullopt;
  bytes ct(plaintext.size() + crypto_box_MACBYTES);
  if (crypto_box_easy(ct.data(), reinterpret_cast<const unsigned char*>(plaintext.data()),
                      plaintext.size(), nonce.data(), rx->data(), sx->data()) != 0)
    return std::nullopt;
  return sealed_message{to_base64(nonce, base64_variant::standard),
                        to_base64(ct, base64_variant::standard)};
}

std::optional<std::string> open_direct(const sealed_message& m, std::string_view sender_pubkey_hex,
                                       const secret_buffer& recipient_secret) {
  sodium_ready();
  auto nonce = from_base64(m.nonce_b64, base64_variant::standard);
  auto ct = from_base64(m.ciphertext_b64, base64_variant::standard);
  auto sx = curve_public(sender_pubkey_hex);
  auto rx = curve_secret(recipient_secret);
  if (!nonce || !ct || !sx || !rx || nonce->size() != crypto_box_NONCEBYTES ||
      ct->size() < crypto_box_MACBYTES)
    return std::nullopt;
  std::string plain(ct->size() - crypto_box_MACBYTES, '\0');
  if (crypto_box_open_easy(reinterpret_cast<unsigned char*>(plain.data()), ct->data(), ct->size(),
                           nonce->data(), sx->data(), rx->data()) != 0)
    return std::nullopt;
  return plain;
}

box_keypair box_generate() {
  sodium_ready();
  box_keypair kp{bytes(crypto_box_PUBLICKEYBYTES), secret_buffer(crypto_box_SECRETKEYBYTES)};
  crypto_box_keypair(kp.public_key.data(), kp.secret.data());
  return kp;
}

std::optional<secret_buffer> sealed_box_open(const bytes& sealed, const box_keypair& kp) {
  sodium_ready();
  if (sealed.size() < crypto_box_SEALBYTES)
    return std::nullopt;
  secret_buffer out(sealed.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(), kp.public_key.data(),
                           kp.secret.data()) != 0)
    return std::nullopt;
  return out;
}

std::optional<std::string> safety_number(std::string_view pubkey_a_hex,
                                         std::string_view pubkey_b_hex) {
  sodium_ready();
  auto a = from_hex(pubkey_a_hex);
  auto b = from_hex(pubkey_b_hex);
  if (!a || !b || a->size() != crypto_sign_PUBLICKEYBYTES || b->size() != crypto_sign_PUBLICKEYBYTES)
    return std::nullopt;
  if (std::lexicographical_compare(b->begin(), b->end(), a->begin(), a->end()))
    std::swap(a, b);
  static constexpr char domain[] = "nexus-safety-number-v1";
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(domain), sizeof domain - 1);
  crypto_hash_sha256_update(&st, a->data(), a->size());
  crypto_hash_sha256_update(&st, b->data(), b->size());
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  // 12 groups of 5 decimal digits, each from 20 bits of the digest: 240 of
  // its 256 bits, rendered like Signal's safety numbers for easy reading.
  std::string out;
  for (int g = 0; g < 12; ++g) {
    uint32_t v = 0;
    for (int bit = 0; bit < 20; ++bit) {
      int i = g * 20 + bit;
      v = (v << 1) | ((digest[i / 8] >> (7 - i % 8)) & 1u);
    }
    char group[8];
    std::snprintf(group, sizeof group, "%05u", static_cast<unsigned>(v % 100000));
    if (!out.empty())
      out += ' ';
    out += group;
  }
  return out;
}

} // namespace nexus::crypto
