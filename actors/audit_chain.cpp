// The hash chain's pure code; see audit_chain.hpp.
#include "actors/audit_chain.hpp"

#include "crypto/sha256.hpp"
#include "transport/iso8601.hpp"

#include <rapidjson/error/en.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

namespace nexus::audit {
namespace {

/// UTF-16 code units of a UTF-8 string, for JavaScript's key order (which
/// differs from byte order where astral characters meet U+E000–U+FFFF).
/// Malformed bytes count as one unit each (never produced by the parser).
std::u16string utf16_of(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      out.push_back(c);
      ++i;
      continue;
    }
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (size_t k = 1; k < len; ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
    i += len;
  }
  return out;
}

/// Sorts members by key in UTF-16 order; of equal keys the last one given
/// wins (stable sort, then keep the last of each run).
std::string object_of(std::vector<std::pair<std::string, std::string>> members) {
  std::vector<std::pair<std::u16string, size_t>> order;
  order.reserve(members.size());
  for (size_t i = 0; i < members.size(); ++i)
    order.emplace_back(utf16_of(members[i].first), i);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "{";
  bool first = true;
  for (size_t i = 0; i < order.size(); ++i) {
    if (i + 1 < order.size() && order[i + 1].first == order[i].first)
      continue; // a later duplicate wins
    const auto& [key, value] = members[order[i].second];
    if (!first)
      out += ',';
    first = false;
    out += canonical_string(key);
    out += ':';
    out += value;
  }
  out += '}';
  return out;
}

} // namespace

std::string canonical_string(std::string_view utf8) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(utf8.size() + 2);
  out += '"';
  for (char ch : utf8) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string canonical_number(double v) {
  if (!std::isfinite(v))
    return "null";
  if (v == 0)
    return "0"; // also -0, as JavaScript prints it
  if (v < 0)
    return "-" + canonical_number(-v);
  // Shortest round-trip digits d.ddd and exponent, then ECMA-262
  // Number::toString's layout rules (n = exponent + 1, k = digit count).
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  auto e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos))
    if (c != '.')
      digits += c;
  int exponent = std::atoi(std::string(sci.substr(e_pos + 1)).c_str());
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;
  if (k <= n && n <= 21)
    return digits + std::string(static_cast<size_t>(n - k), '0');
  if (0 < n && n <= 21)
    return digits.substr(0, static_cast<size_t>(n)) + "." + digits.substr(static_cast<size_t>(n));
  if (-6 < n && n <= 0)
    return "0." + std::string(static_cast<size_t>(-n), '0') + digits;
  std::string out = digits.substr(0, 1);
  if (k > 1)
    out += "." + digits.substr(1);
  out += n - 1 >= 0 ? "e+" : "e-";
  out += std::to_string(std::abs(n - 1));
  return out;
}

std::string canonical_json(const rapidjson::Value& v) {
  switch (v.GetType()) {
    case rapidjson::kNullType: return "null";
    case rapidjson::kFalseType: return "false";
    case rapidjson::kTrueType: return "true";
    case rapidjson::kStringType: return canonical_string({v.GetString(), v.GetStringLength()});
    case rapidjson::kNumberType:
      if (v.IsInt64())
        return std::to_string(v.GetInt64());
      if (v.IsUint64())
        return std::to_string(v.GetUint64());
      return canonical_number(v.GetDouble());
    case rapidjson::kArrayType: {
      std::string out = "[";
      bool first = true;
      for (const auto& e : v.GetArray()) {
        if (!first)
          out += ',';
        first = false;
        out += canonical_json(e);
      }
      return out + "]";
    }
    case rapidjson::kObjectType: {
      std::vector<std::pair<std::string, std::string>> members;
      for (const auto& m : v.GetObject())
        members.emplace_back(std::string(m.name.GetString(), m.name.GetStringLength()),
                             canonical_json(m.value));
      return object_of(std::move(members));
    }
  }
  return "null";
}

std::optional<std::string> canonical_json(std::string_view json_text) {
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseFullPrecisionFlag>(json_text.data(), json_text.size());
  if (doc.HasParseError())
    return std::nullopt;
  return canonical_json(static_cast<const rapidjson::Value&>(doc));
}

payload_builder& payload_builder::string(std::string key, std::string_view value) {
  members_.emplace_back(std::move(key), canonical_string(value));
  return *this;
}

payload_builder& payload_builder::boolean(std::string key, bool value) {
  members_.emplace_back(std::move(key), value ? "true" : "false");
  return *this;
}

payload_builder& payload_builder::raw(std::string key, std::string canonical_value) {
  members_.emplace_back(std::move(key), std::move(canonical_value));
  return *this;
}

payload_builder& payload_builder::strings(std::string key, const std::vector<std::string>& values) {
  std::string out = "[";
  for (size_t i = 0; i < values.size(); ++i)
    out += (i ? "," : "") + canonical_string(values[i]);
  members_.emplace_back(std::move(key), out + "]");
  return *this;
}

std::string payload_builder::str() const { return object_of(members_); }

std::string chain_input(const link_fields& f) {
  std::string in;
  in.reserve(f.prev_hash.size() + f.mesh_id.size() + f.event_type.size() +
             f.canonical_payload.size() + 128);
  in.append(f.prev_hash).append("|").append(f.mesh_id).append("|").append(f.event_type).append("|");
  in.append(f.actor_member_id ? *f.actor_member_id : std::string_view("null")).append("|");
  in.append(f.canonical_payload).append("|").append(wire::iso8601_ms(f.created_ms));
  return in;
}

std::string chain_hash(const link_fields& f) { return crypto::sha256_hex(chain_input(f)); }

bool chain_verifier::feed(const stored_entry& e) {
  if (broken_at_)
    return false;
  ++checked_;
  auto payload = canonical_json(e.payload_json);
  bool ok = payload && e.prev_hash == expected_prev_;
  if (ok) {
    link_fields f{e.prev_hash, mesh_id_, e.event_type, std::nullopt, *payload, e.created_ms};
    if (e.actor_member_id)
      f.actor_member_id = *e.actor_member_id;
    ok = chain_hash(f) == e.hash;
  }
  if (!ok) {
    broken_at_ = e.id;
    return false;
  }
  expected_prev_ = e.hash;
  return true;
}

} // namespace nexus::audit
