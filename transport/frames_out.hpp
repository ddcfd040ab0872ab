// frames_out: the typed broker → client frames of the core broker
// (PROTOCOL.md §2.7, §3.4, §3.7, §3.10, §4.1, §4.3). Actors fill these; the
// encoders in transport/frame_encoders.hpp turn them into JSON text. An
// std::optional that is nullopt is omitted from the frame (§0.4) unless the
// field's comment says it is sent as null. Times are Unix milliseconds and go
// out as ISO-8601 with exactly three fractional digits (§0.2).
//
// Thread-safety: plain values; copy freely between threads and actors.
#pragma once

#include "transport/frames.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nexus {

// --- hello_ack (§2.7) -----------------------------------------------------

/// `memberProfile`: the member row's defaults.
struct member_profile {
  std::optional<std::string> roleTag;  ///< sent as null when nullopt
  std::vector<hello_group> groups;     ///< member default groups
  std::string messageMode = "push";    ///< "push" | "inbox" | "off"
};

/// `meshPolicy.selfEditable`: which member fields members may edit.
struct mesh_policy {
  bool displayName = false;
  bool roleTag = false;
  bool groups = false;
  bool messageMode = false;
};

/// Cumulative counters saved in peer_state (`restoredStats`).
struct cumulative_stats {
  int64_t messagesIn = 0;
  int64_t messagesOut = 0;
  int64_t toolCalls = 0;
  int64_t errors = 0;
};

/// What a `hello` restores from peer_state: emitted as `restored:true` plus
/// the fields below.
struct restored_state {
  std::optional<std::string> lastSummary;  ///< only if a summary was saved
  int64_t lastSeenAt_ms = 0;               ///< time of last disconnect
  /// Only when the hello had no groups and the saved ones are non-empty.
  std::optional<std::vector<hello_group>> restoredGroups;
  cumulative_stats restoredStats;
};

struct hello_ack_frame {
  std::string presenceId;
  std::string memberDisplayName;               ///< effective display name
  std::optional<member_profile> memberProfile; ///< hello: always; session_hello: new presence
  std::optional<mesh_policy> meshPolicy;       ///< when the mesh has a self_editable policy
  std::optional<restored_state> restored;      ///< hello, new presence, peer_state row exists
  /// hello path (also on reattach): `services:[]` — managed services are a
  /// later phase, so the list is always empty (§2.7 allows that).
  bool services = true;
};

// --- ack (§3.4, §4.3) -----------------------------------------------------

/// The `ack` answering a `send`: success (queued, messageId) or rejection
/// (queued false, messageId "", error text). Never carries _reqId (§1.5).
struct send_ack {
  std::optional<std::string> id;    ///< the send's id; sent as "" when absent
  std::string messageId;            ///< "" on rejection
  bool queued = false;
  std::optional<std::string> error; ///< rejection text (§3.4 table)
};

/// The generic "done" `ack` of set_visible / set_profile (§4.3):
/// {"type":"ack","id":<_reqId or "">,"messageId":"","queued":false,"_reqId"?}.
struct done_ack {
  std::optional<std::string> req_id;
};

// --- push (§3.7) ----------------------------------------------------------

/// A message push. Live pushes (§3.7.1) and drained pushes (§3.7.2) share
/// this shape: with deviation 20 a drained push carries the sender-member
/// fields too. The only difference: client_message_id / request_fingerprint
/// are set on drained pushes (when stored non-empty) and never on live ones.
struct message_push {
  std::string messageId;
  std::string meshId;
  std::string senderPubkey;        ///< routing pubkey (session key, else member key)
  std::string senderMemberPubkey;
  std::string senderMemberId;
  std::string senderName;          ///< sender's effective display name
  std::optional<std::string> topic;     ///< topic name, topic sends only
  std::optional<std::string> replyToId;
  std::string priority;            ///< as sent
  std::string nonce;               ///< verbatim
  std::string ciphertext;          ///< verbatim
  int64_t createdAt_ms = 0;        ///< live: fan-out time; drained: row creation
  std::optional<std::string> subtype;   ///< "reminder" for reminder deliveries
  std::optional<std::string> client_message_id;    ///< drained only
  std::optional<std::string> request_fingerprint;  ///< drained only
};

/// `eventData` of the peer_* system events (§4.7). Sent with both `name`
/// and `displayName` (same value, deviation 24).
struct system_event_data {
  std::string name;
  std::string pubkey;                           ///< routing pubkey
  std::optional<std::vector<hello_group>> groups;  ///< peer_joined / peer_returned
  std::optional<int64_t> lastSeenAt_ms;         ///< peer_returned, when known
  std::optional<std::string> summary;           ///< peer_returned, when saved
};

/// A system push (§3.7.3): senderPubkey "system", nonce and ciphertext "".
struct system_push {
  std::string event;               ///< "peer_joined", "peer_left", ...
  system_event_data eventData;
  std::string messageId;           ///< a fresh UUID v4
  std::string meshId;
  std::string priority = "low";
  int64_t createdAt_ms = 0;
};

// --- peers_list (§4.1) ----------------------------------------------------

/// One entry of `peers`. Always-present fields are plain; the rest are
/// omitted when nullopt.
struct peer_entry {
  std::string pubkey;               ///< routing pubkey
  std::string memberPubkey;
  std::string displayName;
  std::string status;               ///< "idle" | "working" | "dnd"
  std::optional<std::string> summary;   ///< sent as null when never set
  std::vector<hello_group> groups;
  std::string sessionId;
  int64_t connectedAt_ms = 0;
  std::string cwd;
  std::string peerRole;             ///< "control-plane" | "session" | "service"
  std::optional<std::string> hostname;
  std::optional<std::string> peerType;
  std::optional<std::string> channel;
  std::optional<std::string> model;
  std::optional<peer_stats> stats;  ///< only once set_stats was received
  std::optional<bool> visible;      ///< when the broker holds a live connection
  /// Omitted when nullopt or when none of its fields is set.
  std::optional<peer_profile> profile;
};

struct peers_list_frame {
  std::vector<peer_entry> peers;
  std::optional<std::string> req_id;
};

// --- message_status_result (§3.10) ----------------------------------------

struct message_recipient {
  std::string name;
  std::string pubkey;
  std::string status;               ///< "delivered" | "held" | "disconnected"
};

struct message_status_result_frame {
  std::string messageId;            ///< as requested (may be a prefix)
  std::string targetSpec;
  bool delivered = false;
  std::optional<int64_t> deliveredAt_ms;  ///< sent as null when not delivered
  std::vector<message_recipient> recipients;
  std::optional<std::string> req_id;
};

} // namespace nexus
