// schedule_requests: the presence side of scheduled messages (PROTOCOL.md
// §5.6): `schedule`, `list_scheduled` and `cancel_scheduled` of an online
// presence, answered from the mesh's storage actor (per-mesh order), and
// the unsolicited ack of a fire that went out through this connection.
//
//   presence ──db_request (insert, audited)──▶ storage ─▶ scheduled_ack | error
//   presence ──schedule_armed────────────────▶ scheduler (after COMMIT)
//   presence ──db_request (cancel, audited)──▶ storage ─▶ cancel_scheduled_ack
//   presence ──schedule_disarmed─────────────▶ scheduler (when one was cancelled)
//
// Bounds (config keys): schedules_per_member_max live entries per member and
// mesh (error `limit`), scheduled_list_max entries per list,
// schedule_ahead_max_ms for a one-shot's time, frame_bytes_max for the
// message as it will be sent (base64) with its target. An invalid or
// never-firing cron expression gets `invalid_cron` (§5.6); the other bad
// values `invalid_argument`. Nothing is stored for a refused request.
//
// Internal to actors/. Functions run on the presence actor's thread only.
#pragma once

#include "actors/presence_state.hpp"
#include "actors/schedule_messages.hpp"
#include "transport/frames_schedule.hpp"

#include <functional>
#include <optional>
#include <string>

namespace nexus {

/// Answers one schedule frame. Calls `done` exactly once, asynchronously,
/// after the reply was sent (the caller holds its later frames until then).
void handle_schedule(presence_actor_t* self, const schedule_frame& frame,
                     const std::optional<std::string>& req_id, std::function<void()> done);

/// Writes the ack of a scheduled send fired through this connection (§12.2).
void push_fired_ack(presence_actor_t* self, const fired_ack& a);

} // namespace nexus
