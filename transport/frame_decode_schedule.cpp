// Decoding of schedule / list_scheduled / cancel_scheduled (§5.6) into
// schedule_frame, with field_reader's rule set (frames_schedule.hpp).
#include "transport/frame_decode.hpp"

#include "transport/frames_schedule.hpp"
#include "transport/json_fields.hpp"

namespace nexus::wire {
namespace {

/// A string PostgreSQL text can hold (no NUL).
std::string text(field_reader& r, const char* field) {
  auto s = r.required_string(field);
  if (s.find('\0') != std::string::npos)
    r.fail(field, "must not contain a NUL character");
  return s;
}

frame_payload schedule(const rapidjson::Value& frame) {
  field_reader r(frame, "schedule");
  schedule_request_frame f;
  f.to = text(r, "to");
  f.message = text(r, "message");
  f.deliverAt = r.optional_integer("deliverAt");
  f.delayMs = r.optional_integer("delayMs");
  if (auto subtype = r.optional_nonempty_string("subtype"); subtype == std::string("reminder"))
    f.subtype = subtype;
  f.cron = r.optional_nonempty_string("cron");
  if (r.ok() && !f.cron && !f.deliverAt && !f.delayMs)
    r.fail("deliverAt", "is required for a one-shot entry (or give delayMs or cron)");
  if (!r.ok())
    return *r.error();
  return schedule_frame{std::move(f)};
}

frame_payload cancel_scheduled(const rapidjson::Value& frame) {
  field_reader r(frame, "cancel_scheduled");
  cancel_scheduled_frame f;
  f.scheduledId = r.string_or_empty("scheduledId");
  if (!r.ok())
    return *r.error();
  return schedule_frame{std::move(f)};
}

} // namespace

std::optional<frame_payload> decode_schedule(std::string_view type, const rapidjson::Value& frame) {
  if (type == "schedule")
    return schedule(frame);
  if (type == "list_scheduled")
    return frame_payload(schedule_frame{list_scheduled_frame{}});
  if (type == "cancel_scheduled")
    return cancel_scheduled(frame);
  return std::nullopt;
}

} // namespace nexus::wire
