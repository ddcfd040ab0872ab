// broker_link's connection half: connect, sign the hello, wait for
// hello_ack, back off and reconnect, tell a refusal from a loss, stop.
// Requests and pushes: link_requests.cpp.
#include "client/link_state_machine.hpp"

#include "config/log.hpp"
#include "crypto/sodium.hpp"

#include <caf/all.hpp>

#include <sodium.h>

#include <limits.h>
#include <set>
#include <unistd.h>

namespace nexus::client {
namespace {

using what = link_internal::what;

std::shared_ptr<link_internal> internal(what w, int64_t gen) {
  auto m = std::make_shared<link_internal>();
  m->kind = w;
  m->generation = gen;
  return m;
}

std::string local_hostname() {
  char buf[HOST_NAME_MAX + 1] = {};
  return gethostname(buf, sizeof buf - 1) == 0 ? std::string(buf) : std::string();
}

std::string current_dir() {
  char buf[PATH_MAX] = {};
  return getcwd(buf, sizeof buf) ? std::string(buf) : std::string();
}

/// The §2.1 hello, signed over "<meshId>|<memberId>|<pubkey>|<timestamp>"
/// with the member secret key (§2.2).
std::string signed_hello(const link_identity& id) {
  hello_frame h;
  h.meshId = id.mesh_id;
  h.memberId = id.member_id;
  h.pubkey = id.member_pubkey;
  h.sessionPubkey = id.session_pubkey;
  h.displayName = id.display_name;
  const int64_t now = unix_now_ms();
  h.sessionId = id.channel + "-" + std::to_string(getpid()) + "-" + std::to_string(now);
  h.pid = getpid();
  h.cwd = current_dir();
  h.hostname = local_hostname();
  h.peerType = id.peer_type;
  h.channel = id.channel;
  h.timestamp = static_cast<double>(now);
  const std::string canonical =
      h.meshId + "|" + h.memberId + "|" + h.pubkey + "|" + std::to_string(now);
  crypto::bytes sk(id.member_secret->data(), id.member_secret->data() + id.member_secret->size());
  h.signature = crypto::to_hex(crypto::sign_ed25519(canonical, sk));
  sodium_memzero(sk.data(), sk.size());
  return encode_hello(h);
}

/// Refusals that another attempt cannot cure: the node does not accept this
/// identity (§1.6, §1.7). capacity and unavailable are worth retrying.
bool terminal_refusal(const std::string& code) {
  static const std::set<std::string> terminal = {
      "unauthorized", "revoked",  "bad_signature", "malformed", "timestamp_skew",
      "bad_session_pubkey", "banned", "kicked"};
  return terminal.count(code) > 0;
}

void set_phase(link_actor self, link_state::phase p) {
  self->state.view.now = p;
  link_publish_state(self);
}

void schedule_reconnect(link_actor self) {
  auto& st = self->state;
  const int64_t delay = st.retry->next_delay_ms();
  st.view.next_attempt_in_ms = delay;
  st.view.attempts = st.retry->attempts();
  set_phase(self, link_state::phase::backing_off);
  self->delayed_send(self, std::chrono::milliseconds(delay), internal(what::reconnect, st.generation));
}

void finish_stop(link_actor self) {
  auto& st = self->state;
  link_fail_pending(self, true, {link_errc::not_connected, "", "the link was stopped"});
  st.ws.reset();
  set_phase(self, link_state::phase::stopped);
  for (auto& p : st.stop_promises)
    p.deliver(true);
  st.stop_promises.clear();
  self->quit();
}

void on_closed(link_actor self, int code, const std::string& reason) {
  auto& st = self->state;
  st.ws.reset(); // joins the I/O thread; its last callback has already run
  const bool was_ready = st.hello_acked;
  st.hello_acked = false;
  st.view.presenceId.clear();
  if (st.stopping)
    return finish_stop(self);
  std::string why = st.hello_refusal ? st.hello_refusal->message
                    : code != 0     ? "closed by the node (" + std::to_string(code) +
                                      (reason.empty() ? "" : " " + reason) + ")"
                                    : reason;
  st.view.last_error = why;
  // In-flight requests may or may not have been applied: fail them honestly.
  link_fail_pending(self, false,
                    {link_errc::not_connected, "",
                     "connection lost before the reply (the request may have been applied): " + why});
  std::string refusal = st.hello_refusal ? st.hello_refusal->broker_code : std::string();
  if (code == 4001 || code == 4002)
    refusal = code == 4001 ? "kicked" : "banned";
  if (!refusal.empty() && terminal_refusal(refusal)) {
    log::warn("broker_link") << "the node refused this identity: " << why;
    link_fail_pending(self, true, {link_errc::denied, refusal, why});
    set_phase(self, link_state::phase::denied);
    return;
  }
  if (was_ready)
    log::info("broker_link") << "connection lost (" << why << "); reconnecting";
  schedule_reconnect(self);
}

void on_opened(link_actor self) {
  auto& st = self->state;
  st.hello_refusal.reset();
  st.ws->send(signed_hello(st.cfg.identity));
  self->delayed_send(self, std::chrono::milliseconds(st.cfg.settings.hello_timeout_ms),
                     internal(what::hello_timeout, st.generation));
}

void on_internal(link_actor self, const link_internal& m) {
  auto& st = self->state;
  if (m.kind == what::request_timeout)
    return link_on_request_timeout(self, m.req_id);
  if (m.kind == what::stop_timeout)
    return finish_stop(self);
  if (m.generation != st.generation)
    return; // an event of a connection we already replaced
  switch (m.kind) {
    case what::opened:
      return on_opened(self);
    case what::frame:
      return link_on_frame(self, m.text);
    case what::closed:
      return on_closed(self, m.close_code, m.text);
    case what::hello_timeout:
      if (st.ws && !st.hello_acked) {
        st.ws.reset();
        on_closed(self, 0,
                  "no hello_ack within " + std::to_string(st.cfg.settings.hello_timeout_ms) + " ms");
      }
      return;
    case what::reconnect:
      if (!st.stopping && !st.ws)
        link_connect(self);
      return;
    default:
      return;
  }
}

} // namespace

void link_publish_state(link_actor self) {
  for (auto& s : self->state.subscribers)
    caf::anon_send(s, self->state.view);
}

void link_connect(link_actor self) {
  auto& st = self->state;
  const int64_t gen = ++st.generation;
  set_phase(self, link_state::phase::connecting);
  ws_client::options o;
  o.connect_timeout_ms = st.cfg.settings.connect_timeout_ms;
  o.frame_bytes_max = st.cfg.settings.inbound_frame_bytes_max;
  o.idle_timeout_ms = st.cfg.settings.ws_idle_timeout_ms;
  o.outbound_frames_max = st.cfg.settings.offline_send_buffer_max + 4096;
  // Callbacks run on the socket's I/O thread: they only post to the actor.
  broker_link me = self;
  ws_client::handlers h;
  h.opened = [me, gen] { caf::anon_send(me, internal(what::opened, gen)); };
  h.frame = [me, gen](std::string text) {
    auto m = internal(what::frame, gen);
    m->text = std::move(text);
    caf::anon_send(me, m);
  };
  h.closed = [me, gen](int code, std::string reason) {
    auto m = internal(what::closed, gen);
    m->close_code = code;
    m->text = std::move(reason);
    caf::anon_send(me, m);
  };
  st.ws = ws_client::connect(st.cfg.url, o, std::move(h));
}

const char* to_string(link_errc e) {
  switch (e) {
    case link_errc::timeout: return "timeout";
    case link_errc::not_connected: return "not_connected";
    case link_errc::rejected: return "rejected";
    case link_errc::denied: return "denied";
    case link_errc::invalid: return "invalid";
  }
  return "?";
}

const char* to_string(link_state::phase p) {
  switch (p) {
    case link_state::phase::connecting: return "connecting";
    case link_state::phase::ready: return "ready";
    case link_state::phase::backing_off: return "backing_off";
    case link_state::phase::denied: return "denied";
    case link_state::phase::stopped: return "stopped";
  }
  return "?";
}

namespace {

broker_link::behavior_type link_behavior(link_actor self, link_config cfg) {
    auto& st = self->state;
    st.cfg = std::move(cfg);
    st.subscribers = st.cfg.subscribers;
    st.view.routing_pubkey = st.cfg.identity.session_pubkey.value_or(st.cfg.identity.member_pubkey);
    st.retry = std::make_unique<backoff>(st.cfg.settings.reconnect_min_ms,
                                         st.cfg.settings.reconnect_max_ms,
                                         [](uint32_t n) { return randombytes_uniform(n); });
    st.seen = std::make_unique<seen_ids>(static_cast<size_t>(st.cfg.settings.seen_message_ids_max));
    crypto::sodium_ready();
    link_connect(self);
    auto touch = [self] {
      ++self->state.handled;
      self->state.last_activity_ms = unix_now_ms();
    };
    return {
        [=](link_request& req) -> caf::result<link_reply> {
          touch();
          return link_accept(self, req);
        },
        [=](subscribe_atom, caf::actor who) {
          touch();
          self->state.subscribers.push_back(who);
          caf::anon_send(who, self->state.view);
        },
        [=](link_state_atom) -> link_state {
          touch();
          return self->state.view;
        },
        [=](link_stop_atom) -> caf::result<bool> {
          touch();
          auto& st = self->state;
          auto promise = self->make_response_promise<bool>();
          st.stop_promises.push_back(promise);
          if (st.stopping)
            return promise;
          st.stopping = true;
          if (!st.ws || !st.hello_acked) {
            finish_stop(self);
            return promise;
          }
          st.ws->close(); // flushes what is queued first
          self->delayed_send(self, std::chrono::milliseconds(st.cfg.settings.connect_timeout_ms),
                             internal(what::stop_timeout, st.generation));
          return promise;
        },
        [=](status_atom) -> actor_status {
          auto& st = self->state;
          actor_status s;
          s.kind = "broker_link";
          s.id = st.cfg.identity.member_pubkey.substr(0, 16);
          s.mesh = st.cfg.identity.mesh_id;
          s.mailbox = self->mailbox().size();
          s.handled = st.handled;
          s.last_activity_ms = st.last_activity_ms;
          s.figures = {{"pending", static_cast<int64_t>(st.pending.size())},
                       {"buffered", static_cast<int64_t>(st.buffered.size())},
                       {"delivered", st.delivered},
                       {"duplicates_dropped", st.duplicates},
                       {"connections", st.generation}};
          return s;
        },
        [=](std::shared_ptr<link_internal>& m) { on_internal(self, *m); },
    };
}

} // namespace

broker_link spawn_broker_link(caf::actor_system& sys, link_config cfg) {
  return sys.spawn(link_behavior, std::move(cfg));
}

} // namespace nexus::client
