// Encoders of the collaboration frames (§5.1–§5.4). A small writer of our
// own rather than json_writer: state values are embedded as raw JSON text.
#include "transport/frame_encoders_collab.hpp"

#include "transport/iso8601.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string_view>
#include <vector>

namespace nexus::wire {
namespace {

class writer {
public:
  explicit writer(std::string_view type) {
    w_.StartObject();
    str_field("type", type);
  }
  void key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
  void str(std::string_view s) { w_.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }
  void str_field(std::string_view k, std::string_view v) {
    key(k);
    str(v);
  }
  void str_or_null_field(std::string_view k, const std::optional<std::string>& v) {
    key(k);
    if (v)
      str(*v);
    else
      w_.Null();
  }
  void raw_field(std::string_view k, const std::string& json) {
    key(k);
    w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
  }
  void null_field(std::string_view k) {
    key(k);
    w_.Null();
  }
  void bool_field(std::string_view k, bool v) {
    key(k);
    w_.Bool(v);
  }
  void time_field(std::string_view k, int64_t ms) { str_field(k, iso8601_ms(ms)); }
  void strings_field(std::string_view k, const std::vector<std::string>& v) {
    key(k);
    w_.StartArray();
    for (const auto& s : v)
      str(s);
    w_.EndArray();
  }
  void begin_array(std::string_view k) {
    key(k);
    w_.StartArray();
  }
  void end_array() { w_.EndArray(); }
  void begin_object() { w_.StartObject(); }
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

void state_fields(writer& w, const state_entry& e) {
  w.str_field("key", e.key);
  w.raw_field("value", e.value_json);
  w.str_field("updatedBy", e.updatedBy);
  w.time_field("updatedAt", e.updatedAt_ms);
}

} // namespace

std::string encode_state_change(const state_change_frame& f) {
  writer w("state_change");
  w.str_field("key", f.key);
  if (f.value_text)
    w.str_field("value", *f.value_text);
  else
    w.raw_field("value", f.value_json);
  w.str_field("updatedBy", f.updatedBy);
  return w.finish(std::nullopt);
}

std::string encode_state_result(const state_result_frame& f) {
  writer w("state_result");
  if (f.entry) {
    state_fields(w, *f.entry);
  } else { // §5.1 missing key: the requested key, value null, empty strings
    w.str_field("key", f.key);
    w.null_field("value");
    w.str_field("updatedBy", "");
    w.str_field("updatedAt", "");
  }
  return w.finish(f.req_id);
}

std::string encode_state_list(const state_list_frame& f) {
  writer w("state_list");
  w.begin_array("entries");
  for (const auto& e : f.entries) {
    w.begin_object();
    state_fields(w, e);
    w.end_object();
  }
  w.end_array();
  return w.finish(f.req_id);
}

std::string encode_memory_stored(const memory_stored_frame& f) {
  writer w("memory_stored");
  w.str_field("id", f.id);
  w.str_field("memoryId", f.id); // deviation 28
  return w.finish(f.req_id);
}

std::string encode_memory_results(const memory_results_frame& f) {
  writer w("memory_results");
  w.begin_array("memories");
  for (const auto& m : f.memories) {
    w.begin_object();
    w.str_field("id", m.id);
    w.str_field("content", m.content);
    w.strings_field("tags", m.tags);
    w.str_field("rememberedBy", m.rememberedBy);
    w.time_field("rememberedAt", m.rememberedAt_ms);
    w.end_object();
  }
  w.end_array();
  return w.finish(f.req_id);
}

std::string encode_forget_ack(const forget_ack_frame& f) {
  writer w("ack");
  w.str_field("id", f.memoryId);
  w.str_field("messageId", f.memoryId);
  w.bool_field("queued", false);
  return w.finish(f.req_id);
}

std::string encode_task_created(const task_created_frame& f) {
  writer w("task_created");
  w.str_field("id", f.id);
  return w.finish(f.req_id);
}

std::string encode_task_list(const task_list_frame& f) {
  writer w("task_list");
  w.begin_array("tasks");
  for (const auto& t : f.tasks) {
    w.begin_object();
    w.str_field("id", t.id);
    w.str_field("title", t.title);
    w.str_or_null_field("assignee", t.assignee);
    w.str_or_null_field("claimedBy", t.claimedBy);
    w.str_field("status", t.status);
    w.str_field("priority", t.priority);
    w.str_or_null_field("createdBy", t.createdBy);
    w.strings_field("tags", t.tags);
    w.time_field("createdAt", t.createdAt_ms);
    if (t.result)
      w.str_field("result", *t.result);
    w.end_object();
  }
  w.end_array();
  return w.finish(f.req_id);
}

std::string encode_context_shared(const context_shared_frame& f) {
  writer w("context_shared");
  w.str_field("id", f.id);
  return w.finish(std::nullopt); // §12: no _reqId
}

std::string encode_context_list(const context_list_frame& f) {
  writer w(f.full ? "context_results" : "context_list");
  w.begin_array("contexts");
  for (const auto& c : f.contexts) {
    w.begin_object();
    w.str_field("peerName", c.peerName);
    w.str_field("summary", c.summary);
    if (f.full) {
      w.strings_field("filesRead", c.filesRead);
      w.strings_field("keyFindings", c.keyFindings);
    }
    w.strings_field("tags", c.tags);
    w.time_field("updatedAt", c.updatedAt_ms);
    w.end_object();
  }
  w.end_array();
  return w.finish(f.req_id);
}

} // namespace nexus::wire
