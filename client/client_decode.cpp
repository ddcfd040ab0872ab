// Decoding of broker frames on the client: the envelope, the frames every
// client needs (hello_ack, ack, error, pushes, events, peers) and the ISO
// time parser. Collaboration replies: client_decode_replies.cpp.
#include "client/client_codec.hpp"

#include "client/json_read.hpp"
#include "transport/json_bounded.hpp"

#include <cstdio>

namespace nexus::client {

server_payload decode_reply(const std::string& type, const json::value& f); // client_decode_replies.cpp

namespace {

using json::value;

hello_ack_frame decode_hello_ack(const value& f) {
  hello_ack_frame a;
  a.presenceId = json::str(f, "presenceId");
  a.memberDisplayName = json::str(f, "memberDisplayName");
  if (json::boolean(f, "restored")) {
    restored_state r;
    r.lastSummary = json::opt_str(f, "lastSummary");
    r.lastSeenAt_ms = json::time_ms(f, "lastSeenAt");
    a.restored = r;
  }
  return a;
}

message_push decode_push(const value& f) {
  message_push p;
  p.messageId = json::str(f, "messageId");
  p.meshId = json::str(f, "meshId");
  p.senderPubkey = json::str(f, "senderPubkey");
  p.senderMemberPubkey = json::str(f, "senderMemberPubkey");
  p.senderMemberId = json::str(f, "senderMemberId");
  p.senderName = json::str(f, "senderName");
  p.topic = json::opt_str(f, "topic");
  p.replyToId = json::opt_str(f, "replyToId");
  p.priority = json::str(f, "priority");
  p.nonce = json::str(f, "nonce");
  p.ciphertext = json::str(f, "ciphertext");
  p.createdAt_ms = json::time_ms(f, "createdAt");
  p.subtype = json::opt_str(f, "subtype");
  p.client_message_id = json::opt_str(f, "client_message_id");
  return p;
}

/// System and webhook pushes (§3.7.3, §3.7.4): the event and its data.
inbound_event decode_event_push(const value& f) {
  inbound_event e;
  e.event = json::str(f, "event");
  e.createdAt_ms = json::time_ms(f, "createdAt");
  if (const value* d = json::field(f, "eventData")) {
    e.name = json::str(*d, "name");
    e.pubkey = json::str(*d, "pubkey");
    e.detail_json = json::text_of(*d);
  }
  return e;
}

peer_entry decode_peer(const value& p) {
  peer_entry e;
  e.pubkey = json::str(p, "pubkey");
  e.memberPubkey = json::str(p, "memberPubkey");
  e.displayName = json::str(p, "displayName");
  e.status = json::str(p, "status");
  e.summary = json::opt_str(p, "summary");
  e.groups = json::groups(p, "groups");
  e.sessionId = json::str(p, "sessionId");
  e.connectedAt_ms = json::time_ms(p, "connectedAt");
  e.cwd = json::str(p, "cwd");
  e.peerRole = json::str(p, "peerRole");
  e.hostname = json::opt_str(p, "hostname");
  e.peerType = json::opt_str(p, "peerType");
  e.channel = json::opt_str(p, "channel");
  e.model = json::opt_str(p, "model");
  if (const value* v = json::field(p, "visible"); v && v->IsBool())
    e.visible = v->GetBool();
  return e;
}

/// civil date → days since 1970-01-01 (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

} // namespace

std::optional<int64_t> parse_iso8601_ms(std::string_view t) {
  // Exactly YYYY-MM-DDTHH:MM:SS.mmmZ, what toISOString() prints (§0.2).
  if (t.size() != 24 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':' || t[19] != '.' || t[23] != 'Z')
    return std::nullopt;
  auto num = [&](size_t at, size_t n) -> std::optional<int64_t> {
    int64_t v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9')
        return std::nullopt;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2),
       s = num(17, 2), ms = num(20, 3);
  if (!y || !mo || !d || !h || !mi || !s || !ms || *mo < 1 || *mo > 12 || *d < 1 || *d > 31 ||
      *h > 23 || *mi > 59 || *s > 60)
    return std::nullopt;
  const int64_t days = days_from_civil(*y, static_cast<unsigned>(*mo), static_cast<unsigned>(*d));
  return ((days * 24 + *h) * 60 + *mi) * 60000 + *s * 1000 + *ms;
}

std::optional<server_frame> decode_server_frame(std::string_view text, int64_t json_depth_max) {
  rapidjson::Document doc;
  if (wire::parse_bounded(text, json_depth_max, doc) != wire::json_parse_status::ok ||
      !doc.IsObject())
    return std::nullopt;
  auto type = json::opt_str(doc, "type");
  if (!type)
    return std::nullopt;
  server_frame out;
  out.type = *type;
  out.req_id = json::opt_str(doc, "_reqId");
  const std::string& t = out.type;
  if (t == "hello_ack") {
    out.payload = decode_hello_ack(doc);
  } else if (t == "ack") {
    ack_frame a;
    a.id = json::str(doc, "id");
    a.messageId = json::str(doc, "messageId");
    a.queued = json::boolean(doc, "queued");
    a.error = json::opt_str(doc, "error");
    out.payload = a;
  } else if (t == "error") {
    out.payload = error_frame{json::str(doc, "code"), json::str(doc, "message"),
                              json::opt_str(doc, "id")};
  } else if (t == "push") {
    auto subtype = json::opt_str(doc, "subtype");
    if (subtype && (*subtype == "system" || *subtype == "webhook"))
      out.payload = decode_event_push(doc);
    else
      out.payload = decode_push(doc);
  } else if (t == "state_change") {
    inbound_event e;
    e.event = "state_change";
    e.name = json::str(doc, "updatedBy");
    e.detail_json = "{\"key\":" + json::text(doc, "key") + ",\"value\":" + json::text(doc, "value") + "}";
    out.payload = e;
  } else if (t == "stream_data") {
    inbound_event e;
    e.event = "stream_data";
    e.name = json::str(doc, "publishedBy");
    e.detail_json = "{\"stream\":" + json::text(doc, "stream") + ",\"data\":" + json::text(doc, "data") + "}";
    out.payload = e;
  } else if (t == "peers_list") {
    peers_list_frame p;
    json::each_object(doc, "peers", [&](const json::value& e) { p.peers.push_back(decode_peer(e)); });
    p.req_id = out.req_id;
    out.payload = std::move(p);
  } else {
    out.payload = decode_reply(t, doc);
  }
  return out;
}

} // namespace nexus::client
