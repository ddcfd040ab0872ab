#include "crypto/base64.hpp"

#include <sodium.h>

namespace nexus::crypto {
namespace {

int sodium_variant(base64_variant v) {
  return v == base64_variant::standard ? sodium_base64_VARIANT_ORIGINAL
                                       : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
}

} // namespace

std::string to_base64(const uint8_t* data, size_t size, base64_variant v) {
  sodium_ready();
  const int variant = sodium_variant(v);
  std::string out(sodium_base64_encoded_len(size, variant), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, variant);
  out.pop_back(); // the terminating NUL
  return out;
}

std::optional<bytes> from_base64(std::string_view text, base64_variant v) {
  sodium_ready();
  bytes out(text.size() * 3 / 4 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_variant(v)) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

} // namespace nexus::crypto
