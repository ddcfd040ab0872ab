#include "storage/identity_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nexus::storage {
namespace {

using writer = rapidjson::Writer<rapidjson::StringBuffer>;

bool parse(const std::optional<std::string>& json, rapidjson::Document& doc) {
  if (!json)
    return false;
  doc.Parse(json->c_str(), json->size());
  return !doc.HasParseError() && doc.IsObject();
}

void put(writer& w, const std::string& s) {
  w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
}

void put_field(writer& w, const char* key, const std::optional<std::string>& v) {
  if (!v)
    return;
  w.Key(key);
  put(w, *v);
}

std::optional<std::string> string_member(const rapidjson::Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || !it->value.IsString())
    return std::nullopt;
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

} // namespace

bool_map bools_from_json(const std::optional<std::string>& json) {
  bool_map out;
  rapidjson::Document doc;
  if (!parse(json, doc))
    return out;
  for (const auto& m : doc.GetObject())
    if (m.value.IsBool())
      out[m.name.GetString()] = m.value.GetBool();
  return out;
}

std::string bools_to_json(const bool_map& values) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  for (const auto& [k, v] : values) {
    w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
    w.Bool(v);
  }
  w.EndObject();
  return buf.GetString();
}

std::string grants_to_json(const std::map<std::string, std::vector<std::string>>& grants) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  for (const auto& [peer, caps] : grants) {
    w.Key(peer.c_str(), static_cast<rapidjson::SizeType>(peer.size()));
    w.StartArray();
    for (const auto& c : caps)
      put(w, c);
    w.EndArray();
  }
  w.EndObject();
  return buf.GetString();
}

invite_preset preset_from_json(const std::optional<std::string>& json) {
  invite_preset p;
  rapidjson::Document doc;
  if (!parse(json, doc))
    return p;
  p.display_name = string_member(doc, "displayName");
  p.role_tag = string_member(doc, "roleTag");
  p.message_mode = string_member(doc, "messageMode");
  if (auto it = doc.FindMember("groups"); it != doc.MemberEnd() && it->value.IsArray()) {
    rapidjson::StringBuffer buf;
    writer w(buf);
    it->value.Accept(w);
    p.groups = groups_from_json(buf.GetString());
  }
  return p;
}

std::string preset_to_json(const invite_preset& preset) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  put_field(w, "displayName", preset.display_name);
  put_field(w, "roleTag", preset.role_tag);
  put_field(w, "messageMode", preset.message_mode);
  if (preset.groups) {
    w.Key("groups");
    auto text = groups_to_json(*preset.groups);
    w.RawValue(text.c_str(), text.size(), rapidjson::kArrayType);
  }
  w.EndObject();
  return buf.GetString();
}

std::optional<capability_v2> capability_from_json(const std::string& json) {
  rapidjson::Document doc;
  if (!parse(json, doc))
    return std::nullopt;
  auto canonical = string_member(doc, "canonical");
  auto signature = string_member(doc, "signature");
  if (!canonical || !signature)
    return std::nullopt;
  return capability_v2{std::move(*canonical), std::move(*signature)};
}

std::string capability_to_json(const capability_v2& capability) {
  rapidjson::StringBuffer buf;
  writer w(buf);
  w.StartObject();
  w.Key("canonical");
  put(w, capability.canonical);
  w.Key("signature");
  put(w, capability.signature);
  w.EndObject();
  return buf.GetString();
}

} // namespace nexus::storage
