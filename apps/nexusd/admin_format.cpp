#include "apps/nexusd/admin_format.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace nexus::admin_cli {

namespace {

using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

void put(json_writer& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

void put_member_fields(json_writer& w, const storage::member_row& m) {
  put(w, "id", m.id);
  put(w, "meshId", m.mesh_id);
  put(w, "pubkey", m.peer_pubkey);
  put(w, "displayName", m.display_name);
  put(w, "role", m.role);
  put(w, "status", m.revoked() ? "revoked" : "active");
  put(w, "createdAt", iso_utc_ms(m.created_ms));
  w.Key("revokedAt");
  if (m.revoked_ms)
    w.String(iso_utc_ms(*m.revoked_ms).c_str());
  else
    w.Null();
}

/// Display width in terminal columns, approximated by UTF-8 characters.
size_t width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    n += (c & 0xC0) != 0x80;
  return n;
}

std::string pad(const std::string& s, size_t to) {
  return s + std::string(to > width(s) ? to - width(s) : 0, ' ');
}

/// "  label   value\n" lines with the values aligned.
std::string fields(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t w = 0;
  for (auto& r : rows)
    w = std::max(w, r.first.size());
  std::string out;
  for (auto& r : rows)
    out += "  " + pad(r.first, w) + "  " + r.second + "\n";
  return out;
}

} // namespace

std::string iso_utc_ms(int64_t ms) {
  int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000; // floor for pre-1970 values
  auto millis = static_cast<int>(ms - secs * 1000);
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96]; // room for any int the compiler can imagine; real output is 24 chars
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string mesh_json(const storage::mesh_row& mesh, const std::string& owner_key_file,
                      const std::string& owner_member_id) {
  rapidjson::StringBuffer buf;
  json_writer w(buf);
  w.StartObject();
  put(w, "id", mesh.id);
  put(w, "name", mesh.name);
  w.Key("slug");
  if (mesh.slug)
    w.String(mesh.slug->c_str());
  else
    w.Null();
  put(w, "ownerPubkey", mesh.owner_pubkey);
  put(w, "ownerMemberId", owner_member_id);
  put(w, "ownerKeyFile", owner_key_file);
  put(w, "createdAt", iso_utc_ms(mesh.created_ms));
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string mesh_text(const storage::mesh_row& mesh, const std::string& owner_key_file,
                      const std::string& owner_member_id) {
  return "mesh created\n" +
         fields({{"id", mesh.id},
                 {"name", mesh.name},
                 {"owner pubkey", mesh.owner_pubkey},
                 {"owner member", owner_member_id + "  (admin)"},
                 {"owner key file", owner_key_file + "  (owner secret key, mode 0600: keep it safe)"},
                 {"created", iso_utc_ms(mesh.created_ms)}});
}

std::string member_json(const storage::member_row& m) {
  rapidjson::StringBuffer buf;
  json_writer w(buf);
  w.StartObject();
  put_member_fields(w, m);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string member_text(const storage::member_row& m, const std::string& headline) {
  std::vector<std::pair<std::string, std::string>> rows = {
      {"id", m.id},     {"mesh", m.mesh_id},
      {"name", m.display_name}, {"pubkey", m.peer_pubkey},
      {"role", m.role}, {"added", iso_utc_ms(m.created_ms)}};
  if (m.revoked_ms)
    rows.emplace_back("revoked", iso_utc_ms(*m.revoked_ms));
  return headline + "\n" + fields(rows);
}

std::string members_json(const std::string& mesh_id, const std::vector<storage::member_row>& ms) {
  rapidjson::StringBuffer buf;
  json_writer w(buf);
  w.StartObject();
  put(w, "meshId", mesh_id);
  w.Key("members");
  w.StartArray();
  for (auto& m : ms) {
    w.StartObject();
    put_member_fields(w, m);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize()) + "\n";
}

std::string members_text(const std::string& mesh_id, const std::vector<storage::member_row>& ms) {
  size_t active = 0;
  for (auto& m : ms)
    active += !m.revoked();
  std::string out = "mesh " + mesh_id + ": " + std::to_string(ms.size()) +
                    (ms.size() == 1 ? " member" : " members") + " (" + std::to_string(active) +
                    " active)\n";
  if (ms.empty())
    return out;
  std::vector<std::vector<std::string>> table = {{"ID", "NAME", "ROLE", "STATUS", "PUBKEY", "ADDED"}};
  for (auto& m : ms)
    table.push_back({m.id, m.display_name, m.role, m.revoked() ? "revoked" : "active",
                     m.peer_pubkey, iso_utc_ms(m.created_ms)});
  std::vector<size_t> w(table[0].size(), 0);
  for (auto& row : table)
    for (size_t c = 0; c < row.size(); ++c)
      w[c] = std::max(w[c], width(row[c]));
  for (auto& row : table) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c)
      line += c + 1 < row.size() ? pad(row[c], w[c]) + "  " : row[c];
    out += line + "\n";
  }
  return out;
}

} // namespace nexus::admin_cli
