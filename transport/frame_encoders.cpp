// Encoders of the reply frames: hello_ack, the two ack shapes and
// message_status_result. Pushes: frame_encoders_push.cpp; peers_list:
// frame_encoders_peers.cpp.
#include "transport/frame_encoders.hpp"

#include "transport/json_writer.hpp"

namespace nexus::wire {

std::string encode_hello_ack(const hello_ack_frame& f) {
  json_writer w;
  w.begin_object();
  w.str_field("type", "hello_ack");
  w.str_field("presenceId", f.presenceId);
  w.str_field("memberDisplayName", f.memberDisplayName);
  if (f.memberProfile) {
    const member_profile& p = *f.memberProfile;
    w.key("memberProfile");
    w.begin_object();
    w.str_or_null_field("roleTag", p.roleTag);
    w.groups_field("groups", p.groups);
    w.str_field("messageMode", p.messageMode);
    w.end_object();
  }
  if (f.meshPolicy) {
    w.key("meshPolicy");
    w.begin_object();
    w.key("selfEditable");
    w.begin_object();
    w.bool_field("displayName", f.meshPolicy->displayName);
    w.bool_field("roleTag", f.meshPolicy->roleTag);
    w.bool_field("groups", f.meshPolicy->groups);
    w.bool_field("messageMode", f.meshPolicy->messageMode);
    w.end_object();
    w.end_object();
  }
  if (f.restored) {
    const restored_state& r = *f.restored;
    w.bool_field("restored", true);
    w.opt_str_field("lastSummary", r.lastSummary);
    w.time_field("lastSeenAt", r.lastSeenAt_ms);
    if (r.restoredGroups)
      w.groups_field("restoredGroups", *r.restoredGroups);
    w.key("restoredStats");
    w.begin_object();
    w.int_field("messagesIn", r.restoredStats.messagesIn);
    w.int_field("messagesOut", r.restoredStats.messagesOut);
    w.int_field("toolCalls", r.restoredStats.toolCalls);
    w.int_field("errors", r.restoredStats.errors);
    w.end_object();
  }
  if (f.services) {
    w.key("services");
    w.begin_array();
    w.end_array();
  }
  w.end_object();
  return w.take();
}

std::string encode_send_ack(const send_ack& f) {
  json_writer w;
  w.begin_object();
  w.str_field("type", "ack");
  w.str_field("id", f.id.value_or(std::string()));
  w.str_field("messageId", f.messageId);
  w.bool_field("queued", f.queued);
  w.opt_str_field("error", f.error);
  w.end_object(); // never _reqId: clients correlate a send's ack by id (§1.5)
  return w.take();
}

std::string encode_done_ack(const done_ack& f) {
  json_writer w;
  w.begin_object();
  w.str_field("type", "ack");
  w.str_field("id", f.req_id.value_or(std::string()));
  w.str_field("messageId", "");
  w.bool_field("queued", false);
  w.opt_str_field("_reqId", f.req_id);
  w.end_object();
  return w.take();
}

std::string encode_message_status_result(const message_status_result_frame& f) {
  json_writer w;
  w.begin_object();
  w.str_field("type", "message_status_result");
  w.str_field("messageId", f.messageId);
  w.str_field("targetSpec", f.targetSpec);
  w.bool_field("delivered", f.delivered);
  if (f.deliveredAt_ms)
    w.time_field("deliveredAt", *f.deliveredAt_ms);
  else
    w.str_or_null_field("deliveredAt", std::nullopt);
  w.key("recipients");
  w.begin_array();
  for (const auto& r : f.recipients) {
    w.begin_object();
    w.str_field("name", r.name);
    w.str_field("pubkey", r.pubkey);
    w.str_field("status", r.status);
    w.end_object();
  }
  w.end_array();
  w.opt_str_field("_reqId", f.req_id);
  w.end_object();
  return w.take();
}

} // namespace nexus::wire
