// broker_link's request half: accept a request (seal a send), buffer it
// while offline, write it when ready, match the reply (by _reqId or send
// id, else the oldest waiter of that reply type, §1.5), time it out, and
// open pushes for the subscribers. Connection half: broker_link.cpp.
#include "client/link_state_machine.hpp"

#include "crypto/base64.hpp"
#include "crypto/direct_box.hpp"
#include "crypto/sodium.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace nexus::client {
namespace {

template <class... Ts>
struct overload : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overload(Ts...) -> overload<Ts...>;

link_reply failure(link_errc code, std::string message, std::string broker_code = {}) {
  return link_reply{link_failure{code, std::move(broker_code), std::move(message)}};
}

bool valid_priority(const std::string& p) { return p == "now" || p == "next" || p == "low"; }

/// A send frame for `m`: sealed to a direct target (§3.11), base64 plaintext
/// with a random nonce for any other.
std::optional<send_frame> build_send(const link_identity& id, const send_message& m,
                                     std::string* error) {
  send_frame f;
  f.id = crypto::to_hex(crypto::secret_buffer::random(8).data(), 8);
  f.targetSpec = m.target;
  f.priority = m.priority;
  if (crypto::is_lower_hex(m.target, 64)) {
    const auto& secret = id.session_secret ? *id.session_secret : *id.member_secret;
    auto sealed = crypto::seal_direct(m.text, m.target, secret);
    if (!sealed) {
      *error = "\"" + m.target + "\" is not a valid ed25519 public key";
      return std::nullopt;
    }
    f.nonce = sealed->nonce_b64;
    f.ciphertext = sealed->ciphertext_b64;
  } else {
    auto nonce = crypto::secret_buffer::random(24);
    f.nonce = crypto::to_base64(nonce.data(), nonce.size(), crypto::base64_variant::standard);
    f.ciphertext = crypto::to_base64(m.text, crypto::base64_variant::standard);
  }
  return f;
}

void write(link_actor self, pending_request& p) {
  auto& st = self->state;
  st.ws->send(p.frame_text);
  p.written = true;
  if (p.expect.empty() && !p.is_send) { // fire-and-forget: done once on the socket
    p.promise.deliver(link_reply{link_done{}});
    st.pending.erase(p.req_id);
    return;
  }
  st.in_flight.push_back(p.req_id);
}

void forget(link_state_data& st, const std::string req_id) { // a copy: callers pass keys of erased nodes
  st.pending.erase(req_id);
  st.buffered.erase(std::remove(st.buffered.begin(), st.buffered.end(), req_id), st.buffered.end());
  st.in_flight.erase(std::remove(st.in_flight.begin(), st.in_flight.end(), req_id), st.in_flight.end());
}

void resolve(link_actor self, const std::string req_id, link_reply reply) {
  auto& st = self->state;
  auto it = st.pending.find(req_id);
  if (it == st.pending.end())
    return;
  it->second.promise.deliver(std::move(reply));
  forget(st, req_id);
}

/// The pending request a reply of `type` answers: by `_reqId`, else by a
/// send's id, else the oldest written request waiting for that type.
pending_request* match(link_state_data& st, const std::string& type,
                       const std::optional<std::string>& req_id, const std::string& send_id) {
  auto by_key = [&](const std::string& k) -> pending_request* {
    auto it = st.pending.find(k);
    return it != st.pending.end() && it->second.written ? &it->second : nullptr;
  };
  if (req_id)
    if (auto* p = by_key(*req_id))
      return p;
  if (!send_id.empty())
    if (auto* p = by_key(send_id); p && p->is_send)
      return p;
  if (type == "ack" || type == "error")
    return nullptr; // ours always carry _reqId or an id; never guess for these
  for (const auto& k : st.in_flight) {
    auto& p = st.pending.at(k);
    if (!p.is_send && std::find(p.expect.begin(), p.expect.end(), type) != p.expect.end())
      return &p;
  }
  return nullptr;
}

/// An `ack` as the reply of request `p`.
link_reply ack_reply(const pending_request& p, const ack_frame& a) {
  if (p.is_send) {
    if (a.queued)
      return link_reply{message_sent{a.id, a.messageId}};
    return failure(link_errc::rejected, a.error.value_or("the broker did not queue the message"));
  }
  if (p.frame)
    if (auto* c = std::get_if<collab_request>(&*p.frame); c && std::holds_alternative<forget_frame>(*c))
      return link_reply{forget_ack_frame{a.id, p.req_id}};
  return link_reply{done_ack{p.req_id}};
}

/// A decoded reply payload as a link_result (replies that are results as is).
link_reply payload_reply(server_payload& payload) {
  return std::visit(
      [](auto& v) -> link_reply {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_constructible_v<link_result, T> && !std::is_same_v<T, ack_frame>)
          return link_reply{std::move(v)};
        else
          return failure(link_errc::rejected, "unexpected reply");
      },
      payload);
}

std::optional<std::string> base64_text(const std::string& b64) {
  auto raw = crypto::from_base64(b64, crypto::base64_variant::standard);
  if (!raw)
    return std::nullopt;
  return std::string(raw->begin(), raw->end());
}

/// Opens a message push (§3.11, §10.3): a direct message decrypts with our
/// session key, else our member key; anything else is base64 plaintext.
inbound_message open_push(const link_identity& id, const message_push& p) {
  inbound_message m;
  m.messageId = p.messageId;
  m.meshId = p.meshId;
  m.senderPubkey = p.senderPubkey;
  m.senderMemberPubkey = p.senderMemberPubkey;
  m.senderName = p.senderName;
  m.priority = p.priority.empty() ? "next" : p.priority;
  m.subtype = p.subtype;
  m.topic = p.topic;
  m.createdAt_ms = p.createdAt_ms;
  m.receivedAt_ms = unix_now_ms();
  if (!p.nonce.empty() && !p.ciphertext.empty() && crypto::is_lower_hex(p.senderPubkey, 64)) {
    crypto::sealed_message sealed{p.nonce, p.ciphertext};
    if (id.session_secret)
      m.text = crypto::open_direct(sealed, p.senderPubkey, *id.session_secret);
    if (!m.text)
      m.text = crypto::open_direct(sealed, p.senderPubkey, *id.member_secret);
    if (m.text) {
      m.kind = "direct";
      return m;
    }
  }
  m.kind = p.topic ? "topic" : p.subtype.value_or("multicast");
  if (!p.ciphertext.empty())
    m.text = base64_text(p.ciphertext);
  return m;
}

void on_hello_ack(link_actor self, const hello_ack_frame& ack) {
  auto& st = self->state;
  st.hello_acked = true;
  st.retry->reset();
  st.view.presenceId = ack.presenceId;
  st.view.memberDisplayName = ack.memberDisplayName;
  st.view.last_error.clear();
  st.view.attempts = 0;
  st.view.next_attempt_in_ms = 0;
  st.view.now = link_state::phase::ready;
  link_publish_state(self);
  link_flush_buffer(self);
}

void on_error(link_actor self, const server_frame& f, const error_frame& e) {
  auto& st = self->state;
  if (auto* p = match(st, "error", f.req_id, e.id.value_or(""))) {
    if (f.req_id || e.id) { // never blame an uncorrelated error on the oldest waiter
      resolve(self, p->req_id, failure(link_errc::rejected, e.message, e.code));
      return;
    }
  }
  if (!st.hello_acked) // a refused hello: the close follows (§2.2)
    st.hello_refusal = link_failure{link_errc::denied, e.code, e.message};
}

void on_push(link_actor self, const message_push& p) {
  auto& st = self->state;
  if (!st.seen->first_time(p.messageId)) {
    ++st.duplicates;
    return;
  }
  ++st.delivered;
  auto m = open_push(st.cfg.identity, p);
  for (auto& s : st.subscribers)
    caf::anon_send(s, m);
}

} // namespace

caf::result<link_reply> link_accept(link_actor self, link_request& req) {
  auto& st = self->state;
  if (st.view.now == link_state::phase::denied)
    return failure(link_errc::denied, st.view.last_error);
  if (st.stopping)
    return failure(link_errc::not_connected, "the link is stopping");
  pending_request p;
  if (auto* m = std::get_if<send_message>(&req.op)) {
    if (!valid_priority(m->priority))
      return failure(link_errc::invalid, "priority must be now, next or low (got \"" + m->priority + "\")");
    std::string error;
    auto frame = build_send(st.cfg.identity, *m, &error);
    if (!frame)
      return failure(link_errc::invalid, error);
    p.is_send = true;
    p.req_id = *frame->id;
    p.expect = {"ack"};
    p.frame_text = encode_send(*frame);
  } else {
    request_frame f = std::visit(
        overload{[](send_message&) -> request_frame { return presence_op{}; }, // handled above
                 [](auto& op) -> request_frame { return request_frame{op}; }},
        req.op);
    p.req_id = "n" + std::to_string(++st.next_req);
    p.expect = reply_types(f);
    p.frame_text = encode_request(f, p.req_id);
    p.frame = std::move(f);
  }
  const bool ready = st.hello_acked && st.ws;
  if (!ready && static_cast<int64_t>(st.buffered.size()) >= st.cfg.settings.offline_send_buffer_max)
    return failure(link_errc::not_connected,
                   "not connected to " + st.cfg.url.ws_url() + " and " +
                       std::to_string(st.buffered.size()) +
                       " requests already wait (offline_send_buffer_max)" +
                       (st.view.last_error.empty() ? "" : ": " + st.view.last_error));
  p.promise = self->make_response_promise<link_reply>();
  auto promise = p.promise;
  const std::string key = p.req_id;
  auto& slot = st.pending[key] = std::move(p);
  auto timer = std::make_shared<link_internal>();
  timer->kind = link_internal::what::request_timeout;
  timer->req_id = key;
  self->delayed_send(self, std::chrono::milliseconds(st.cfg.settings.request_timeout_ms), timer);
  if (ready)
    write(self, slot);
  else
    st.buffered.push_back(key);
  return promise;
}

void link_flush_buffer(link_actor self) {
  auto& st = self->state;
  auto keys = std::move(st.buffered);
  st.buffered.clear();
  for (const auto& k : keys)
    if (auto it = st.pending.find(k); it != st.pending.end())
      write(self, it->second);
}

void link_on_request_timeout(link_actor self, const std::string& req_id) {
  auto& st = self->state;
  auto it = st.pending.find(req_id);
  if (it == st.pending.end())
    return;
  const int64_t ms = st.cfg.settings.request_timeout_ms;
  std::string msg = it->second.written
                        ? "no reply from the broker within " + std::to_string(ms) + " ms"
                        : "not connected to " + st.cfg.url.ws_url() + " within " +
                              std::to_string(ms) + " ms" +
                              (st.view.last_error.empty() ? "" : ": " + st.view.last_error);
  resolve(self, req_id,
          failure(it->second.written ? link_errc::timeout : link_errc::not_connected, msg));
}

void link_fail_pending(link_actor self, bool all, const link_failure& why) {
  auto& st = self->state;
  std::vector<std::string> doomed(st.in_flight.begin(), st.in_flight.end());
  if (all)
    doomed.insert(doomed.end(), st.buffered.begin(), st.buffered.end());
  for (const auto& k : doomed)
    resolve(self, k, link_reply{why});
}

void link_on_frame(link_actor self, const std::string& text) {
  auto& st = self->state;
  auto f = decode_server_frame(text, st.cfg.settings.json_depth_max);
  if (!f)
    return; // not a frame we can read: dropped, as the broker drops ours (§1.2)
  auto& payload = f->payload;
  if (auto* ack = std::get_if<hello_ack_frame>(&payload))
    return on_hello_ack(self, *ack);
  if (auto* e = std::get_if<error_frame>(&payload))
    return on_error(self, *f, *e);
  if (auto* p = std::get_if<message_push>(&payload))
    return on_push(self, *p);
  if (auto* ev = std::get_if<inbound_event>(&payload)) {
    for (auto& s : st.subscribers)
      caf::anon_send(s, *ev);
    return;
  }
  if (auto* a = std::get_if<ack_frame>(&payload)) {
    if (auto* p = match(st, "ack", f->req_id, a->id))
      resolve(self, p->req_id, ack_reply(*p, *a));
    return; // e.g. the ack after a send_rejected error that already failed it
  }
  if (std::holds_alternative<unknown_frame>(payload))
    return;
  if (auto* p = match(st, f->type, f->req_id, ""))
    resolve(self, p->req_id, payload_reply(payload));
}

} // namespace nexus::client
