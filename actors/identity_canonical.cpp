#include "actors/identity_canonical.hpp"

#include "crypto/sodium.hpp"

#include <sodium.h>

namespace nexus {
namespace {

std::string join(std::initializer_list<std::string_view> parts) {
  std::string out;
  bool first = true;
  for (auto p : parts) {
    if (!first)
      out += '|';
    first = false;
    out.append(p);
  }
  return out;
}

} // namespace

std::string invite_capability_canonical(std::string_view mesh_id, std::string_view invite_id,
                                        int64_t expires_s, std::string_view role,
                                        std::string_view owner_pubkey) {
  return join({"v=2", mesh_id, invite_id, std::to_string(expires_s), role, owner_pubkey});
}

std::string invite_claim_canonical(std::string_view code, std::string_view recipient_x25519,
                                   std::string_view peer_pubkey, std::string_view display_name) {
  return join({"nexus-invite-claim", code, recipient_x25519, peer_pubkey, display_name});
}

std::string mesh_create_canonical(std::string_view pubkey, int64_t timestamp_ms,
                                  std::string_view recipient_x25519, std::string_view name,
                                  std::string_view display_name) {
  return join({"nexus-mesh-create", pubkey, std::to_string(timestamp_ms), recipient_x25519, name,
               display_name});
}

std::string new_invite_code() {
  crypto::sodium_ready();
  std::string code;
  for (size_t i = 0; i < invite_code_chars; ++i)
    code += invite_code_alphabet[randombytes_uniform(static_cast<uint32_t>(invite_code_alphabet.size()))];
  return code;
}

bool is_invite_code(std::string_view s) {
  if (s.size() != invite_code_chars)
    return false;
  for (char c : s)
    if (invite_code_alphabet.find(c) == std::string_view::npos)
      return false;
  return true;
}

} // namespace nexus
