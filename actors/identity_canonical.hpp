// identity_canonical: the signed strings of identity and membership and the
// invite code (docs/identity.md). Each is a pure function so that the
// signer (a client) and the verifier (the node) build the same bytes:
//
//   invite capability (§7.2): v=2|<mesh_id>|<invite_id>|<expires_at s>|<role>|<owner_pubkey>
//   invite claim (ours):      nexus-invite-claim|<code>|<recipient_x25519>|<peer_pubkey>|<display_name>
//   mesh creation (ours):     nexus-mesh-create|<pubkey>|<timestamp ms>|<recipient_x25519>|<name>|<display_name>
//
// Only the last field of each may contain '|' (a mesh name must not), so
// no two different requests share a string.
//
// Pure functions: safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nexus {

std::string invite_capability_canonical(std::string_view mesh_id, std::string_view invite_id,
                                        int64_t expires_s, std::string_view role,
                                        std::string_view owner_pubkey);

std::string invite_claim_canonical(std::string_view code, std::string_view recipient_x25519,
                                   std::string_view peer_pubkey, std::string_view display_name);

std::string mesh_create_canonical(std::string_view pubkey, int64_t timestamp_ms,
                                  std::string_view recipient_x25519, std::string_view name,
                                  std::string_view display_name);

/// The §0.3 invite code alphabet (no I, O, 0, 1).
inline constexpr std::string_view invite_code_alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
inline constexpr size_t invite_code_chars = 8;

/// 8 characters drawn uniformly from the alphabet with the CSPRNG.
std::string new_invite_code();
/// Exactly 8 characters of the alphabet.
bool is_invite_code(std::string_view s);

} // namespace nexus
