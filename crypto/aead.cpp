#include "crypto/aead.hpp"

#include <sodium.h>

#include <stdexcept>

namespace nexus::crypto {

static_assert(aead_key_bytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(aead_nonce_bytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(aead_tag_bytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);

namespace {

const unsigned char* ad_bytes(std::string_view context) {
  return reinterpret_cast<const unsigned char*>(context.data());
}

} // namespace

bytes aead_seal(const secret_buffer& key, const uint8_t* plaintext, size_t size,
                std::string_view context) {
  if (key.size() != aead_key_bytes)
    throw std::invalid_argument("aead_seal: key must be 32 bytes");
  sodium_ready();
  bytes out(aead_nonce_bytes + size + aead_tag_bytes);
  randombytes_buf(out.data(), aead_nonce_bytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + aead_nonce_bytes, &written, plaintext,
                                             size, ad_bytes(context), context.size(), nullptr,
                                             out.data(), key.data());
  out.resize(aead_nonce_bytes + written);
  return out;
}

std::optional<secret_buffer> aead_open(const secret_buffer& key, const bytes& sealed,
                                       std::string_view context) {
  if (key.size() != aead_key_bytes || sealed.size() < aead_overhead_bytes)
    return std::nullopt;
  sodium_ready();
  const size_t cipher_size = sealed.size() - aead_nonce_bytes;
  secret_buffer plain(cipher_size - aead_tag_bytes);
  // A zero-length secret_buffer has no memory; libsodium still needs a pointer.
  unsigned char scratch = 0;
  unsigned char* target = plain.empty() ? &scratch : plain.data();
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(target, &written, nullptr,
                                                 sealed.data() + aead_nonce_bytes, cipher_size,
                                                 ad_bytes(context), context.size(), sealed.data(),
                                                 key.data()) != 0)
    return std::nullopt;
  return plain;
}

} // namespace nexus::crypto
