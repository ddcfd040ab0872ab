// Decoding of the stream, mesh_info and clock frames (§5.5, §5.7, §5.8) into
// mesh_op_frame, with field_reader's rule set (frames_mesh_ops.hpp).
#include "transport/frame_decode.hpp"

#include "transport/frames_mesh_ops.hpp"
#include "transport/json_fields.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <cstdlib>

namespace nexus::wire {
namespace {

template <class Frame>
frame_payload result(const field_reader& r, Frame&& f) {
  if (!r.ok())
    return *r.error();
  return frame_payload(mesh_op_frame{mesh_op(std::forward<Frame>(f))});
}

/// A stream name: a string without NUL (PostgreSQL text cannot hold one).
std::string name(field_reader& r, const char* field) {
  auto s = r.required_string(field);
  if (s.find('\0') != std::string::npos)
    r.fail(field, "must not contain a NUL character");
  return s;
}

std::string json_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

/// JavaScript's Number(s) for a string: surrounding white space ignored,
/// "" → 0, otherwise the whole rest must parse.
std::optional<double> number_of_string(std::string s) {
  auto space = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && space(static_cast<unsigned char>(s.back())))
    s.pop_back();
  size_t start = 0;
  while (start < s.size() && space(static_cast<unsigned char>(s[start])))
    ++start;
  s.erase(0, start);
  if (s.empty())
    return 0.0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size())
    return std::nullopt;
  return v;
}

frame_payload create_stream(const rapidjson::Value& frame) {
  field_reader r(frame, "create_stream");
  create_stream_frame f;
  f.name = name(r, "name");
  return result(r, std::move(f));
}

frame_payload subscribe(const rapidjson::Value& frame) {
  field_reader r(frame, "subscribe");
  subscribe_frame f;
  f.stream = name(r, "stream");
  return result(r, std::move(f));
}

frame_payload unsubscribe(const rapidjson::Value& frame) {
  field_reader r(frame, "unsubscribe");
  unsubscribe_frame f;
  f.stream = name(r, "stream");
  return result(r, std::move(f));
}

frame_payload publish(const rapidjson::Value& frame) {
  field_reader r(frame, "publish");
  publish_frame f;
  f.stream = name(r, "stream");
  if (const auto* v = r.get("data"))
    f.data_json = json_text(*v);
  return result(r, std::move(f));
}

frame_payload set_clock(const rapidjson::Value& frame) {
  field_reader r(frame, "set_clock");
  set_clock_frame f;
  if (const auto* v = r.get("speed")) {
    if (v->IsNumber())
      f.speed = v->GetDouble();
    else if (v->IsString())
      f.speed = number_of_string(std::string(v->GetString(), v->GetStringLength()));
    else if (v->IsTrue())
      f.speed = 1.0;
  }
  return result(r, std::move(f));
}

} // namespace

std::optional<frame_payload> decode_mesh_op(std::string_view type, const rapidjson::Value& frame) {
  if (type == "create_stream")
    return create_stream(frame);
  if (type == "subscribe")
    return subscribe(frame);
  if (type == "unsubscribe")
    return unsubscribe(frame);
  if (type == "publish")
    return publish(frame);
  if (type == "list_streams")
    return frame_payload(mesh_op_frame{list_streams_frame{}});
  if (type == "mesh_info")
    return frame_payload(mesh_op_frame{mesh_info_frame{}});
  if (type == "set_clock")
    return set_clock(frame);
  if (type == "pause_clock")
    return frame_payload(mesh_op_frame{pause_clock_frame{}});
  if (type == "resume_clock")
    return frame_payload(mesh_op_frame{resume_clock_frame{}});
  if (type == "get_clock")
    return frame_payload(mesh_op_frame{get_clock_frame{}});
  return std::nullopt;
}

} // namespace nexus::wire
