#include "mcp/tool_format.hpp"

#include "transport/json_writer.hpp"

namespace nexus::mcp::format {
namespace {

using wire::json_writer;

void groups(json_writer& w, const std::vector<hello_group>& gs) { w.groups_field("groups", gs); }

} // namespace

std::string peers(const std::vector<peer_entry>& ps) {
  json_writer w;
  w.begin_object();
  w.int_field("count", static_cast<int64_t>(ps.size()));
  w.key("peers");
  w.begin_array();
  for (const auto& p : ps) {
    w.begin_object();
    w.str_field("name", p.displayName);
    w.str_field("pubkey", p.pubkey);
    w.str_field("memberPubkey", p.memberPubkey);
    w.str_field("status", p.status);
    w.str_or_null_field("summary", p.summary);
    groups(w, p.groups);
    w.str_field("peerRole", p.peerRole);
    w.opt_str_field("peerType", p.peerType);
    w.str_field("cwd", p.cwd);
    w.time_field("connectedAt", p.connectedAt_ms);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string message_status(const message_status_result_frame& s) {
  json_writer w;
  w.begin_object();
  w.str_field("messageId", s.messageId);
  w.str_field("targetSpec", s.targetSpec);
  w.bool_field("delivered", s.delivered);
  if (s.deliveredAt_ms)
    w.time_field("deliveredAt", *s.deliveredAt_ms);
  w.key("recipients");
  w.begin_array();
  for (const auto& r : s.recipients) {
    w.begin_object();
    w.str_field("name", r.name);
    w.str_field("pubkey", r.pubkey);
    w.str_field("status", r.status);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string sent(const sent_message& s) {
  json_writer w;
  w.begin_object();
  w.bool_field("ok", true);
  w.str_field("messageId", s.messageId);
  w.bool_field("queued", s.queued);
  w.end_object();
  return w.take();
}

std::string inbox(const std::vector<inbound_message>& ms) {
  json_writer w;
  w.begin_object();
  w.int_field("count", static_cast<int64_t>(ms.size()));
  w.key("messages");
  w.begin_array();
  for (const auto& m : ms) {
    w.begin_object();
    w.str_field("messageId", m.message_id);
    w.str_field("from", m.from_name);
    w.str_field("fromId", m.from_id);
    w.str_field("kind", m.kind);
    w.str_field("priority", m.priority);
    w.time_field("sentAt", m.sent_at_ms);
    w.str_field("text", m.text);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

namespace {

void state_fields(json_writer& w, const state_entry& e) {
  w.str_field("key", e.key);
  w.raw_field("value", e.value_json);
  w.str_field("updatedBy", e.updatedBy);
  w.time_field("updatedAt", e.updatedAt_ms);
}

} // namespace

std::string state_value(const std::string& key, const std::optional<state_entry>& e) {
  json_writer w;
  w.begin_object();
  if (e) {
    w.bool_field("found", true);
    state_fields(w, *e);
  } else {
    w.bool_field("found", false);
    w.str_field("key", key);
    w.str_or_null_field("value", std::nullopt);
  }
  w.end_object();
  return w.take();
}

std::string state_list(const std::vector<state_entry>& es) {
  json_writer w;
  w.begin_object();
  w.int_field("count", static_cast<int64_t>(es.size()));
  w.key("entries");
  w.begin_array();
  for (const auto& e : es) {
    w.begin_object();
    state_fields(w, e);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string memories(const std::vector<memory_entry>& ms) {
  json_writer w;
  w.begin_object();
  w.int_field("count", static_cast<int64_t>(ms.size()));
  w.key("memories");
  w.begin_array();
  for (const auto& m : ms) {
    w.begin_object();
    w.str_field("id", m.id);
    w.str_field("content", m.content);
    w.strings_field("tags", m.tags);
    w.str_field("rememberedBy", m.rememberedBy);
    w.time_field("rememberedAt", m.rememberedAt_ms);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string contexts(const std::vector<context_entry>& cs) {
  json_writer w;
  w.begin_object();
  w.int_field("count", static_cast<int64_t>(cs.size()));
  w.key("contexts");
  w.begin_array();
  for (const auto& c : cs) {
    w.begin_object();
    w.str_field("peer", c.peerName);
    w.str_field("summary", c.summary);
    w.strings_field("filesRead", c.filesRead);
    w.strings_field("keyFindings", c.keyFindings);
    w.strings_field("tags", c.tags);
    w.time_field("updatedAt", c.updatedAt_ms);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string tasks(const std::vector<task_entry>& ts) {
  json_writer w;
  w.begin_object();
  w.int_field("count", static_cast<int64_t>(ts.size()));
  w.key("tasks");
  w.begin_array();
  for (const auto& t : ts) {
    w.begin_object();
    w.str_field("id", t.id);
    w.str_field("title", t.title);
    w.str_field("status", t.status);
    w.str_field("priority", t.priority);
    w.str_or_null_field("assignee", t.assignee);
    w.str_or_null_field("claimedBy", t.claimedBy);
    w.str_or_null_field("createdBy", t.createdBy);
    w.strings_field("tags", t.tags);
    w.opt_str_field("result", t.result);
    w.time_field("createdAt", t.createdAt_ms);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string scheduled(const scheduled_ack& a) {
  json_writer w;
  w.begin_object();
  w.bool_field("ok", true);
  w.str_field("scheduledId", a.scheduledId);
  w.time_field("deliverAt", a.deliverAt_ms);
  w.opt_str_field("cron", a.cron);
  w.end_object();
  return w.take();
}

std::string scheduled_list(const std::vector<scheduled_entry>& es) {
  json_writer w;
  w.begin_object();
  w.int_field("count", static_cast<int64_t>(es.size()));
  w.key("scheduled");
  w.begin_array();
  for (const auto& e : es) {
    w.begin_object();
    w.str_field("id", e.id);
    w.str_field("to", e.to);
    w.str_field("message", e.message);
    w.time_field("deliverAt", e.deliverAt_ms);
    w.time_field("createdAt", e.createdAt_ms);
    w.opt_str_field("cron", e.cron);
    w.opt_int_field("firedCount", e.firedCount);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string streams(const std::vector<stream_entry>& ss) {
  json_writer w;
  w.begin_object();
  w.int_field("count", static_cast<int64_t>(ss.size()));
  w.key("streams");
  w.begin_array();
  for (const auto& s : ss) {
    w.begin_object();
    w.str_field("id", s.id);
    w.str_field("name", s.name);
    w.str_field("createdBy", s.createdBy);
    w.time_field("createdAt", s.createdAt_ms);
    w.int_field("subscribers", s.subscriberCount);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.take();
}

std::string stream_created(const stream_created_frame& f) {
  json_writer w;
  w.begin_object();
  w.bool_field("ok", true);
  w.str_field("id", f.id);
  w.str_field("name", f.name);
  w.end_object();
  return w.take();
}

std::string mesh_info(const mesh_info_result_frame& i) {
  json_writer w;
  w.begin_object();
  w.str_field("mesh", i.mesh);
  w.str_field("yourName", i.yourName);
  w.key("yourGroups");
  w.begin_array();
  for (const auto& g : i.yourGroups) {
    w.begin_object();
    w.str_field("name", g.name);
    w.opt_str_field("role", g.role);
    w.end_object();
  }
  w.end_array();
  w.int_field("peers", i.peers);
  w.strings_field("groups", i.groups);
  w.strings_field("stateKeys", i.stateKeys);
  w.int_field("memoryCount", i.memoryCount);
  w.key("tasks");
  w.begin_object();
  w.int_field("open", i.tasks.open);
  w.int_field("claimed", i.tasks.claimed);
  w.int_field("done", i.tasks.done);
  w.end_object();
  w.strings_field("streams", i.streams);
  w.end_object();
  return w.take();
}

std::string ok_with(const char* key, const std::string& value) {
  json_writer w;
  w.begin_object();
  w.bool_field("ok", true);
  w.str_field(key, value);
  w.end_object();
  return w.take();
}

std::string ok() { return R"({"ok":true})"; }

} // namespace nexus::mcp::format
