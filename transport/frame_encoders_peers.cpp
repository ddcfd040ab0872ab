// Encoder of peers_list (§4.1): always-present fields, then the optional
// ones only when set.
#include "transport/frame_encoders.hpp"

#include "transport/json_writer.hpp"

namespace nexus::wire {
namespace {

bool has_any_field(const peer_profile& p) {
  return p.avatar || p.title || p.bio || p.capabilities;
}

void write_peer(json_writer& w, const peer_entry& p) {
  w.begin_object();
  w.str_field("pubkey", p.pubkey);
  w.str_field("memberPubkey", p.memberPubkey);
  w.str_field("displayName", p.displayName);
  w.str_field("status", p.status);
  w.str_or_null_field("summary", p.summary);
  w.groups_field("groups", p.groups);
  w.str_field("sessionId", p.sessionId);
  w.time_field("connectedAt", p.connectedAt_ms);
  w.str_field("cwd", p.cwd);
  w.str_field("peerRole", p.peerRole);
  w.opt_str_field("hostname", p.hostname);
  w.opt_str_field("peerType", p.peerType);
  w.opt_str_field("channel", p.channel);
  w.opt_str_field("model", p.model);
  if (p.stats) {
    w.key("stats");
    w.begin_object();
    w.opt_int_field("messagesIn", p.stats->messagesIn);
    w.opt_int_field("messagesOut", p.stats->messagesOut);
    w.opt_int_field("toolCalls", p.stats->toolCalls);
    w.opt_int_field("uptime", p.stats->uptime);
    w.opt_int_field("errors", p.stats->errors);
    w.end_object();
  }
  if (p.visible)
    w.bool_field("visible", *p.visible);
  if (p.profile && has_any_field(*p.profile)) {
    w.key("profile");
    w.begin_object();
    w.opt_str_field("avatar", p.profile->avatar);
    w.opt_str_field("title", p.profile->title);
    w.opt_str_field("bio", p.profile->bio);
    if (p.profile->capabilities)
      w.strings_field("capabilities", *p.profile->capabilities);
    w.end_object();
  }
  w.end_object();
}

} // namespace

std::string encode_peers_list(const peers_list_frame& f) {
  json_writer w;
  w.begin_object();
  w.str_field("type", "peers_list");
  w.opt_str_field("_reqId", f.req_id); // before peers, as in the spec's examples
  w.key("peers");
  w.begin_array();
  for (const auto& p : f.peers)
    write_peer(w, p);
  w.end_array();
  w.end_object();
  return w.take();
}

} // namespace nexus::wire
