// Decoding of audit_query / audit_verify (§5.20) into audit_frame.
#include "transport/frame_decode.hpp"

#include "transport/json_fields.hpp"

namespace nexus::wire {
namespace {

frame_payload audit_query(const rapidjson::Value& frame) {
  field_reader r(frame, "audit_query");
  audit_query_frame f;
  if (auto limit = r.optional_integer("limit"))
    f.limit = *limit;
  if (auto offset = r.optional_integer("offset"))
    f.offset = *offset;
  f.eventType = r.optional_nonempty_string("eventType");
  if (!r.ok()) {
    auto err = *r.error();
    err.code = "audit_query_error"; // §1.7: the area's own code
    return err;
  }
  return audit_frame{f};
}

} // namespace

std::optional<frame_payload> decode_audit(std::string_view type, const rapidjson::Value& frame) {
  if (type == "audit_query")
    return audit_query(frame);
  if (type == "audit_verify")
    return frame_payload(audit_frame{audit_verify_frame{}});
  return std::nullopt;
}

} // namespace nexus::wire
