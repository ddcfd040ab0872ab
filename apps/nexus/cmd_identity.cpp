// Commands that make or grow meshes (docs/identity.md of issue 4): mesh
// create (POST /api/meshes), invite (WS invite_create), join (GET and POST
// /invites/<code>[/claim]). Each signs with this home's identity; the mesh
// root key comes back sealed to a one-off X25519 key and is kept in the
// mesh's file group.
#include "actors/status.hpp"
#include "apps/nexus/cli_error.hpp"
#include "client/json_read.hpp"
#include "apps/nexus/commands.hpp"
#include "apps/nexus/durations.hpp"
#include "apps/nexus/mesh_session.hpp"
#include "apps/nexus/output.hpp"
#include "client/http_client.hpp"
#include "crypto/base64.hpp"
#include "crypto/direct_box.hpp"
#include "crypto/sodium.hpp"
#include "transport/json_writer.hpp"

#include <rapidjson/document.h>

#include <cstdlib>
#include <iostream>

namespace nexus::cli {
namespace {

std::string sign_hex(const identity& id, const std::string& text) {
  crypto::bytes sk(id.secret->data(), id.secret->data() + id.secret->size());
  auto sig = crypto::to_hex(crypto::sign_ed25519(text, sk));
  std::fill(sk.begin(), sk.end(), 0);
  return sig;
}

/// One HTTP call; a JSON object body back, or a cli_error with the node's code.
rapidjson::Document http_json(const client::broker_url& url, const std::string& method,
                              const std::string& target, const std::string& body,
                              const context& ctx, const std::string& what) {
  std::string error;
  auto r = client::http_call(url, method, target, body, ctx.settings.request_timeout_ms, &error);
  if (!r)
    throw cli_error(exit_not_connected, error, "is the broker at " + url.http_base() + " running?");
  rapidjson::Document d;
  d.Parse(r->body.c_str(), r->body.size());
  const bool object = !d.HasParseError() && d.IsObject();
  if (r->status == 404 && target == "/api/meshes")
    throw cli_error(exit_failure, "this broker does not support " + what + " (404 for " + target + ")",
                    "upgrade the node (identity support)");
  if (r->status >= 300 || !object) {
    const std::string code = object ? client::json::str(d, "error") : std::string();
    const std::string detail = object ? client::json::str(d, "detail") : r->body.substr(0, 200);
    const int exit = r->status == 404 || r->status == 403 || r->status == 410 ? exit_not_found : exit_failure;
    throw cli_error(exit, what + " failed: HTTP " + std::to_string(r->status) +
                              (code.empty() ? "" : " " + code) + (detail.empty() ? "" : " (" + detail + ")"),
                    r->status == 403 ? "the node needs an operator token (--operator-token or NEXUS_OPERATOR_TOKEN)"
                    : r->status == 410 ? "ask for a new invite"
                                       : "");
  }
  return d;
}

/// Opens sealed_root_key with the claim key; exactly 32 bytes (§7.2).
std::string open_root_key(const std::string& sealed_b64, const crypto::box_keypair& kp) {
  auto sealed = crypto::from_base64(sealed_b64, crypto::base64_variant::url_no_padding);
  auto root = sealed ? crypto::sealed_box_open(*sealed, kp) : std::nullopt;
  if (!root || root->size() != 32)
    throw cli_error(exit_failure, "the sealed mesh root key does not open to 32 bytes",
                    "the broker answered with a key for someone else; do not use this mesh");
  return crypto::to_base64(root->data(), root->size(), crypto::base64_variant::url_no_padding);
}

void make_default_if_first(const home& h, const std::string& mesh_id) {
  auto cfg = h.load_config();
  if (cfg.default_mesh.empty()) {
    cfg.default_mesh = mesh_id;
    h.save_config(cfg);
  }
}

void print_joined(const context& ctx, const mesh_record& m, const char* verb) {
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("meshId", m.mesh_id);
    j.w.str_field("name", m.mesh_name);
    j.w.str_field("memberId", m.member_id);
    j.w.str_field("role", m.role);
    j.w.str_field("ownerPubkey", m.owner_pubkey);
    j.w.str_field("broker", m.broker);
    j.done();
    return;
  }
  std::cout << verb << " mesh " << m.mesh_name << " (" << m.mesh_id << ") as " << m.role << "\n";
}

} // namespace

int run_mesh_create(context& ctx) {
  auto id = ctx.home.load_identity();
  const std::string name = ctx.args.at(0);
  if (name.empty() || name.find('|') != std::string::npos)
    throw usage_error("the mesh name must be non-empty and must not contain '|'", "mesh create");
  const std::string display = ctx.option("name").value_or(ctx.home.load_config().display_name);
  auto url = broker_for(ctx, nullptr);
  auto claim = crypto::box_generate();
  const std::string recipient = crypto::to_base64(claim.public_key, crypto::base64_variant::url_no_padding);
  const int64_t now = unix_now_ms();
  const std::string canonical = "nexus-mesh-create|" + id.pubkey_hex + "|" + std::to_string(now) + "|" +
                                recipient + "|" + name + "|" + display;
  wire::json_writer w;
  w.begin_object();
  w.str_field("name", name);
  w.str_field("pubkey", id.pubkey_hex);
  w.str_field("display_name", display);
  w.str_field("recipient_x25519_pubkey", recipient);
  w.int_field("timestamp", now);
  w.str_field("signature", sign_hex(id, canonical));
  std::string token = ctx.option("operator-token").value_or("");
  if (token.empty())
    if (const char* t = std::getenv("NEXUS_OPERATOR_TOKEN"))
      token = t;
  if (!token.empty())
    w.str_field("operator_token", token);
  w.end_object();
  auto d = http_json(url, "POST", "/api/meshes", w.take(), ctx, "mesh creation");
  mesh_record m;
  m.mesh_id = client::json::str(d, "mesh_id");
  m.mesh_name = client::json::str(d, "name").empty() ? name : client::json::str(d, "name");
  m.member_id = client::json::str(d, "member_id");
  m.owner_pubkey = client::json::str(d, "owner_pubkey");
  m.role = "owner";
  m.broker = url.ws_url();
  m.display_name = display;
  m.joined_at_ms = now;
  if (m.mesh_id.empty() || m.member_id.empty() || m.owner_pubkey != id.pubkey_hex)
    throw cli_error(exit_failure, "the broker's answer to mesh creation is incomplete or names another owner");
  const std::string root = open_root_key(client::json::str(d, "sealed_root_key"), claim);
  ctx.home.save_mesh(m);
  write_private_file(ctx.home.mesh_file(m.mesh_id, "root.key"), root + "\n");
  make_default_if_first(ctx.home, m.mesh_id);
  print_joined(ctx, m, "Created");
  return exit_ok;
}

int run_invite(context& ctx) {
  const std::string role = ctx.option("role").value_or("member");
  if (role != "member" && role != "admin")
    throw usage_error("--role must be member or admin", "invite");
  int64_t max_uses = 1;
  if (auto v = ctx.option("max-uses")) {
    try {
      size_t used = 0;
      max_uses = std::stoll(*v, &used);
      if (used != v->size() || max_uses < 1)
        throw std::invalid_argument("range");
    } catch (const std::exception&) {
      throw usage_error("--max-uses takes a positive integer (got \"" + *v + "\")", "invite");
    }
  }
  auto ttl = parse_duration_ms(ctx.option("expires").value_or("7d"));
  if (!ttl)
    throw usage_error("--expires takes a duration such as 30m, 12h or 7d", "invite");
  mesh_session s(ctx);
  if (s.mesh().owner_pubkey.empty())
    throw cli_error(exit_failure, "the owner key of mesh " + s.mesh().mesh_name + " is not known to this home",
                    "invites can be made from a home that created or joined the mesh by invite");
  client::invite_create_frame f;
  f.inviteId = crypto::random_base62(32);
  f.expiresAt_s = (unix_now_ms() + *ttl) / 1000;
  f.role = role;
  f.maxUses = max_uses;
  const std::string canonical = "v=2|" + s.mesh().mesh_id + "|" + f.inviteId + "|" +
                                std::to_string(f.expiresAt_s) + "|" + role + "|" + s.mesh().owner_pubkey;
  f.signature = sign_hex(s.me(), canonical);
  auto r = s.expect<client::invite_created_frame>(client::identity_op{f});
  const std::string join_url = s.url().http_base() + "/invites/" + r.code;
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("code", r.code);
    j.w.str_field("url", join_url);
    j.w.str_field("meshId", s.mesh().mesh_id);
    j.w.str_field("role", role);
    j.w.int_field("maxUses", max_uses);
    j.w.int_field("expiresAt", f.expiresAt_s);
    j.done();
  } else {
    std::cout << "Invite code: " << r.code << "\nJoin URL:    " << join_url << "\n"
              << "Role " << role << ", " << max_uses << (max_uses == 1 ? " use" : " uses") << ", expires "
              << short_time(f.expiresAt_s * 1000) << ". The invitee runs: nexus join " << r.code << "\n";
  }
  return exit_ok;
}

int run_join(context& ctx) {
  auto id = ctx.home.load_identity();
  std::string code = ctx.args.at(0);
  std::optional<client::broker_url> url;
  if (code.find("://") != std::string::npos) { // a join URL: the broker is its host
    std::string error;
    url = client::parse_broker_url(code.substr(0, code.find('/', code.find("://") + 3)), &error);
    if (!url)
      throw usage_error("bad join URL: " + error, "join");
    code = code.substr(code.rfind('/') + 1);
  }
  if (code.size() != 8 || code.find_first_not_of("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") != std::string::npos)
    throw usage_error("an invite code is 8 characters of A-Z (no I, O) and 2-9", "join");
  if (!url)
    url = broker_for(ctx, nullptr);
  auto preview = http_json(*url, "GET", "/invites/" + code, "", ctx, "invite lookup");
  const std::string display = ctx.option("name").value_or(ctx.home.load_config().display_name);
  auto claim = crypto::box_generate();
  const std::string recipient = crypto::to_base64(claim.public_key, crypto::base64_variant::url_no_padding);
  wire::json_writer w;
  w.begin_object();
  w.str_field("recipient_x25519_pubkey", recipient);
  w.str_field("peer_pubkey", id.pubkey_hex);
  w.str_field("display_name", display);
  w.str_field("signature", sign_hex(id, "nexus-invite-claim|" + code + "|" + recipient + "|" +
                                            id.pubkey_hex + "|" + display));
  w.end_object();
  auto d = http_json(*url, "POST", "/invites/" + code + "/claim", w.take(), ctx, "invite claim");
  mesh_record m;
  m.mesh_id = client::json::str(d, "mesh_id");
  m.member_id = client::json::str(d, "member_id");
  m.owner_pubkey = client::json::str(d, "owner_pubkey");
  m.mesh_name = client::json::str(preview, "mesh_name").empty() ? m.mesh_id : client::json::str(preview, "mesh_name");
  m.role = client::json::str(d, "role").empty() ? "member" : client::json::str(d, "role");
  m.display_name = client::json::str(d, "display_name").empty() ? display : client::json::str(d, "display_name");
  m.broker = url->ws_url();
  m.joined_at_ms = unix_now_ms();
  if (m.mesh_id.empty() || m.member_id.empty())
    throw cli_error(exit_failure, "the broker's answer to the claim has no mesh or member id");
  const std::string root = open_root_key(client::json::str(d, "sealed_root_key"), claim);
  ctx.home.save_mesh(m);
  write_private_file(ctx.home.mesh_file(m.mesh_id, "root.key"), root + "\n");
  make_default_if_first(ctx.home, m.mesh_id);
  print_joined(ctx, m, "Joined");
  return exit_ok;
}

} // namespace nexus::cli
