#include "apps/nexus/inbox_store.hpp"

#include "client/json_read.hpp"
#include "transport/json_writer.hpp"

#include <rapidjson/document.h>

#include <algorithm>
#include <set>
#include <sstream>

namespace nexus::cli {
namespace {

std::string line_of(const client::inbound_message& m) {
  wire::json_writer w;
  w.begin_object();
  w.str_field("messageId", m.messageId);
  w.str_field("senderName", m.senderName);
  w.str_field("senderPubkey", m.senderPubkey);
  w.str_field("senderMemberPubkey", m.senderMemberPubkey);
  w.str_field("priority", m.priority);
  w.str_field("kind", m.kind);
  w.opt_str_field("text", m.text);
  w.opt_str_field("subtype", m.subtype);
  w.opt_str_field("topic", m.topic);
  w.int_field("createdAt", m.createdAt_ms);
  w.int_field("receivedAt", m.receivedAt_ms);
  w.end_object();
  return w.take();
}

std::vector<client::inbound_message> read_inbox(const home& h, const std::string& mesh_id) {
  std::vector<client::inbound_message> out;
  const std::string path = h.mesh_file(mesh_id, "inbox.jsonl");
  auto text = read_file(path);
  if (!text)
    return out;
  require_private(path);
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    rapidjson::Document d;
    d.Parse(line.c_str(), line.size());
    if (d.HasParseError() || !d.IsObject())
      continue; // a torn line from a crash: skip it, keep the rest
    client::inbound_message m;
    m.messageId = client::json::str(d, "messageId");
    m.senderName = client::json::str(d, "senderName");
    m.senderPubkey = client::json::str(d, "senderPubkey");
    m.senderMemberPubkey = client::json::str(d, "senderMemberPubkey");
    m.priority = client::json::str(d, "priority");
    m.kind = client::json::str(d, "kind");
    if (d.HasMember("text") && d["text"].IsString())
      m.text = client::json::str(d, "text");
    if (d.HasMember("subtype") && d["subtype"].IsString())
      m.subtype = client::json::str(d, "subtype");
    if (d.HasMember("topic") && d["topic"].IsString())
      m.topic = client::json::str(d, "topic");
    m.createdAt_ms = d.HasMember("createdAt") && d["createdAt"].IsInt64() ? d["createdAt"].GetInt64() : 0;
    m.receivedAt_ms = d.HasMember("receivedAt") && d["receivedAt"].IsInt64() ? d["receivedAt"].GetInt64() : 0;
    out.push_back(std::move(m));
  }
  return out;
}

void write_inbox(const home& h, const std::string& mesh_id,
                 const std::vector<client::inbound_message>& msgs) {
  std::string text;
  for (const auto& m : msgs)
    text += line_of(m) + "\n";
  write_private_file(h.mesh_file(mesh_id, "inbox.jsonl"), text);
}

} // namespace

void inbox_append(const home& h, const std::string& mesh_id,
                  const std::vector<client::inbound_message>& msgs, int64_t max_messages) {
  if (msgs.empty())
    return;
  auto all = read_inbox(h, mesh_id);
  std::set<std::string> ids;
  for (const auto& m : all)
    ids.insert(m.messageId);
  for (const auto& m : msgs)
    if (m.messageId.empty() || ids.insert(m.messageId).second)
      all.push_back(m);
  if (static_cast<int64_t>(all.size()) > max_messages)
    all.erase(all.begin(), all.end() - max_messages);
  write_inbox(h, mesh_id, all);
}

std::vector<client::inbound_message> inbox_take(const home& h, const std::string& mesh_id) {
  auto all = read_inbox(h, mesh_id);
  if (!all.empty())
    write_inbox(h, mesh_id, {});
  return all;
}

void peers_remember(const home& h, const std::string& mesh_id, const std::vector<peer_entry>& peers) {
  auto known = peers_known(h, mesh_id);
  for (const auto& p : peers) {
    known.erase(std::remove_if(known.begin(), known.end(),
                               [&](const known_peer& k) { return k.member_pubkey == p.memberPubkey; }),
                known.end());
    known.push_back({p.displayName, p.pubkey, p.memberPubkey});
  }
  wire::json_writer w;
  w.begin_object();
  w.int_field("schema_version", 1);
  w.key("peers");
  w.begin_array();
  for (const auto& k : known) {
    w.begin_object();
    w.str_field("name", k.name);
    w.str_field("pubkey", k.pubkey);
    w.str_field("memberPubkey", k.member_pubkey);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  write_private_file(h.mesh_file(mesh_id, "peers.json"), w.take() + "\n");
}

std::vector<known_peer> peers_known(const home& h, const std::string& mesh_id) {
  std::vector<known_peer> out;
  auto text = read_file(h.mesh_file(mesh_id, "peers.json"));
  if (!text)
    return out;
  rapidjson::Document d;
  d.Parse(text->c_str(), text->size());
  if (d.HasParseError() || !d.IsObject() || !d.HasMember("peers") || !d["peers"].IsArray())
    return out;
  for (const auto& p : d["peers"].GetArray())
    if (p.IsObject())
      out.push_back({client::json::str(p, "name"), client::json::str(p, "pubkey"), client::json::str(p, "memberPubkey")});
  return out;
}

} // namespace nexus::cli
