// frame_encoders_schedule: broker → client frames of scheduled messages
// (§5.6) as JSON text, from transport/frames_schedule.hpp. Times are JSON
// numbers (Unix ms) as the spec shows; `_reqId` is echoed when present.
//
// REQUIRES: strings are valid UTF-8 (they come from validated frames or the
// UTF-8 database). Pure functions, no shared state: safe from any thread.
#pragma once

#include "transport/frames_schedule.hpp"

#include <string>

namespace nexus::wire {

/// {"type":"scheduled_ack","scheduledId","deliverAt"[,"cron"][,"_reqId"]}
std::string encode_scheduled_ack(const scheduled_ack_frame& f);
/// {"type":"scheduled_list","messages":[{"id","to","message","deliverAt","createdAt"[,"cron","firedCount"]}]}
std::string encode_scheduled_list(const scheduled_list_frame& f);
/// {"type":"cancel_scheduled_ack","scheduledId","ok"[,"_reqId"]}
std::string encode_cancel_scheduled_ack(const cancel_scheduled_ack_frame& f);

} // namespace nexus::wire
