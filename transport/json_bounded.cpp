#include "transport/json_bounded.hpp"

#include <rapidjson/memorystream.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/reader.h>

#include <cstring>

namespace nexus::wire {
namespace {

/// SAX filter in front of the DOM builder: forwards every event and refuses
/// (stops the reader) the first container beyond the depth bound.
template <class Next>
class depth_guard {
public:
  depth_guard(Next& next, int64_t depth_max) : next_(next), depth_max_(depth_max) {}

  bool too_deep() const { return too_deep_; }

  bool Null() { return next_.Null(); }
  bool Bool(bool b) { return next_.Bool(b); }
  bool Int(int i) { return next_.Int(i); }
  bool Uint(unsigned u) { return next_.Uint(u); }
  bool Int64(int64_t i) { return next_.Int64(i); }
  bool Uint64(uint64_t u) { return next_.Uint64(u); }
  bool Double(double d) { return next_.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) {
    return next_.RawNumber(s, n, copy);
  }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return next_.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return next_.Key(s, n, copy); }
  bool StartObject() { return enter() && next_.StartObject(); }
  bool EndObject(rapidjson::SizeType n) {
    --depth_;
    return next_.EndObject(n);
  }
  bool StartArray() { return enter() && next_.StartArray(); }
  bool EndArray(rapidjson::SizeType n) {
    --depth_;
    return next_.EndArray(n);
  }

private:
  bool enter() {
    if (++depth_ > depth_max_) {
      too_deep_ = true;
      return false;
    }
    return true;
  }

  Next& next_;
  int64_t depth_max_;
  int64_t depth_ = 0;
  bool too_deep_ = false;
};

} // namespace

json_parse_status parse_bounded(std::string_view text, int64_t depth_max,
                                rapidjson::Document& doc) {
  doc.SetNull();
  // Valid JSON never contains a raw NUL (not even inside strings), but the
  // reader would take one as end of input and accept "{}\0garbage".
  if (text.empty() || std::memchr(text.data(), '\0', text.size()) != nullptr)
    return json_parse_status::not_json;

  constexpr unsigned flags = rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag;
  rapidjson::MemoryStream ms(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> in(ms);
  rapidjson::Reader reader;
  bool too_deep = false;
  auto generate = [&](rapidjson::Document& handler) {
    depth_guard<rapidjson::Document> guard(handler, depth_max);
    bool ok = !reader.Parse<flags>(in, guard).IsError();
    too_deep = guard.too_deep();
    return ok;
  };
  doc.Populate(generate);
  if (reader.HasParseError()) {
    doc.SetNull();
    return too_deep ? json_parse_status::too_deep : json_parse_status::not_json;
  }
  return json_parse_status::ok;
}

} // namespace nexus::wire
