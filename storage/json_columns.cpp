#include "storage/json_columns.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace nexus::storage {
namespace {

bool parse(const std::string& json, rapidjson::Document& doc) {
  doc.Parse(json.c_str(), json.size());
  return !doc.HasParseError();
}

std::string value_to_json(const rapidjson::Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return buf.GetString();
}

} // namespace

group_list groups_from_json(const std::string& json) {
  group_list out;
  rapidjson::Document doc;
  if (!parse(json, doc) || !doc.IsArray())
    return out;
  for (const auto& g : doc.GetArray()) {
    if (!g.IsObject() || !g.HasMember("name") || !g["name"].IsString())
      continue;
    std::optional<std::string> role;
    if (g.HasMember("role") && g["role"].IsString() && g["role"].GetStringLength() > 0)
      role = g["role"].GetString();
    out.emplace_back(g["name"].GetString(), role);
  }
  return out;
}

std::string groups_to_json(const group_list& groups) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (const auto& [name, role] : groups) {
    w.StartObject();
    w.Key("name");
    w.String(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
    if (role) {
      w.Key("role");
      w.String(role->c_str(), static_cast<rapidjson::SizeType>(role->size()));
    }
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

std::optional<std::map<std::string, std::vector<std::string>>> grants_from_json(
    const std::string& json) {
  rapidjson::Document doc;
  if (!parse(json, doc) || !doc.IsObject() || doc.MemberCount() == 0)
    return std::nullopt;
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& m : doc.GetObject()) {
    auto& caps = out[m.name.GetString()];
    if (m.value.IsArray())
      for (const auto& c : m.value.GetArray())
        if (c.IsString())
          caps.emplace_back(c.GetString());
  }
  return out;
}

std::vector<std::string> strings_from_json_array(const std::optional<std::string>& json) {
  std::vector<std::string> out;
  rapidjson::Document doc;
  if (!json || !parse(*json, doc) || !doc.IsArray())
    return out;
  for (const auto& v : doc.GetArray())
    if (v.IsString())
      out.emplace_back(v.GetString(), v.GetStringLength());
  return out;
}

string_map strings_from_json(const std::string& json) {
  string_map out;
  rapidjson::Document doc;
  if (!parse(json, doc) || !doc.IsObject())
    return out;
  for (const auto& m : doc.GetObject())
    out[m.name.GetString()] = m.value.IsString() ? m.value.GetString() : value_to_json(m.value);
  return out;
}

std::string strings_to_json(const string_map& values) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (const auto& [k, v] : values) {
    w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  }
  w.EndObject();
  return buf.GetString();
}

number_map numbers_from_json(const std::string& json) {
  number_map out;
  rapidjson::Document doc;
  if (!parse(json, doc) || !doc.IsObject())
    return out;
  for (const auto& m : doc.GetObject())
    if (m.value.IsInt64())
      out[m.name.GetString()] = m.value.GetInt64();
  return out;
}

std::string numbers_to_json(const number_map& values) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  for (const auto& [k, v] : values) {
    w.Key(k.c_str(), static_cast<rapidjson::SizeType>(k.size()));
    w.Int64(v);
  }
  w.EndObject();
  return buf.GetString();
}

} // namespace nexus::storage
