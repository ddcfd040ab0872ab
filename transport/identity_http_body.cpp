#include "transport/identity_http_body.hpp"

#include "transport/json_bounded.hpp"
#include "transport/json_fields.hpp"
#include "transport/json_writer.hpp"

namespace nexus::wire {
namespace {

/// The body as an object, or the error to answer.
template <class T>
bool parse_object(std::string_view text, int64_t depth_max, rapidjson::Document& doc,
                  body_result<T>& out) {
  if (parse_bounded(text, depth_max, doc) != json_parse_status::ok) {
    out.error.detail = "body is not valid JSON (or nested too deeply)";
    return false;
  }
  if (!doc.IsObject()) {
    out.error.detail = "body must be a JSON object";
    return false;
  }
  return true;
}

template <class T>
body_result<T> finish(const field_reader& r, T value) {
  body_result<T> out;
  if (r.ok())
    out.value = std::move(value);
  else
    out.error.detail = r.error()->message;
  return out;
}

} // namespace

body_result<mesh_create_request> decode_mesh_create_body(std::string_view text, int64_t json_depth_max,
                                                         const std::string* authorization) {
  body_result<mesh_create_request> out;
  rapidjson::Document doc;
  if (!parse_object(text, json_depth_max, doc, out))
    return out;
  field_reader r(doc, "POST /api/meshes");
  mesh_create_request q;
  q.name = r.required_string("name");
  q.pubkey = r.required_string("pubkey");
  q.display_name = r.required_string("display_name");
  q.recipient_x25519 = r.required_string("recipient_x25519_pubkey");
  auto ts = r.optional_integer("timestamp");
  if (!ts)
    r.fail("timestamp", "must be a number (Unix milliseconds)");
  q.timestamp_ms = ts.value_or(0);
  q.signature = r.required_string("signature");
  q.operator_token = r.optional_string("operator_token");
  constexpr std::string_view bearer = "Bearer ";
  if (!q.operator_token && authorization && authorization->compare(0, bearer.size(), bearer) == 0)
    q.operator_token = authorization->substr(bearer.size());
  return finish(r, std::move(q));
}

body_result<invite_claim_request> decode_claim_body(std::string_view text, int64_t json_depth_max) {
  body_result<invite_claim_request> out;
  rapidjson::Document doc;
  if (!parse_object(text, json_depth_max, doc, out))
    return out;
  field_reader r(doc, "claim");
  invite_claim_request q;
  q.recipient_x25519 = r.required_string("recipient_x25519_pubkey");
  q.peer_pubkey = r.required_string("peer_pubkey");
  q.display_name = r.string_or_empty("display_name");
  q.signature = r.required_string("signature");
  return finish(r, std::move(q));
}

std::string encode_http_error(std::string_view code, std::string_view detail) {
  json_writer w;
  w.begin_object();
  w.str_field("error", code);
  if (!detail.empty())
    w.str_field("detail", detail);
  w.end_object();
  return w.take();
}

std::string encode_mesh_created_body(const mesh_created_frame& f) {
  json_writer w;
  w.begin_object();
  w.str_field("mesh_id", f.meshId);
  w.str_field("name", f.name);
  w.opt_str_field("slug", f.slug);
  w.str_field("owner_pubkey", f.ownerPubkey);
  w.str_field("member_id", f.memberId);
  w.str_field("role", f.role);
  w.str_field("sealed_root_key", f.sealedRootKey);
  w.end_object();
  return w.take();
}

std::string encode_claim_body(const invite_claim_response& r) {
  json_writer w;
  w.begin_object();
  w.str_field("sealed_root_key", r.sealed_root_key);
  w.str_field("mesh_id", r.mesh_id);
  w.str_field("member_id", r.member_id);
  w.str_field("owner_pubkey", r.owner_pubkey);
  w.str_field("canonical_v2", r.canonical_v2);
  w.str_field("role", r.role);
  w.str_field("display_name", r.display_name);
  if (r.already_member)
    w.bool_field("already_member", true);
  w.end_object();
  return w.take();
}

std::string encode_preview_body(const invite_preview_response& r) {
  json_writer w;
  w.begin_object();
  w.str_field("code", r.code);
  w.str_field("mesh_id", r.mesh_id);
  w.str_field("mesh_name", r.mesh_name);
  w.str_field("inviter", r.inviter);
  w.str_field("role", r.role);
  w.int_field("expires_at", r.expires_at_s);
  w.int_field("member_count", r.member_count);
  w.int_field("max_uses", r.max_uses);
  w.int_field("used_count", r.used_count);
  w.str_field("owner_pubkey", r.owner_pubkey);
  w.end_object();
  return w.take();
}

} // namespace nexus::wire
