// identity_frames: the client's view of the identity requests it makes over
// WebSocket (docs/identity.md of issue 4: invites v2, §7.2 with the issuer's
// key). Plain values, in nexus::client so that the node's own structs for
// the same frames never clash with these.
//
// Thread-safety: plain values; copy freely between threads and actors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace nexus::client {

/// `invite_create`: the issuer picked inviteId and expiresAt and signed the
/// capability "v=2|mesh|inviteId|expiresAt|role|owner_pubkey" (§7.2).
struct invite_create_frame {
  std::string inviteId;   ///< 32 base62
  int64_t expiresAt_s = 0;
  std::string role = "member";
  int64_t maxUses = 1;
  std::string signature;  ///< 128 hex, by the issuer's member key
  std::optional<std::string> preset_display_name;
};

using identity_op = std::variant<invite_create_frame>;

/// `invite_created`: the node's code for it, and what it verified.
struct invite_created_frame {
  std::string code;
  std::string inviteId;
  std::string meshId;
  std::string role;
  int64_t maxUses = 0;
  int64_t expiresAt_s = 0;
  std::string canonical;
};

} // namespace nexus::client
