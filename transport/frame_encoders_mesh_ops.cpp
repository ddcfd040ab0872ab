// Encoders of the stream, mesh_info and clock frames (§5.5, §5.7, §5.8).
// A small writer of our own (as frame_encoders_collab.cpp): published data
// is embedded as raw JSON text, and speeds are numbers that may be whole.
#include "transport/frame_encoders_mesh_ops.hpp"

#include "transport/iso8601.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cmath>
#include <string_view>

namespace nexus::wire {
namespace {

class writer {
public:
  writer() { w_.StartObject(); }
  explicit writer(std::string_view type) : writer() { str_field("type", type); }
  void key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
  void str(std::string_view s) { w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
  void str_field(std::string_view k, std::string_view v) {
    key(k);
    str(v);
  }
  void int_field(std::string_view k, int64_t v) {
    key(k);
    w_.Int64(v);
  }
  void bool_field(std::string_view k, bool v) {
    key(k);
    w_.Bool(v);
  }
  /// A whole speed goes out as an integer (5, not 5.0), as JavaScript prints it.
  void number_field(std::string_view k, double v) {
    key(k);
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9.0e15)
      w_.Int64(static_cast<int64_t>(v));
    else
      w_.Double(v);
  }
  void raw_field(std::string_view k, const std::string& json) {
    key(k);
    w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  }
  void time_field(std::string_view k, int64_t ms) { str_field(k, iso8601_ms(ms)); }
  void strings_field(std::string_view k, const std::vector<std::string>& v) {
    begin_array(k);
    for (const auto& s : v)
      str(s);
    end_array();
  }
  void begin_array(std::string_view k) {
    key(k);
    w_.StartArray();
  }
  void end_array() { w_.EndArray(); }
  void begin_object() { w_.StartObject(); }
  void begin_object(std::string_view k) {
    key(k);
    w_.StartObject();
  }
  void end_object() { w_.EndObject(); }
  /// Closes the frame, echoing `_reqId` when the request had one.
  std::string finish(const std::optional<std::string>& req_id) {
    if (req_id)
      str_field("_reqId", *req_id);
    w_.EndObject();
    return std::string(buf_.GetString(), buf_.GetSize());
  }

private:
  rapidjson::StringBuffer buf_;
  rapidjson::Writer<rapidjson::StringBuffer> w_{buf_};
};

} // namespace

std::string encode_stream_created(const stream_created_frame& f) {
  writer w("stream_created");
  w.str_field("id", f.id);
  w.str_field("name", f.name);
  return w.finish(f.req_id);
}

std::string encode_subscribed(const subscribed_frame& f) {
  writer w("subscribed");
  w.str_field("stream", f.stream);
  return w.finish(f.req_id);
}

std::string encode_stream_data(const stream_data_frame& f) {
  writer w("stream_data");
  w.str_field("stream", f.stream);
  if (f.data_json)
    w.raw_field("data", *f.data_json);
  w.str_field("publishedBy", f.publishedBy);
  return w.finish(std::nullopt);
}

std::string encode_stream_list(const stream_list_frame& f) {
  writer w("stream_list");
  w.begin_array("streams");
  for (const auto& s : f.streams) {
    w.begin_object();
    w.str_field("id", s.id);
    w.str_field("name", s.name);
    w.str_field("createdBy", s.createdBy);
    w.time_field("createdAt", s.createdAt_ms);
    w.int_field("subscriberCount", s.subscriberCount);
    w.end_object();
  }
  w.end_array();
  return w.finish(f.req_id);
}

std::string encode_mesh_info_result(const mesh_info_result_frame& f) {
  writer w("mesh_info_result");
  w.str_field("mesh", f.mesh);
  w.int_field("peers", f.peers);
  w.strings_field("groups", f.groups);
  w.strings_field("stateKeys", f.stateKeys);
  w.int_field("memoryCount", f.memoryCount);
  w.int_field("fileCount", f.fileCount);
  w.begin_object("tasks");
  w.int_field("open", f.tasks.open);
  w.int_field("claimed", f.tasks.claimed);
  w.int_field("done", f.tasks.done);
  w.end_object();
  w.strings_field("streams", f.streams);
  w.strings_field("tables", {});
  w.strings_field("collections", {});
  w.str_field("yourName", f.yourName);
  w.begin_array("yourGroups");
  for (const auto& g : f.yourGroups) {
    w.begin_object();
    w.str_field("name", g.name);
    if (g.role)
      w.str_field("role", *g.role);
    w.end_object();
  }
  w.end_array();
  return w.finish(f.req_id);
}

std::string encode_clock_status(const clock_status_frame& f) {
  writer w("clock_status");
  w.number_field("speed", f.speed);
  w.bool_field("paused", f.paused);
  w.int_field("tick", f.tick);
  w.time_field("simTime", f.simTime_ms);
  w.time_field("startedAt", f.startedAt_ms);
  return w.finish(f.req_id);
}

std::string encode_tick_push(const tick_push_frame& f) {
  writer w("push");
  w.str_field("subtype", "system");
  w.str_field("event", "tick");
  w.begin_object("eventData");
  w.int_field("tick", f.tick);
  w.time_field("simTime", f.simTime_ms);
  w.number_field("speed", f.speed);
  w.end_object();
  w.str_field("messageId", f.messageId);
  w.str_field("meshId", f.meshId);
  w.str_field("senderPubkey", "system");
  w.str_field("priority", "low");
  w.str_field("nonce", ""); // empty so clients skip decryption (§10.3)
  w.str_field("ciphertext", "");
  w.time_field("createdAt", f.createdAt_ms);
  return w.finish(std::nullopt);
}

} // namespace nexus::wire
