#include "crypto/sha256.hpp"

#include "crypto/sodium.hpp"

#include <sodium.h>

#include <stdexcept>

namespace nexus::crypto {

std::string sha256_hex(std::string_view data) {
  if (!sodium_ready())
    throw std::runtime_error("libsodium unavailable");
  unsigned char out[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(out, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return to_hex(out, sizeof out);
}

} // namespace nexus::crypto
