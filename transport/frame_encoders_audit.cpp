#include "transport/frame_encoders_audit.hpp"

#include "transport/iso8601.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string_view>

namespace nexus::wire {
namespace {

using writer_t = rapidjson::Writer<rapidjson::StringBuffer>;

void str(writer_t& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void key(writer_t& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}

std::string finish(rapidjson::StringBuffer& buf, writer_t& w, const std::optional<std::string>& req_id) {
  if (req_id) {
    key(w, "_reqId");
    str(w, *req_id);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

} // namespace

std::string encode_audit_result(const audit_result_frame& f) {
  rapidjson::StringBuffer buf;
  writer_t w(buf);
  w.StartObject();
  key(w, "type");
  str(w, "audit_result");
  key(w, "entries");
  w.StartArray();
  for (const auto& e : f.entries) {
    w.StartObject();
    key(w, "id");
    w.Int64(e.id);
    key(w, "eventType");
    str(w, e.eventType);
    key(w, "actor");
    str(w, e.actor);
    key(w, "payload");
    w.RawValue(e.payload_json.data(), e.payload_json.size(), rapidjson::kObjectType);
    key(w, "hash");
    str(w, e.hash);
    key(w, "createdAt");
    str(w, iso8601_ms(e.createdAt_ms));
    w.EndObject();
  }
  w.EndArray();
  key(w, "total");
  w.Int64(f.total);
  return finish(buf, w, f.req_id);
}

std::string encode_audit_verify_result(const audit_verify_result_frame& f) {
  rapidjson::StringBuffer buf;
  writer_t w(buf);
  w.StartObject();
  key(w, "type");
  str(w, "audit_verify_result");
  key(w, "valid");
  w.Bool(f.valid);
  key(w, "entries");
  w.Int64(f.entries);
  if (f.brokenAt) {
    key(w, "brokenAt");
    w.Int64(*f.brokenAt);
  }
  return finish(buf, w, f.req_id);
}

} // namespace nexus::wire
