// Decoding of `hello` and `session_hello` (§2.1, §2.5). Unlike the other
// frames these never become a frame_error: the handshake checks
// (actors/handshake.cpp) refuse a bad frame with the reference's codes, and
// they can only do so if every field shape maps onto the value the
// reference's checks would have seen (field notes in frames.hpp).
#include "transport/frame_decode.hpp"

#include "transport/json_fields.hpp"

namespace nexus::wire {
namespace {

/// A required string: anything but a string is "".
std::string string_or_empty(const rapidjson::Value& frame, std::string_view name) {
  const rapidjson::Value* v = find_last(frame, name);
  return v != nullptr && v->IsString() ? string_of(*v) : std::string();
}

/// An optional string: anything but a string is nullopt.
std::optional<std::string> string_if(const rapidjson::Value& frame, std::string_view name) {
  const rapidjson::Value* v = find_last(frame, name);
  if (v == nullptr || !v->IsString())
    return std::nullopt;
  return string_of(*v);
}

/// Falsy → nullopt (not set); a truthy non-string → non_string_marker, which
/// fails every hex or id comparison as the reference's checks would.
std::optional<std::string> truthy_string(const rapidjson::Value& frame, std::string_view name) {
  const rapidjson::Value* v = find_last(frame, name);
  if (v == nullptr || !js_truthy(*v))
    return std::nullopt;
  return v->IsString() ? string_of(*v) : std::string(non_string_marker);
}

wire_number number_if(const rapidjson::Value& frame, std::string_view name) {
  const rapidjson::Value* v = find_last(frame, name);
  if (v == nullptr || !v->IsNumber())
    return std::nullopt;
  return v->GetDouble();
}

/// Entries without a string name are skipped: a group has no meaning
/// without one and routing compares names exactly.
std::optional<std::vector<hello_group>> groups_if(const rapidjson::Value& frame) {
  const rapidjson::Value* v = find_last(frame, "groups");
  if (v == nullptr || !v->IsArray())
    return std::nullopt;
  std::vector<hello_group> out;
  for (const auto& item : v->GetArray()) {
    if (!item.IsObject())
      continue;
    const rapidjson::Value* name = find_last(item, "name");
    if (name == nullptr || !name->IsString())
      continue;
    hello_group g;
    g.name = string_of(*name);
    const rapidjson::Value* role = find_last(item, "role");
    if (role != nullptr && role->IsString() && role->GetStringLength() > 0)
      g.role = string_of(*role);
    out.push_back(std::move(g));
  }
  return out;
}

void decode_presence_request(const rapidjson::Value& frame, presence_request& p) {
  p.displayName = string_or_empty(frame, "displayName");
  p.sessionId = string_if(frame, "sessionId");
  const rapidjson::Value* pid = find_last(frame, "pid");
  p.pid = pid != nullptr && pid->IsNumber() ? clamp_to_int64(*pid) : 0;
  p.cwd = string_or_empty(frame, "cwd");
  p.hostname = string_if(frame, "hostname");
  p.peerType = string_if(frame, "peerType");
  p.channel = string_if(frame, "channel");
  p.model = string_if(frame, "model");
  p.groups = groups_if(frame);
}

} // namespace

hello_frame decode_hello(const rapidjson::Value& frame) {
  hello_frame f;
  decode_presence_request(frame, f);
  f.meshId = string_or_empty(frame, "meshId");
  f.memberId = string_or_empty(frame, "memberId");
  f.pubkey = string_or_empty(frame, "pubkey");
  f.sessionPubkey = truthy_string(frame, "sessionPubkey");
  f.timestamp = number_if(frame, "timestamp");
  f.signature = string_or_empty(frame, "signature");
  return f;
}

session_hello_frame decode_session_hello(const rapidjson::Value& frame) {
  session_hello_frame f;
  decode_presence_request(frame, f);
  f.meshId = string_or_empty(frame, "meshId");
  f.parentMemberId = truthy_string(frame, "parentMemberId");
  f.parentMemberPubkey = string_or_empty(frame, "parentMemberPubkey");
  f.sessionPubkey = string_or_empty(frame, "sessionPubkey");
  const rapidjson::Value* att = find_last(frame, "parentAttestation");
  if (att != nullptr && att->IsObject()) {
    parent_attestation a;
    a.sessionPubkey = string_or_empty(*att, "sessionPubkey");
    a.parentMemberPubkey = string_or_empty(*att, "parentMemberPubkey");
    a.expiresAt = number_if(*att, "expiresAt");
    a.signature = string_or_empty(*att, "signature");
    f.parentAttestation = std::move(a);
  }
  f.timestamp = number_if(frame, "timestamp");
  f.signature = string_or_empty(frame, "signature");
  return f;
}

} // namespace nexus::wire
