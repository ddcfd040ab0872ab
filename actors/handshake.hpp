// Pure handshake logic for `hello` and `session_hello` (PROTOCOL.md §2.1–§2.6):
// typed frames, the canonical signed strings, and the stateless checks in the
// reference's exact order with its exact error codes, messages and close codes
// (§1.6, §1.7). No I/O, no JSON, no clock: the caller passes `now_ms` (Unix
// wall-clock ms, the clock clients sign with) and the mesh's capacity state.
//
// Who does what:
//   * the JSON codec fills the frames of transport/frames.hpp (hello_frame,
//     session_hello_frame; see their field notes for how a missing or wrongly
//     typed field is mapped so the checks keep the reference's behaviour);
//   * check_hello / check_session_hello run §2.2 steps 1–5 / §2.5 steps 1–6;
//   * the caller then asks its replay_guard (actors/replay_guard.hpp) about the
//     frame's signature (refusal → reject_replayed), then looks the member up in
//     the database (§2.2 step 6 / §2.5 steps 7–8) and uses reject_revoked /
//     reject_unauthorized / reject_parent_member_id_mismatch;
//   * §11 item 1 (a hello whose sessionPubkey is held by another member's live
//     connection) is decided by the connection table: reject_session_pubkey_taken;
//   * §11 item 13: hello.memberId is signed but not compared with the member
//     row; the caller logs a mismatch and does not reject (no rejection here).
//
// Thread-safety: free functions over values; safe from any thread once
// crypto::sodium_ready() can succeed.
#pragma once

#include "transport/frames.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nexus {

/// Which handshake a rejection belongs to (selects message prefixes).
enum class handshake_kind { hello, session_hello };

/// A refused handshake: send `{"type":"error","code":code,"message":message}`,
/// then close the WebSocket with close_code / close_reason.
struct handshake_rejection {
  std::string code;
  std::string message;
  uint16_t close_code = 1008;
  std::string close_reason;
};

/// Bounds of the stateless checks (node_config: hello_skew_ms,
/// attestation_ttl_max_ms). Defaults are the reference's constants.
struct handshake_limits {
  int64_t hello_skew_ms = 60'000;               ///< |now − timestamp| ≤ this is accepted
  int64_t attestation_ttl_max_ms = 86'400'000;  ///< expiresAt ≤ now + this is accepted
};

/// How JavaScript prints a number (`String(x)`): integral values as plain
/// base-10 digits ("1717459200000"), no exponent below 1e21, -0 as "0".
std::string js_number_string(double value);

/// §2.2: "<meshId>|<memberId>|<pubkey>|<timestamp>".
std::string canonical_hello(std::string_view mesh_id, std::string_view member_id,
                            std::string_view pubkey, double timestamp_ms);

/// §2.5: "claudemesh-session-hello|<meshId>|<parentMemberPubkey>|<sessionPubkey>|<timestamp>".
std::string canonical_session_hello(std::string_view mesh_id,
                                    std::string_view parent_member_pubkey,
                                    std::string_view session_pubkey, double timestamp_ms);

/// §2.5: "claudemesh-session-attest|<parentMemberPubkey>|<sessionPubkey>|<expiresAt>".
std::string canonical_attestation(std::string_view parent_member_pubkey,
                                  std::string_view session_pubkey, double expires_at_ms);

/// §2.2 steps 1–5 in order (session pubkey shape, capacity, skew, hex shape,
/// signature). nullopt = the stateless checks pass; the member lookup remains.
std::optional<handshake_rejection> check_hello(const hello_frame& frame, int64_t now_ms,
                                               bool mesh_at_capacity,
                                               const handshake_limits& limits = {});

/// §2.5 steps 1–6 in order (session pubkey, parent pubkey, attestation keys,
/// capacity, attestation expiry/ttl/shape/signature, session skew/shape/
/// signature). nullopt = the stateless checks pass; steps 7–8 remain.
std::optional<handshake_rejection> check_session_hello(const session_hello_frame& frame,
                                                       int64_t now_ms, bool mesh_at_capacity,
                                                       const handshake_limits& limits = {});

/// §2.2 step 6 / §2.5 step 7: a revoked row exists. Close 4002 "banned".
/// `mesh_label` is the mesh name, else slug, else id.
handshake_rejection reject_revoked(std::string_view mesh_label);

/// §2.2 step 6 / §2.5 step 7: no member row. Messages "pubkey not found in
/// mesh" (hello) / "parent pubkey not found in mesh" (session_hello).
handshake_rejection reject_unauthorized(handshake_kind kind);

/// §2.5 step 8. The spec gives no message; we use
/// "session_hello rejected: parent_member_id_mismatch" like its siblings.
handshake_rejection reject_parent_member_id_mismatch();

/// A signature already accepted within the replay window (replay_guard said
/// false). The spec has no replay code; we use `bad_signature` — a replayed
/// signature is not a valid proof from *this* client, every client already
/// handles that code (the SDK just logs and reconnects with a fresh
/// signature, §10.1), and close reason stays within §1.6's list. Message
/// "hello rejected: replayed signature" / "session_hello rejected: replayed
/// signature" so operators can tell it from a forged one.
handshake_rejection reject_replayed(handshake_kind kind);

/// §11 item 1: a hello whose sessionPubkey is held by a live connection of a
/// different member. Code bad_session_pubkey, close 1008; the spec gives no
/// message, ours is "sessionPubkey is held by another member".
handshake_rejection reject_session_pubkey_taken();

} // namespace nexus
