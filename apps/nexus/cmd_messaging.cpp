// Commands about people and messages: peers, send, inbox, status, summary,
// verify.
#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/commands.hpp"
#include "apps/nexus/inbox_store.hpp"
#include "apps/nexus/mesh_session.hpp"
#include "apps/nexus/output.hpp"
#include "apps/nexus/target_resolve.hpp"
#include "actors/status.hpp"
#include "crypto/direct_box.hpp"

#include <algorithm>
#include <iostream>
#include <unistd.h>

namespace nexus::cli {
namespace {

std::string groups_text(const std::vector<hello_group>& groups) {
  std::string out;
  for (const auto& g : groups)
    out += (out.empty() ? "@" : ", @") + g.name + (g.role ? ":" + *g.role : "");
  return out;
}

/// Our own entry of this connection: same member key, this process's sessionId.
const peer_entry* own_entry(const std::vector<peer_entry>& peers, const std::string& pubkey) {
  const std::string prefix = "nexus-cli-" + std::to_string(getpid()) + "-";
  for (const auto& p : peers)
    if (p.memberPubkey == pubkey && p.sessionId.rfind(prefix, 0) == 0)
      return &p;
  return nullptr;
}

/// A name, key or prefix → one peer; ambiguity and absence are errors.
client::target_resolution resolve_or_throw(mesh_session& s, context& ctx, const std::string& to) {
  auto r = resolve_in_session(s, ctx.home, to);
  if (r.result != client::target_resolution::outcome::resolved)
    throw send_target_error(to, r, s.mesh().mesh_name);
  return r;
}

void message_json(wire::json_writer& w, const client::inbound_message& m) {
  w.begin_object();
  w.str_field("messageId", m.messageId);
  w.str_field("from", m.senderName);
  w.str_field("fromPubkey", m.senderPubkey);
  w.str_field("fromMemberPubkey", m.senderMemberPubkey);
  w.str_field("priority", m.priority);
  w.str_field("kind", m.kind);
  w.str_or_null_field("text", m.text);
  w.opt_str_field("subtype", m.subtype);
  w.opt_str_field("topic", m.topic);
  w.time_field("createdAt", m.createdAt_ms);
  w.time_field("receivedAt", m.receivedAt_ms);
  w.end_object();
}

} // namespace

int run_peers(context& ctx) {
  mesh_session s(ctx);
  auto peers = s.peers();
  const auto* me = own_entry(peers, s.routing_pubkey());
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("meshId", s.mesh().mesh_id);
    j.w.key("peers");
    j.w.begin_array();
    for (const auto& p : peers) {
      j.w.begin_object();
      j.w.str_field("name", p.displayName);
      j.w.str_field("pubkey", p.pubkey);
      j.w.str_field("memberPubkey", p.memberPubkey);
      j.w.str_field("status", p.status);
      j.w.str_or_null_field("summary", p.summary);
      j.w.groups_field("groups", p.groups);
      j.w.time_field("connectedAt", p.connectedAt_ms);
      j.w.str_field("sessionId", p.sessionId);
      j.w.str_field("peerRole", p.peerRole);
      j.w.opt_str_field("channel", p.channel);
      j.w.bool_field("self", &p == me);
      j.w.end_object();
    }
    j.w.end_array();
    j.done();
    return exit_ok;
  }
  // One row per routing key: a CLI user's short connections linger in the
  // grace window (§4.6), so the newest one speaks for the person.
  struct row_of {
    const peer_entry* newest;
    size_t sessions;
    bool self;
  };
  std::vector<std::pair<std::string, row_of>> rows;
  for (const auto& p : peers) {
    auto it = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.first == p.pubkey; });
    if (it == rows.end()) {
      rows.push_back({p.pubkey, {&p, 1, &p == me}});
      continue;
    }
    ++it->second.sessions;
    it->second.self = it->second.self || &p == me;
    if (p.connectedAt_ms >= it->second.newest->connectedAt_ms)
      it->second.newest = &p;
  }
  table t({"NAME", "STATUS", "KEY", "SESSIONS", "GROUPS", "SINCE", "SUMMARY"});
  const int64_t now = unix_now_ms();
  for (const auto& [key, r] : rows) {
    const peer_entry& p = *r.newest;
    t.row({p.displayName + (r.self ? " (you)" : ""), p.status, key.substr(0, 12),
           std::to_string(r.sessions), groups_text(p.groups), relative_time(p.connectedAt_ms, now),
           p.summary.value_or("")});
  }
  t.print();
  return exit_ok;
}

int run_send(context& ctx) {
  const std::string priority = ctx.option("priority").value_or("next");
  if (priority != "now" && priority != "next" && priority != "low")
    throw usage_error("--priority must be now, next or low (got \"" + priority + "\")", "send");
  mesh_session s(ctx);
  auto target = resolve_or_throw(s, ctx, ctx.args.at(0));
  auto sent = s.expect<client::message_sent>(client::send_message{target.target, ctx.args.at(1), priority});
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("messageId", sent.messageId);
    j.w.str_field("target", target.target);
    j.w.str_field("to", target.name);
    j.w.str_field("priority", priority);
    j.w.bool_field("encrypted", target.target.size() == 64);
    j.done();
  } else {
    std::cout << "Sent to " << (target.name.empty() ? target.target : target.name)
              << (target.target.size() == 64 ? " (end-to-end encrypted)" : "") << ": "
              << sent.messageId << "\n";
  }
  return exit_ok;
}

int run_inbox(context& ctx) {
  int64_t wait_ms = 0;
  if (auto w = ctx.option("wait")) {
    try {
      size_t used = 0;
      double secs = std::stod(*w, &used);
      if (used != w->size() || secs < 0 || secs > 86400)
        throw std::invalid_argument("range");
      wait_ms = static_cast<int64_t>(secs * 1000);
    } catch (const std::exception&) {
      throw usage_error("--wait takes seconds between 0 and 86400 (got \"" + *w + "\")", "inbox");
    }
  }
  mesh_session s(ctx);
  // The broker drains what it queued for us right after hello; a reply that
  // goes through the mesh's storage after it proves the drain was sent.
  s.expect<state_result_frame>(collab_request{get_state_frame{""}});
  auto fresh = s.collect(0);
  auto messages = inbox_take(ctx.home, s.mesh().mesh_id);
  messages.insert(messages.end(), fresh.begin(), fresh.end());
  if (messages.empty() && wait_ms > 0) {
    fresh = s.collect(wait_ms);
    messages.insert(messages.end(), fresh.begin(), fresh.end());
  }
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("meshId", s.mesh().mesh_id);
    j.w.key("messages");
    j.w.begin_array();
    for (const auto& m : messages)
      message_json(j.w, m);
    j.w.end_array();
    j.done();
    return exit_ok;
  }
  if (messages.empty()) {
    std::cout << "No new messages.\n";
    return exit_ok;
  }
  const int64_t now = unix_now_ms();
  for (const auto& m : messages) {
    std::string tag = m.subtype ? " [" + *m.subtype + "]" : m.kind == "direct" ? "" : " [" + m.kind + "]";
    std::cout << (m.senderName.empty() ? m.senderPubkey.substr(0, 12) : m.senderName) << tag << " · "
              << relative_time(m.createdAt_ms, now) << (m.priority == "now" ? " · now" : "") << "\n  "
              << m.text.value_or("(could not be decrypted)") << "\n";
  }
  return exit_ok;
}

int run_status(context& ctx) {
  static const std::vector<std::string> allowed = {"idle", "working", "dnd"};
  if (!ctx.args.empty()) {
    if (std::find(allowed.begin(), allowed.end(), ctx.args[0]) == allowed.end())
      throw usage_error("status must be idle, working or dnd (got \"" + ctx.args[0] + "\")", "status");
    mesh_record m = ctx.home.select_mesh(ctx.global.mesh);
    m.status = ctx.args[0];
    ctx.home.save_mesh(m); // the session applies it as it connects
  }
  mesh_session s(ctx);
  auto peers = s.peers(); // answered after the status frame: frames are handled in order
  const auto* me = own_entry(peers, s.routing_pubkey());
  const std::string status = me ? me->status : s.mesh().status.empty() ? "idle" : s.mesh().status;
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("status", status);
    j.w.str_or_null_field("summary", me ? me->summary : std::nullopt);
    j.done();
  } else {
    std::cout << "Status: " << status << "\n";
  }
  return exit_ok;
}

int run_summary(context& ctx) {
  mesh_record m = ctx.home.select_mesh(ctx.global.mesh);
  m.summary = ctx.args.at(0);
  ctx.home.save_mesh(m);
  mesh_session s(ctx);
  if (m.summary.empty()) // "" is not re-applied on connect, so clear it explicitly
    s.call(client::presence_op{set_summary_frame{""}});
  auto peers = s.peers();
  const auto* me = own_entry(peers, s.routing_pubkey());
  const std::string summary = me ? me->summary.value_or("") : m.summary;
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("summary", summary);
    j.done();
  } else {
    std::cout << (summary.empty() ? "Summary cleared.\n" : "Summary: " + summary + "\n");
  }
  return exit_ok;
}

int run_verify(context& ctx) {
  mesh_session s(ctx);
  const std::string who = ctx.args.at(0);
  auto peers = s.peers();
  auto r = resolve_or_throw(s, ctx, who);
  // Compare member keys: they are the long-lived identities both sides hold.
  std::string theirs = r.target;
  for (const auto& p : peers)
    if (p.pubkey == r.target)
      theirs = p.memberPubkey;
  auto number = crypto::safety_number(s.routing_pubkey(), theirs);
  if (!number)
    throw cli_error(exit_usage, "\"" + who + "\" is not a peer with an ed25519 key");
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("peer", r.name);
    j.w.str_field("yourPubkey", s.routing_pubkey());
    j.w.str_field("theirPubkey", theirs);
    j.w.str_field("safetyNumber", *number);
    j.done();
  } else {
    std::cout << "Safety number with " << (r.name.empty() ? theirs.substr(0, 12) : r.name) << ":\n\n  "
              << number->substr(0, 35) << "\n  " << number->substr(36) << "\n\n"
              << "They see the same number with: nexus verify " << s.routing_pubkey().substr(0, 12)
              << "\nCompare it over another channel; if it differs, someone is in the middle.\n";
  }
  return exit_ok;
}

} // namespace nexus::cli
