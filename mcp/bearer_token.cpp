#include "mcp/bearer_token.hpp"

#include "crypto/private_file.hpp"
#include "crypto/sodium.hpp"

#include <sodium.h>

#include <cctype>

namespace nexus::mcp {
namespace {

constexpr size_t token_random_bytes = 32;
constexpr size_t token_file_bytes_max = 4096;

std::string trimmed(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.pop_back();
  return s;
}

} // namespace

std::string token_path(const std::string& home) { return home + "/mcp-http.token"; }

std::string load_or_create_token(const std::string& home) {
  const std::string path = token_path(home);
  crypto::bytes random(token_random_bytes);
  crypto::sodium_ready();
  randombytes_buf(random.data(), random.size());
  crypto::create_private_file(path, crypto::to_hex(random) + "\n");
  sodium_memzero(random.data(), random.size());
  std::string token = trimmed(crypto::read_private_file(path, token_file_bytes_max));
  if (token.empty())
    throw crypto::private_file_error(path + " is empty; delete it to generate a new token");
  return token;
}

bool bearer_matches(std::string_view authorization, const std::string& token) {
  constexpr std::string_view scheme = "bearer ";
  if (authorization.size() < scheme.size())
    return false;
  for (size_t i = 0; i < scheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i])
      return false;
  std::string_view given = authorization.substr(scheme.size());
  // The length of the token is not secret (always 64 here); its bytes are.
  if (given.size() != token.size() || token.empty())
    return false;
  return sodium_memcmp(given.data(), token.data(), token.size()) == 0;
}

} // namespace nexus::mcp
