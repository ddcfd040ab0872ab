// Decoding of the core broker's non-handshake frames (§3, §4): one small
// function per type, all through field_reader so the shape rules of
// frames.hpp hold everywhere.
#include "transport/frame_decode.hpp"

#include "transport/json_fields.hpp"

namespace nexus::wire {
namespace {

/// The reader's first error if any, else the decoded frame.
template <class Frame>
frame_payload result(const field_reader& r, Frame&& f) {
  if (!r.ok())
    return *r.error();
  return frame_payload(std::forward<Frame>(f));
}

frame_payload decode_send(const rapidjson::Value& frame) {
  field_reader r(frame, "send");
  send_frame f;
  f.id = r.optional_string("id");
  f.targetSpec = r.required_string("targetSpec");
  // Deliberately lax (frames.hpp): a bad priority is answered with an ack.
  const rapidjson::Value* priority = r.get("priority");
  if (priority != nullptr && priority->IsString())
    f.priority = string_of(*priority);
  f.nonce = r.required_string("nonce");
  f.ciphertext = r.required_string("ciphertext");
  f.client_message_id = r.optional_string("client_message_id");
  f.request_fingerprint = r.optional_string("request_fingerprint");
  f.mentions = r.optional_string_array("mentions");
  f.replyToId = r.optional_string("replyToId");
  f.bodyVersion = r.optional_integer("bodyVersion");
  if (!r.ok()) {
    frame_error e = *r.error();
    e.id = f.id; // so the SDK can fail the matching pending send (§10.2)
    return e;
  }
  return f;
}

frame_payload decode_client_ack(const rapidjson::Value& frame) {
  field_reader r(frame, "client_ack");
  client_ack_frame f;
  f.clientMessageId = r.optional_string("clientMessageId");
  f.brokerMessageId = r.optional_string("brokerMessageId");
  return result(r, std::move(f));
}

frame_payload decode_message_status(const rapidjson::Value& frame) {
  field_reader r(frame, "message_status");
  message_status_frame f;
  f.messageId = r.string_or_empty("messageId");
  return result(r, std::move(f));
}

frame_payload decode_set_status(const rapidjson::Value& frame) {
  field_reader r(frame, "set_status");
  set_status_frame f;
  f.status = r.required_string("status");
  return result(r, std::move(f));
}

frame_payload decode_set_summary(const rapidjson::Value& frame) {
  field_reader r(frame, "set_summary");
  set_summary_frame f;
  f.summary = r.string_or_empty("summary");
  return result(r, std::move(f));
}

frame_payload decode_set_visible(const rapidjson::Value& frame) {
  field_reader r(frame, "set_visible");
  set_visible_frame f;
  f.visible = r.required_bool("visible");
  return result(r, std::move(f));
}

frame_payload decode_set_profile(const rapidjson::Value& frame) {
  field_reader r(frame, "set_profile");
  set_profile_frame f;
  f.avatar = r.optional_string("avatar");
  f.title = r.optional_string("title");
  f.bio = r.optional_string("bio");
  f.capabilities = r.optional_string_array("capabilities");
  return result(r, std::move(f));
}

frame_payload decode_set_stats(const rapidjson::Value& frame) {
  field_reader outer(frame, "set_stats");
  const rapidjson::Value* stats = outer.get("stats");
  if (stats == nullptr || !stats->IsObject()) {
    outer.fail("stats", "must be an object");
    return *outer.error();
  }
  field_reader r(*stats, "set_stats", "stats.");
  set_stats_frame f;
  f.messagesIn = r.optional_integer("messagesIn");
  f.messagesOut = r.optional_integer("messagesOut");
  f.toolCalls = r.optional_integer("toolCalls");
  f.uptime = r.optional_integer("uptime");
  f.errors = r.optional_integer("errors");
  return result(r, std::move(f));
}

frame_payload decode_join_group(const rapidjson::Value& frame) {
  field_reader r(frame, "join_group");
  join_group_frame f;
  f.name = r.required_string("name");
  f.role = r.optional_nonempty_string("role");
  return result(r, std::move(f));
}

frame_payload decode_leave_group(const rapidjson::Value& frame) {
  field_reader r(frame, "leave_group");
  leave_group_frame f;
  f.name = r.required_string("name");
  return result(r, std::move(f));
}

} // namespace

frame_payload decode_payload(std::string_view type, const rapidjson::Value& frame) {
  if (type == "hello")
    return decode_hello(frame);
  if (type == "session_hello")
    return decode_session_hello(frame);
  if (type == "send")
    return decode_send(frame);
  if (type == "client_ack")
    return decode_client_ack(frame);
  if (type == "message_status")
    return decode_message_status(frame);
  if (type == "set_status")
    return decode_set_status(frame);
  if (type == "set_summary")
    return decode_set_summary(frame);
  if (type == "set_visible")
    return decode_set_visible(frame);
  if (type == "set_profile")
    return decode_set_profile(frame);
  if (type == "set_stats")
    return decode_set_stats(frame);
  if (type == "list_peers")
    return list_peers_frame{};
  if (type == "join_group")
    return decode_join_group(frame);
  if (type == "leave_group")
    return decode_leave_group(frame);
  if (auto collab = decode_collab(type, frame))
    return std::move(*collab);
  if (auto op = decode_mesh_op(type, frame))
    return std::move(*op);
  if (auto audit = decode_audit(type, frame))
    return std::move(*audit);
  if (auto schedule = decode_schedule(type, frame))
    return std::move(*schedule);
  if (auto identity = decode_identity(type, frame))
    return std::move(*identity);
  return other_frame{};
}

} // namespace nexus::wire
