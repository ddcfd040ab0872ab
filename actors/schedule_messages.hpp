// schedule_messages: the actor protocol of scheduled messages and reminders
// (PROTOCOL.md §5.6, deviation 21).
//
//   presence  ──schedule_armed─────────────▶ scheduler (an entry was committed; no reply)
//   presence  ──schedule_disarmed──────────▶ scheduler (an entry was cancelled; no reply)
//   scheduler ──(get_mesh_atom, mesh_id)───▶ mesh_registry ─▶ the mesh actor
//   scheduler ──schedule_fire──────────────▶ mesh ─▶ fire_outcome
//   mesh      ──send_request{scheduled}────▶ itself: the ordinary send pipeline (§3.3)
//   mesh      ──fired_ack──────────────────▶ the scheduling presence (§12.2 unsolicited ack)
//
// The database row is the truth; the scheduler only holds what is due soon.
// A fire claims the row by the deliver_at it was loaded with, in the same
// statement that queues its message (storage/schedules_sql.hpp), so any
// number of attempts — a timer racing a poll, a retry, a restart, a second
// node — sends it at most once, and a crash before COMMIT sends it again.
//
// Local to the node (CAF_ALLOW_UNSAFE_MESSAGE_TYPE). Plain values.
#pragma once

#include "actors/connection_table.hpp"
#include "storage/schedules_sql.hpp"
#include "transport/frames_out.hpp"

#include <caf/allowed_unsafe_message_type.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace nexus {

/// presence → scheduler: a new entry (as committed).
struct schedule_armed {
  storage::schedule_row row;
};

/// presence → scheduler: an entry was cancelled (its fire would claim
/// nothing anyway; this only frees the scheduler's memory early).
struct schedule_disarmed {
  std::string id;
};

/// scheduler → mesh: fire `row` now. `next_ms`: the cron entry's next fire
/// computed from now (§5.6), none for a one-shot (then deleted).
struct schedule_fire {
  storage::schedule_row row;
  std::optional<int64_t> next_ms;
};

/// What became of a fire.
enum class fire_result {
  sent,     ///< claimed, and its message queued (and routed)
  refused,  ///< claimed, but the send pipeline refused it (rate limit, grants,
            ///< no recipient): counted as fired, nothing queued (§5.6)
  lost,     ///< nothing claimed: cancelled or fired already (elsewhere)
  retired,  ///< its member is gone for good: the entry was cancelled
};

struct fire_outcome {
  fire_result result = fire_result::lost;
};

/// What a send_request carries when the scheduler fires it: the sender (the
/// scheduling connection while the mesh still knows it, else that member
/// as it was — deviation 21) and the claim that goes with the queue insert.
struct scheduled_send {
  connection_entry sender;
  std::string schedule_id;
  int64_t expected_ms = 0;             ///< the deliver_at the entry was loaded with
  std::optional<int64_t> next_ms;
  std::optional<std::string> subtype;  ///< "reminder" rides on every push (deviation 21)
};

/// mesh → presence: the ack of a send fired through this connection.
struct fired_ack {
  send_ack ack;
};

} // namespace nexus

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::schedule_armed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::schedule_disarmed)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::schedule_fire)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::fire_outcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(nexus::fired_ack)
