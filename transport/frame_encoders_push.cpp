// Encoders of the push frames (§3.7): message pushes and system events.
#include "transport/frame_encoders.hpp"

#include "transport/json_writer.hpp"

namespace nexus::wire {

std::string encode_push(const message_push& f) {
  json_writer w;
  w.begin_object();
  w.str_field("type", "push");
  w.str_field("messageId", f.messageId);
  w.str_field("meshId", f.meshId);
  w.str_field("senderPubkey", f.senderPubkey);
  // Deviation 20: drained pushes carry the sender-member fields as well.
  w.str_field("senderMemberPubkey", f.senderMemberPubkey);
  w.str_field("senderMemberId", f.senderMemberId);
  w.str_field("senderName", f.senderName);
  w.opt_str_field("topic", f.topic);
  w.opt_str_field("replyToId", f.replyToId);
  w.str_field("priority", f.priority);
  w.str_field("nonce", f.nonce);
  w.str_field("ciphertext", f.ciphertext);
  w.time_field("createdAt", f.createdAt_ms);
  w.opt_str_field("subtype", f.subtype);
  w.opt_str_field("client_message_id", f.client_message_id);
  w.opt_str_field("request_fingerprint", f.request_fingerprint);
  w.end_object();
  return w.take();
}

std::string encode_system_push(const system_push& f) {
  const system_event_data& d = f.eventData;
  json_writer w;
  w.begin_object();
  w.str_field("type", "push");
  w.str_field("subtype", "system");
  w.str_field("event", f.event);
  w.key("eventData");
  w.begin_object();
  w.str_field("name", d.name);
  w.str_field("pubkey", d.pubkey);
  if (d.groups)
    w.groups_field("groups", *d.groups);
  if (d.lastSeenAt_ms)
    w.time_field("lastSeenAt", *d.lastSeenAt_ms);
  w.opt_str_field("summary", d.summary);
  w.str_field("displayName", d.name); // deviation 24: what the SDK's typings read
  w.end_object();
  w.str_field("messageId", f.messageId);
  w.str_field("meshId", f.meshId);
  w.str_field("senderPubkey", "system");
  w.str_field("priority", f.priority);
  w.str_field("nonce", ""); // empty so clients skip decryption (§10.3)
  w.str_field("ciphertext", "");
  w.time_field("createdAt", f.createdAt_ms);
  w.end_object();
  return w.take();
}

} // namespace nexus::wire
