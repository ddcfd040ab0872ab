// Decoding of the collaboration frames (§5.1–§5.4) into collab_frame, with
// field_reader's rule set (frames_collab.hpp). One small function per type.
#include "transport/frame_decode.hpp"

#include "transport/frames_collab.hpp"
#include "transport/json_fields.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace nexus::wire {
namespace {

bool has_nul(const std::string& s) { return s.find('\0') != std::string::npos; }

/// PostgreSQL text cannot hold NUL ("\u0000" in a JSON string): refuse the
/// frame rather than let the value be cut short in storage.
void refuse_nul(field_reader& r, const char* name, const std::string& s) {
  if (has_nul(s))
    r.fail(name, "must not contain a NUL character");
}
void refuse_nul(field_reader& r, const char* name, const std::optional<std::string>& s) {
  if (s)
    refuse_nul(r, name, *s);
}
void refuse_nul(field_reader& r, const char* name, const std::vector<std::string>& v) {
  if (std::any_of(v.begin(), v.end(), has_nul))
    r.fail(name, "must not contain a NUL character");
}

std::string required(field_reader& r, const char* name) {
  auto s = r.required_string(name);
  refuse_nul(r, name, s);
  return s;
}
std::optional<std::string> optional(field_reader& r, const char* name) {
  auto s = r.optional_string(name);
  refuse_nul(r, name, s);
  return s;
}
std::vector<std::string> strings(field_reader& r, const char* name) {
  auto v = r.optional_string_array(name).value_or(std::vector<std::string>{});
  refuse_nul(r, name, v);
  return v;
}

template <class Frame>
frame_payload result(const field_reader& r, Frame&& f) {
  if (!r.ok())
    return *r.error();
  return frame_payload(collab_frame{collab_request(std::forward<Frame>(f))});
}

/// Compact JSON text of a value the frame parser already validated and
/// depth-bounded.
std::string json_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

frame_payload set_state(const rapidjson::Value& frame) {
  field_reader r(frame, "set_state");
  set_state_frame f;
  f.key = required(r, "key");
  if (const auto* v = r.get("value"); v != nullptr && !v->IsNull())
    f.value_json = json_text(*v);
  return result(r, std::move(f));
}

frame_payload get_state(const rapidjson::Value& frame) {
  field_reader r(frame, "get_state");
  get_state_frame f;
  f.key = required(r, "key");
  return result(r, std::move(f));
}

frame_payload remember(const rapidjson::Value& frame) {
  field_reader r(frame, "remember");
  remember_frame f;
  f.content = required(r, "content");
  f.tags = strings(r, "tags");
  return result(r, std::move(f));
}

frame_payload recall(const rapidjson::Value& frame) {
  field_reader r(frame, "recall");
  recall_frame f;
  f.query = required(r, "query");
  return result(r, std::move(f));
}

frame_payload forget(const rapidjson::Value& frame) {
  field_reader r(frame, "forget");
  forget_frame f;
  f.memoryId = required(r, "memoryId");
  return result(r, std::move(f));
}

frame_payload create_task(const rapidjson::Value& frame) {
  field_reader r(frame, "create_task");
  create_task_frame f;
  f.title = required(r, "title");
  f.assignee = optional(r, "assignee");
  if (auto p = optional(r, "priority"))
    f.priority = std::move(*p);
  f.tags = strings(r, "tags");
  return result(r, std::move(f));
}

frame_payload claim_task(const rapidjson::Value& frame) {
  field_reader r(frame, "claim_task");
  claim_task_frame f;
  f.taskId = required(r, "taskId");
  return result(r, std::move(f));
}

frame_payload complete_task(const rapidjson::Value& frame) {
  field_reader r(frame, "complete_task");
  complete_task_frame f;
  f.taskId = required(r, "taskId");
  f.result = optional(r, "result");
  return result(r, std::move(f));
}

frame_payload list_tasks(const rapidjson::Value& frame) {
  field_reader r(frame, "list_tasks");
  list_tasks_frame f;
  f.status = optional(r, "status");
  f.assignee = optional(r, "assignee");
  return result(r, std::move(f));
}

frame_payload share_context(const rapidjson::Value& frame) {
  field_reader r(frame, "share_context");
  share_context_frame f;
  f.summary = r.string_or_empty("summary");
  refuse_nul(r, "summary", f.summary);
  f.filesRead = strings(r, "filesRead");
  f.keyFindings = strings(r, "keyFindings");
  f.tags = strings(r, "tags");
  return result(r, std::move(f));
}

frame_payload get_context(const rapidjson::Value& frame) {
  field_reader r(frame, "get_context");
  get_context_frame f;
  f.query = required(r, "query");
  return result(r, std::move(f));
}

} // namespace

std::optional<frame_payload> decode_collab(std::string_view type, const rapidjson::Value& frame) {
  if (type == "set_state")
    return set_state(frame);
  if (type == "get_state")
    return get_state(frame);
  if (type == "list_state")
    return frame_payload(collab_frame{list_state_frame{}});
  if (type == "remember")
    return remember(frame);
  if (type == "recall")
    return recall(frame);
  if (type == "forget")
    return forget(frame);
  if (type == "create_task")
    return create_task(frame);
  if (type == "claim_task")
    return claim_task(frame);
  if (type == "complete_task")
    return complete_task(frame);
  if (type == "list_tasks")
    return list_tasks(frame);
  if (type == "share_context")
    return share_context(frame);
  if (type == "get_context")
    return get_context(frame);
  if (type == "list_contexts")
    return frame_payload(collab_frame{list_contexts_frame{}});
  return std::nullopt;
}

} // namespace nexus::wire
