#include "crypto/sealed_box.hpp"

#include <sodium.h>

namespace nexus::crypto {

std::string to_base64url(const uint8_t* data, size_t size) {
  sodium_ready();
  const int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, variant);
  out.resize(out.size() - 1); // the terminating NUL
  return out;
}

std::optional<bytes> from_base64url(std::string_view text) {
  sodium_ready();
  bytes out(text.size() * 3 / 4 + 1);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

bool is_x25519_key_b64url(std::string_view text) {
  auto key = from_base64url(text);
  return key && key->size() == crypto_box_PUBLICKEYBYTES;
}

std::optional<std::string> seal_b64url(const secret_buffer& plaintext,
                                       std::string_view recipient_b64url) {
  auto recipient = from_base64url(recipient_b64url);
  if (!recipient || recipient->size() != crypto_box_PUBLICKEYBYTES)
    return std::nullopt;
  bytes sealed(plaintext.size() + crypto_box_SEALBYTES);
  if (crypto_box_seal(sealed.data(), plaintext.data(), plaintext.size(), recipient->data()) != 0)
    return std::nullopt;
  return to_base64url(sealed.data(), sealed.size());
}

bool tokens_equal(std::string_view given, std::string_view expected) {
  sodium_ready();
  unsigned char a[crypto_hash_sha256_BYTES], b[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(a, reinterpret_cast<const unsigned char*>(given.data()), given.size());
  crypto_hash_sha256(b, reinterpret_cast<const unsigned char*>(expected.data()), expected.size());
  return sodium_memcmp(a, b, sizeof a) == 0;
}

} // namespace nexus::crypto
