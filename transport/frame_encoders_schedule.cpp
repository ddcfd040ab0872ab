#include "transport/frame_encoders_schedule.hpp"

#include "transport/json_writer.hpp"

namespace nexus::wire {
namespace {

std::string finish(json_writer& w, const std::optional<std::string>& req_id) {
  w.opt_str_field("_reqId", req_id);
  w.end_object();
  return w.take();
}

} // namespace

std::string encode_scheduled_ack(const scheduled_ack_frame& f) {
  json_writer w;
  w.begin_object();
  w.str_field("type", "scheduled_ack");
  w.str_field("scheduledId", f.scheduledId);
  w.int_field("deliverAt", f.deliverAt_ms);
  w.opt_str_field("cron", f.cron);
  return finish(w, f.req_id);
}

std::string encode_scheduled_list(const scheduled_list_frame& f) {
  json_writer w;
  w.begin_object();
  w.str_field("type", "scheduled_list");
  w.key("messages");
  w.begin_array();
  for (const auto& m : f.messages) {
    w.begin_object();
    w.str_field("id", m.id);
    w.str_field("to", m.to);
    w.str_field("message", m.message);
    w.int_field("deliverAt", m.deliverAt_ms);
    w.int_field("createdAt", m.createdAt_ms);
    w.opt_str_field("cron", m.cron);
    w.opt_int_field("firedCount", m.firedCount);
    w.end_object();
  }
  w.end_array();
  return finish(w, f.req_id);
}

std::string encode_cancel_scheduled_ack(const cancel_scheduled_ack_frame& f) {
  json_writer w;
  w.begin_object();
  w.str_field("type", "cancel_scheduled_ack");
  w.str_field("scheduledId", f.scheduledId);
  w.bool_field("ok", f.ok);
  return finish(w, f.req_id);
}

} // namespace nexus::wire
