#include "crypto/sodium.hpp"

#include <sodium.h>

namespace nexus::crypto {

bool sodium_ready() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string to_hex(const uint8_t* data, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

std::string to_base64(std::string_view data) {
  sodium_ready();
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(base64_length(data.size())); // drop the terminating NUL
  return out;
}

std::optional<bytes> from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0)
    return std::nullopt;
  bytes out(hex.size() / 2);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &len, &end) != 0 ||
      len != out.size() || end != hex.data() + hex.size())
    return std::nullopt;
  return out;
}

bool is_lower_hex(std::string_view s, size_t length) {
  if (s.size() != length)
    return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
      return false;
  return true;
}

std::string random_base62(size_t length) {
  static constexpr char alphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  // One kernel call per ~30 message ids instead of one per character
  // (getrandom was 5 % of the node's CPU under load). Per thread, so no
  // lock; the bytes are as random as the kernel's, only fetched in bulk.
  thread_local unsigned char pool[1024];
  thread_local size_t used = sizeof pool;
  sodium_ready();
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    if (used == sizeof pool) {
      randombytes_buf(pool, sizeof pool);
      used = 0;
    }
    unsigned char b = pool[used++];
    if (b < 248) // 248 = 4 × 62: rejecting the rest keeps it uniform
      out += alphabet[b % 62];
  }
  return out;
}

bool verify_ed25519(std::string_view message, std::string_view signature_hex,
                    std::string_view pubkey_hex) {
  sodium_ready();
  auto sig = from_hex(signature_hex);
  auto pk = from_hex(pubkey_hex);
  if (!sig || !pk || sig->size() != crypto_sign_BYTES || pk->size() != crypto_sign_PUBLICKEYBYTES)
    return false;
  return crypto_sign_verify_detached(sig->data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), pk->data()) == 0;
}

std::pair<bytes, bytes> ed25519_from_seed(const bytes& seed) {
  sodium_ready();
  bytes sk(crypto_sign_SECRETKEYBYTES), pk(crypto_sign_PUBLICKEYBYTES);
  crypto_sign_seed_keypair(pk.data(), sk.data(), seed.data());
  return {sk, pk};
}

std::pair<bytes, bytes> ed25519_generate() {
  sodium_ready();
  bytes sk(crypto_sign_SECRETKEYBYTES), pk(crypto_sign_PUBLICKEYBYTES);
  crypto_sign_keypair(pk.data(), sk.data());
  return {sk, pk};
}

bytes sign_ed25519(std::string_view message, const bytes& secret_key) {
  sodium_ready();
  bytes sig(crypto_sign_BYTES);
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_key.data());
  return sig;
}

bool secure_equal(const bytes& a, const bytes& b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace nexus::crypto
