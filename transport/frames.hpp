// frames: the typed client → broker frames of the core broker (PROTOCOL.md
// §2–§4). Plain values, no JSON: the codec (transport/wire_codec.hpp) fills
// them from the wire and actors read them; nothing past the codec knows a
// field name. Member names follow the wire names so a reader can map them
// to the spec at a glance. Broker → client frames: transport/frames_out.hpp.
//
// How the decoder maps JSON onto these (one rule set, documented once):
//   * unknown fields are ignored (§0.4); with duplicate keys the last wins;
//   * an optional field that is absent or `null` is nullopt; of any other
//     wrong JSON type it is a frame_error (except in the handshake frames,
//     whose field notes below keep the reference's rejection codes);
//   * integers (pid, stats, bodyVersion): a non-integral number is truncated
//     toward zero and one beyond the int64 range is clamped — clients send
//     JavaScript numbers (e.g. a float uptime) and refusing the whole frame
//     for that would lose the rest of it;
//   * timestamps (hello, attestation) stay doubles: the signed canonical
//     string is rebuilt from the number exactly as JavaScript prints it.
//
// Thread-safety: plain values; copy freely between threads and actors.
#pragma once

#include "transport/frames_audit.hpp"
#include "transport/frames_collab.hpp"
#include "transport/frames_identity.hpp"
#include "transport/frames_mesh_ops.hpp"
#include "transport/frames_schedule.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nexus {

// --- handshake (§2.1, §2.5) ---------------------------------------------

/// One entry of a `groups` array: `{name, role?}`. A role that is absent,
/// null or "" is nullopt (§4.4: "role omitted if falsy").
struct hello_group {
  std::string name;
  std::optional<std::string> role;
};

/// A JSON number field that may be absent or of another JSON type.
/// nullopt = absent, or not a JSON number (e.g. the string "1717459200000",
/// null, bool): the reference checks the type, so such a timestamp fails the
/// skew check and such an expiresAt is `malformed`. A number is kept as the
/// double JavaScript would hold (every integral ms value < 2^53 is exact).
using wire_number = std::optional<double>;

/// Fields common to `hello` and `session_hello` that only shape the presence
/// (§2.1, §2.6). Not covered by any signature. A field of the wrong JSON type
/// decodes like an absent one: a hello is never refused for its shape here.
struct presence_request {
  std::string displayName;                ///< "" or absent → member's display_name
  std::optional<std::string> sessionId;   ///< absent → caller generates a unique id (§11.16)
  int64_t pid = 0;                        ///< absent → 0 (§11.16)
  std::string cwd;                        ///< absent → "" (SDK never sends it, §11.16)
  std::optional<std::string> hostname;
  std::optional<std::string> peerType;    ///< not validated
  std::optional<std::string> channel;
  std::optional<std::string> model;
  /// Absent vs present matters: session_hello uses `groups` even when empty;
  /// hello only when non-empty (§2.6 "Initial groups"). Entries without a
  /// string `name` are skipped.
  std::optional<std::vector<hello_group>> groups;
};

/// `hello` (§2.1). Required string fields that are missing or not strings
/// are parsed as "" (they then fail as `malformed`/`bad_signature`).
struct hello_frame : presence_request {
  std::string meshId;
  std::string memberId;                   ///< signed; not checked against the member row
  std::string pubkey;                     ///< member key, 64 hex
  /// Unproven routing key (§2.3). Absent and "" both mean "none" (so does any
  /// JavaScript-falsy value: null, false, 0); any other non-string value is
  /// parsed as non_string_marker so it fails as bad_session_pubkey.
  std::optional<std::string> sessionPubkey;
  wire_number timestamp;
  std::string signature;                  ///< 128 hex
};

/// `parentAttestation` (§2.5). Missing/non-string key fields parse as ""
/// (never equal to a validated key → attestation_mismatch).
struct parent_attestation {
  std::string sessionPubkey;
  std::string parentMemberPubkey;
  wire_number expiresAt;                  ///< ms epoch
  std::string signature;                  ///< 128 hex, by the member key
};

/// `session_hello` (§2.5). Required strings missing or not strings → "".
struct session_hello_frame : presence_request {
  std::string meshId;
  /// Absent, or JavaScript-falsy → nullopt (not compared, step 8); a
  /// truthy non-string → non_string_marker (never a member id → mismatch).
  std::optional<std::string> parentMemberId;
  std::string parentMemberPubkey;              ///< 64 lowercase hex
  std::string sessionPubkey;                   ///< 64 lowercase hex (required here)
  std::optional<parent_attestation> parentAttestation;  ///< nullopt = missing or not an object
  wire_number timestamp;
  std::string signature;                       ///< 128 hex, by the session key
};

/// Stands in for a truthy non-string where the reference would compare or
/// regex-test the value: it is neither hex nor a valid id, so every check
/// refuses it.
inline constexpr const char* non_string_marker = "<non-string>";

// --- messaging (§3) -------------------------------------------------------

/// `send` (§3.1).
struct send_frame {
  std::optional<std::string> id;          ///< echoed as ack.id ("" when absent)
  std::string targetSpec;                 ///< required
  /// As sent; NOT validated here. Missing or not a string → "" so the
  /// broker answers it like any invalid priority: ack{queued:false} (§11.41).
  std::string priority;
  std::string nonce;                      ///< required, may be ""
  std::string ciphertext;                 ///< required, may be ""
  std::optional<std::string> client_message_id;
  std::optional<std::string> request_fingerprint;
  std::optional<std::vector<std::string>> mentions; ///< topic sends only
  std::optional<std::string> replyToId;   ///< topic sends only
  std::optional<int64_t> bodyVersion;     ///< absent → 1 (caller's default)
};

/// `client_ack` (§3.8). Both absent → the broker ignores the frame.
struct client_ack_frame {
  std::optional<std::string> clientMessageId;
  std::optional<std::string> brokerMessageId;
};

/// `message_status` (§3.10). Absent or null → "" so the caller's shape check
/// answers invalid_argument "(got 0)" like the reference.
struct message_status_frame {
  std::string messageId;
};

// --- presence (§4) --------------------------------------------------------

/// `set_status` (§4.2); the value is validated by the status engine.
struct set_status_frame {
  std::string status;
};

/// `set_summary` (§4.3). Absent or null → "".
struct set_summary_frame {
  std::string summary;
};

/// `set_visible` (§4.3). Required boolean.
struct set_visible_frame {
  bool visible = true;
};

/// A peer's self-description (§4.1 `profile`, §4.3 `set_profile`): only the
/// fields present in a set_profile are merged.
struct peer_profile {
  std::optional<std::string> avatar;
  std::optional<std::string> title;
  std::optional<std::string> bio;
  std::optional<std::vector<std::string>> capabilities;
};

/// `set_profile` (§4.3).
struct set_profile_frame : peer_profile {};

/// A peer's self-reported counters (§4.1 `stats`, §4.3 `set_stats`).
struct peer_stats {
  std::optional<int64_t> messagesIn;
  std::optional<int64_t> messagesOut;
  std::optional<int64_t> toolCalls;
  std::optional<int64_t> uptime;
  std::optional<int64_t> errors;
};

/// `set_stats` (§4.3): the wire's `stats` object. Missing or not an object
/// is a frame_error; so is a counter that is not a number.
struct set_stats_frame : peer_stats {};

/// `list_peers` (§4.1).
struct list_peers_frame {};

/// `join_group` (§4.4). Role absent, null or "" → nullopt.
struct join_group_frame {
  std::string name;
  std::optional<std::string> role;
};

/// `leave_group` (§4.4).
struct leave_group_frame {
  std::string name;
};

// --- everything else ------------------------------------------------------

/// A frame whose type the core broker does not handle (unknown, or a later
/// feature). Ignored silently (§1.2); wire::inbound::type says which it was.
struct other_frame {};

/// A known frame with a field of the wrong JSON type or a required field
/// missing. Answered with an error frame (code, message, id, and the
/// frame's _reqId); no state changes.
struct frame_error {
  std::string code = "invalid_frame";
  std::string message;            ///< names the field: "send: targetSpec must be a string"
  std::optional<std::string> id;  ///< send only: the frame's id when it was a string
};

/// What a decoded frame carries. A default-constructed payload is
/// other_frame (ignored).
using frame_payload =
    std::variant<other_frame, frame_error, hello_frame, session_hello_frame, send_frame,
                 client_ack_frame, message_status_frame, set_status_frame, set_summary_frame,
                 set_visible_frame, set_profile_frame, set_stats_frame, list_peers_frame,
                 join_group_frame, leave_group_frame, collab_frame, mesh_op_frame,
                 audit_frame, schedule_frame, identity_frame>;

} // namespace nexus
