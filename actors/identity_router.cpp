// The identity router (see identity_router.hpp): mesh creation, the invite
// preview and the invite claim.
#include "actors/identity_router.hpp"

#include "actors/audit.hpp"
#include "actors/audit_chain.hpp"
#include "actors/identity_canonical.hpp"
#include "actors/identity_ops.hpp"
#include "actors/mesh_registry.hpp"
#include "actors/replay_guard.hpp"
#include "actors/status.hpp"
#include "actors/storage_pool.hpp"
#include "config/log.hpp"
#include "crypto/sealed_box.hpp"
#include "storage/identity_json.hpp"
#include "storage/identity_sql.hpp"
#include "storage/mesh_admin.hpp"
#include "transport/identity_http_body.hpp"

#include <caf/all.hpp>

namespace nexus {
namespace {

namespace sql = storage::identity_sql;
using std::chrono::milliseconds;

constexpr size_t id_chars = 32;       // §0.3
constexpr size_t root_key_bytes = 32; // §0.1

struct router_state {
  static inline const char* name = "identity_router";
  config::node_config cfg;
  metrics::node_metrics* metrics = nullptr;
  std::shared_ptr<const storage::node_key> key;
  std::vector<caf::actor> storage;
  std::optional<replay_guard> replay; ///< mesh creation signatures
  uint64_t handled = 0;
  int64_t last_activity_ms = 0;
  int64_t meshes_created = 0, claims = 0;
};

using router_t = caf::stateful_actor<router_state>;

milliseconds timeout(const router_state& st) { return milliseconds(st.cfg.storage_request_timeout_ms); }

const caf::actor& storage_for(const router_state& st, std::string_view key) {
  return st.storage[route_index(key, st.storage.size())];
}

/// A validation failure: its HTTP status and error code (§7.2 table).
struct refusal {
  unsigned status;
  std::string code, detail;
};

void answer(const transport::http_reply& reply, unsigned status, std::string body) {
  reply(transport::http_response::json(status, std::move(body)));
}

void answer(const transport::http_reply& reply, const refusal& r) {
  answer(reply, r.status, wire::encode_http_error(r.code, r.detail));
}

bool is_signature_hex(const std::string& s) {
  auto b = crypto::from_hex(s);
  return b && b->size() == 64;
}

// --- mesh creation ---------------------------------------------------------

unsigned status_of(const std::string& code) {
  if (code == "forbidden")
    return 403;
  if (code == "unavailable")
    return 503;
  return 400; // malformed, timestamp_skew, bad_signature
}

/// Policy, token and shapes; nullopt when the request may go on.
std::optional<refusal> check_create(router_state& st, const mesh_create_request& q) {
  if (st.cfg.mesh_creation == "operator") {
    if (st.cfg.operator_token.empty())
      return refusal{403, "forbidden",
                     "mesh creation needs the operator token and none is configured on this node"};
    if (!q.operator_token || !crypto::tokens_equal(*q.operator_token, st.cfg.operator_token))
      return refusal{403, "forbidden", "operator token missing or wrong"};
  }
  if (auto bad = name_problem(q.name, "name"))
    return refusal{400, "malformed", *bad};
  if (q.name.find('|') != std::string::npos)
    return refusal{400, "malformed", "name must not contain '|'"};
  if (auto bad = name_problem(q.display_name, "display_name"))
    return refusal{400, "malformed", *bad};
  if (!lower_pubkey(q.pubkey))
    return refusal{400, "malformed", "pubkey must be 64 hex characters (an ed25519 public key)"};
  if (!crypto::is_x25519_key_b64url(q.recipient_x25519))
    return refusal{400, "malformed", "recipient_x25519_pubkey must be base64url of 32 bytes"};
  if (!is_signature_hex(q.signature))
    return refusal{400, "malformed", "signature must be 128 hex characters"};
  int64_t now = unix_now_ms();
  if (q.timestamp_ms < now - st.cfg.hello_skew_ms || q.timestamp_ms > now + st.cfg.hello_skew_ms)
    return refusal{400, "timestamp_skew", "timestamp is more than hello_skew_ms from the node's clock"};
  auto canonical = mesh_create_canonical(*lower_pubkey(q.pubkey), q.timestamp_ms, q.recipient_x25519,
                                         q.name, q.display_name);
  if (!crypto::verify_ed25519(canonical, q.signature, *lower_pubkey(q.pubkey)))
    return refusal{400, "bad_signature", "signature does not verify over " + canonical};
  if (!st.replay->check_and_remember(q.signature, now))
    return refusal{400, "bad_signature", "replayed signature"};
  if (!st.key)
    return refusal{503, "unavailable", "the node data key is not available (see the node's log)"};
  if (st.storage.empty())
    return refusal{503, "unavailable", "database not ready, retry shortly"};
  return std::nullopt;
}

void create_mesh(router_t* self, const mesh_create_request& q, std::function<void(identity_reply)> done) {
  auto& st = self->state;
  if (auto r = check_create(st, q)) {
    done(error_reply(r->code, r->detail));
    return;
  }
  const std::string owner = *lower_pubkey(q.pubkey);
  const std::string mesh_id = crypto::random_base62(id_chars);
  const std::string owner_member_id = crypto::random_base62(id_chars);
  auto root_key = crypto::secret_buffer::random(root_key_bytes);
  auto sealed_at_rest = st.key->seal(root_key, storage::mesh_root_key_context(mesh_id));
  auto sealed_for_creator = crypto::seal_b64url(root_key, q.recipient_x25519);
  auto slug = storage::slug_of(q.name);
  audit_event ev{"mesh_created", owner_member_id, q.display_name,
                 audit::payload_builder().string("name", q.name).string("ownerPubkey", owner).str()};
  db_request req{{db_call{&sql::create_mesh,
                          {mesh_id, q.name, slug.empty() ? storage::param{} : storage::param{slug}, owner,
                           crypto::to_hex(sealed_at_rest), owner_member_id, q.display_name}},
                  audit_append(mesh_id, ev)}};
  mesh_created_frame out;
  out.meshId = mesh_id;
  out.name = q.name;
  if (!slug.empty())
    out.slug = slug;
  out.ownerPubkey = owner;
  out.sealedRootKey = *sealed_for_creator;
  self->request(storage_for(st, mesh_id), timeout(st), std::move(req))
      .then(
          [=](db_reply& rows) mutable {
            out.memberId = rows.results.at(0).at(0, "id").value_or("");
            ++self->state.meshes_created;
            log::info("identity") << "mesh " << mesh_id << " (\"" << out.name << "\") created by "
                                  << owner.substr(0, 16) << "…";
            done(identity_reply{out});
          },
          [=](caf::error& err) {
            log::warn("identity") << "mesh creation failed: " << to_string(err);
            done(error_reply("unavailable", "storage unavailable, retry shortly"));
          });
}

void http_create(router_t* self, const mesh_create_request& q, transport::http_reply reply) {
  create_mesh(self, q, [reply](identity_reply r) {
    if (auto* created = std::get_if<mesh_created_frame>(&r.frame)) {
      answer(reply, 201, wire::encode_mesh_created_body(*created));
      return;
    }
    const auto& e = std::get<identity_error>(r.frame);
    answer(reply, status_of(e.code), wire::encode_http_error(e.code, e.message));
  });
}

// --- invites: preview and claim -----------------------------------------------

/// §7.2 steps 3–4 on a read row (claims also skip `exhausted` for a
/// claimant that is already a member: no use is consumed then).
std::optional<refusal> check_invite(const storage::invite_row& inv, const storage::invite_mesh_row& mesh,
                                    bool already_member) {
  if (inv.revoked_ms || !inv.issuer_active)
    return refusal{410, "revoked", inv.revoked_ms ? "the invite was revoked"
                                                  : "the member who issued the invite was removed"};
  if (inv.expired)
    return refusal{410, "expired", "the invite expired"};
  if (!already_member && inv.used_count >= inv.max_uses)
    return refusal{410, "exhausted", "the invite has no uses left"};
  if (mesh.archived)
    return refusal{404, "not_found", "the mesh no longer exists"};
  if (mesh.owner_pubkey.empty() || mesh.root_key_enc_hex.empty())
    return refusal{400, "malformed", "the mesh has no owner key or root key"};
  return std::nullopt;
}

/// §7.2 step 5: the stored capability must be the one recomputed from the
/// row and verify with the key of the member who registered it.
std::optional<refusal> check_capability(const storage::invite_row& inv, const storage::invite_mesh_row& mesh) {
  auto cap = storage::capability_from_json(inv.capability_json);
  if (!cap)
    return refusal{400, "malformed", "the invite's capability is unreadable"};
  auto canonical = invite_capability_canonical(inv.mesh_id, inv.id, inv.expires_s, inv.role, mesh.owner_pubkey);
  if (cap->canonical != canonical || !crypto::verify_ed25519(canonical, cap->signature, inv.signer_pubkey))
    return refusal{400, "bad_signature", "the invite's capability does not verify"};
  return std::nullopt;
}

/// Reads the invite `code` (with the mesh, and whether `peer_pubkey` is
/// already a member) and hands it to `then`; unknown code → 404.
void with_invite(router_t* self, const std::string& code, storage::param peer_pubkey,
                 transport::http_reply reply,
                 std::function<void(storage::invite_row, storage::invite_mesh_row, bool)> then) {
  auto& st = self->state;
  if (st.storage.empty()) {
    answer(reply, refusal{503, "unavailable", "database not ready, retry shortly"});
    return;
  }
  db_request q{{db_call{&sql::invite_by_code, {code, peer_pubkey}}}};
  self->request(storage_for(st, code), timeout(st), std::move(q))
      .then(
          [=](db_reply& rows) {
            const auto& rs = rows.results.at(0);
            if (rs.rows.empty()) {
              answer(reply, refusal{404, "not_found", "no invite " + code});
              return;
            }
            then(storage::invite_from(rs, 0), storage::invite_mesh_from(rs, 0),
                 rs.at(0, "already_member").value_or("f") == "t");
          },
          [=](caf::error& err) {
            log::warn("identity") << "invite lookup failed: " << to_string(err);
            answer(reply, refusal{503, "unavailable", "storage unavailable, retry shortly"});
          });
}

void preview(router_t* self, const invite_preview_call& call, transport::http_reply reply) {
  with_invite(self, call.code, std::nullopt, reply,
              [reply](storage::invite_row inv, storage::invite_mesh_row mesh, bool) {
                if (auto r = check_invite(inv, mesh, false)) {
                  answer(reply, *r);
                  return;
                }
                invite_preview_response out{inv.code, inv.mesh_id, mesh.name, inv.created_by_name,
                                            inv.role, mesh.owner_pubkey, inv.expires_s,
                                            mesh.member_count, inv.max_uses, inv.used_count};
                answer(reply, 200, wire::encode_preview_body(out));
              });
}

/// §7.2 step 1 plus deviation 32's identity: shapes and the claim signature.
std::optional<refusal> check_claim_body(const invite_claim_call& call) {
  const auto& b = call.body;
  if (b.recipient_x25519.size() < 32 || !crypto::is_x25519_key_b64url(b.recipient_x25519))
    return refusal{400, "malformed", "recipient_x25519_pubkey must be base64url of 32 bytes"};
  if (!lower_pubkey(b.peer_pubkey))
    return refusal{400, "malformed", "peer_pubkey must be 64 hex characters (an ed25519 public key)"};
  if (!b.display_name.empty())
    if (auto bad = name_problem(b.display_name, "display_name"))
      return refusal{400, "malformed", *bad};
  if (!is_signature_hex(b.signature))
    return refusal{400, "malformed", "signature must be 128 hex characters"};
  auto canonical = invite_claim_canonical(call.code, b.recipient_x25519, *lower_pubkey(b.peer_pubkey),
                                          b.display_name);
  if (!crypto::verify_ed25519(canonical, b.signature, *lower_pubkey(b.peer_pubkey)))
    return refusal{400, "bad_signature", "the claim signature does not verify over " + canonical};
  return std::nullopt;
}

/// §7.2 steps 6–10 once every check passed: consume and insert atomically
/// (or find the existing member), on the mesh's storage actor.
void consume(router_t* self, invite_claim_call call, storage::invite_row inv, storage::invite_mesh_row mesh,
             std::string sealed, transport::http_reply reply) {
  auto& st = self->state;
  const std::string peer = *lower_pubkey(call.body.peer_pubkey);
  const std::string member_id = crypto::random_base62(id_chars);
  db_request q{{db_call{&sql::claim_existing_member, {inv.id, peer}},
                db_call{&sql::claim_invite, {inv.id, member_id, peer, call.body.display_name,
                                             call.body.recipient_x25519}}}};
  auto storage = storage_for(st, inv.mesh_id);
  self->request(storage, timeout(st), std::move(q))
      .then(
          [=](db_reply& rows) {
            auto& st = self->state;
            const auto& existing = rows.results.at(0);
            const auto& inserted = rows.results.at(1);
            if (existing.rows.empty() && inserted.rows.empty()) {
              answer(reply, refusal{410, "exhausted", "the invite has no uses left"});
              return;
            }
            bool already = !existing.rows.empty();
            auto m = storage::member_from(already ? existing : inserted, 0);
            auto cap = storage::capability_from_json(inv.capability_json);
            invite_claim_response out{sealed, inv.mesh_id, m.id, mesh.owner_pubkey,
                                      cap ? cap->canonical : std::string(), m.role, m.display_name,
                                      already};
            answer(reply, 200, wire::encode_claim_body(out));
            if (already)
              return;
            ++st.claims;
            log::info("identity") << inv.mesh_id << ": invite " << inv.code << " claimed by "
                                  << m.display_name << " (member " << m.id << ")";
            audit_event ev{"invite_claimed", m.id, m.display_name,
                           audit::payload_builder()
                               .string("code", inv.code)
                               .string("memberId", m.id)
                               .string("pubkey", m.peer_pubkey)
                               .str()};
            self->request(storage, timeout(st), db_request{{audit_append(inv.mesh_id, ev)}})
                .then([](db_reply&) {},
                      [](caf::error& err) { log::warn("identity") << "invite_claimed audit failed: " << to_string(err); });
          },
          [=](caf::error& err) {
            log::warn("identity") << "invite claim failed: " << to_string(err);
            answer(reply, refusal{503, "unavailable", "storage unavailable, retry shortly"});
          });
}

void claim(router_t* self, const invite_claim_call& call, transport::http_reply reply) {
  if (auto r = check_claim_body(call)) {
    answer(reply, *r);
    return;
  }
  if (!self->state.key) {
    answer(reply, refusal{503, "unavailable", "the node data key is not available (see the node's log)"});
    return;
  }
  with_invite(self, call.code, *lower_pubkey(call.body.peer_pubkey), reply,
              [self, call, reply](storage::invite_row inv, storage::invite_mesh_row mesh, bool already) {
                if (auto r = check_invite(inv, mesh, already)) {
                  answer(reply, *r);
                  return;
                }
                if (auto r = check_capability(inv, mesh)) {
                  answer(reply, *r);
                  return;
                }
                // Sealed before anything is consumed: a key that cannot be
                // opened or sealed never costs the invite a use.
                storage::mesh_row row;
                row.id = inv.mesh_id;
                row.root_key_enc_hex = mesh.root_key_enc_hex;
                std::optional<std::string> sealed;
                try {
                  sealed = crypto::seal_b64url(storage::open_root_key(*self->state.key, row),
                                               call.body.recipient_x25519);
                } catch (const storage::admin_error& e) {
                  log::error("identity") << e.what();
                }
                if (!sealed) {
                  answer(reply, refusal{500, "root_key_unavailable",
                                        "the mesh root key does not open with this node's key"});
                  return;
                }
                consume(self, call, inv, mesh, *sealed, reply);
              });
}

caf::behavior identity_router(router_t* self, config::node_config cfg,
                              std::shared_ptr<const storage::node_key> key, metrics::node_metrics* metrics) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.metrics = metrics;
  st.key = std::move(key);
  st.replay.emplace(st.cfg.hello_skew_ms, static_cast<size_t>(st.cfg.hello_replay_cache_max));
  auto touch = [self] {
    ++self->state.handled;
    self->state.last_activity_ms = unix_now_ms();
  };
  return {
      [=](identity_http_call& call) {
        touch();
        if (auto* q = std::get_if<mesh_create_request>(&call.request))
          http_create(self, *q, call.reply);
        else if (auto* p = std::get_if<invite_preview_call>(&call.request))
          preview(self, *p, call.reply);
        else
          claim(self, std::get<invite_claim_call>(call.request), call.reply);
      },
      [=](identity_request& req) -> caf::result<identity_reply> {
        touch();
        const auto* f = std::get_if<create_mesh_frame>(&req.op);
        if (f == nullptr)
          return error_reply("invalid", "only create_mesh is answered here");
        auto rp = self->make_response_promise<identity_reply>();
        auto req_id = req.req_id;
        create_mesh(self, f->request, [rp, req_id](identity_reply r) mutable {
          if (auto* created = std::get_if<mesh_created_frame>(&r.frame))
            created->req_id = req_id;
          rp.deliver(std::move(r));
        });
        return rp;
      },
      [=](storage_ready_atom, std::vector<caf::actor> storage) { self->state.storage = std::move(storage); },
      [=](status_atom) {
        auto& st = self->state;
        actor_status s;
        s.kind = "identity_router";
        s.id = "identity_router";
        s.mailbox = self->mailbox().size();
        s.handled = st.handled;
        s.last_activity_ms = st.last_activity_ms;
        s.figures = {{"meshes_created", st.meshes_created}, {"claims", st.claims}};
        return s;
      },
  };
}

} // namespace

std::string invite_code_of(std::string_view target, bool claim) {
  constexpr std::string_view prefix = "/invites/";
  if (target.substr(0, prefix.size()) != prefix)
    return {};
  auto rest = target.substr(prefix.size());
  constexpr std::string_view suffix = "/claim";
  if (claim) {
    if (rest.size() <= suffix.size() || rest.substr(rest.size() - suffix.size()) != suffix)
      return {};
    rest = rest.substr(0, rest.size() - suffix.size());
  }
  if (rest.empty() || rest.find_first_of("/?#") != std::string_view::npos)
    return {};
  return std::string(rest);
}

caf::actor spawn_identity_router(caf::actor_system& sys, const config::node_config& cfg,
                                 std::shared_ptr<const storage::node_key> key,
                                 metrics::node_metrics& metrics) {
  return sys.spawn(identity_router, cfg, std::move(key), &metrics);
}

transport::http_handler make_mesh_create_handler(const config::node_config& cfg, caf::actor router) {
  int64_t depth_max = cfg.json_depth_max;
  return [depth_max, router](transport::http_request req, transport::http_reply reply) {
    auto decoded = wire::decode_mesh_create_body(req.body, depth_max, req.header("authorization"));
    if (!decoded.value) {
      answer(reply, refusal{400, "malformed", decoded.error.detail});
      return;
    }
    caf::anon_send(router, identity_http_call{std::move(*decoded.value), std::move(reply)});
  };
}

transport::http_handler make_invite_preview_handler(caf::actor router) {
  return [router](transport::http_request req, transport::http_reply reply) {
    auto code = invite_code_of(req.target, false);
    if (!is_invite_code(code)) {
      answer(reply, refusal{404, "not_found", "no invite here: the path is /invites/<8-character code>"});
      return;
    }
    caf::anon_send(router, identity_http_call{invite_preview_call{code}, std::move(reply)});
  };
}

transport::http_handler make_invite_claim_handler(const config::node_config& cfg, caf::actor router) {
  int64_t depth_max = cfg.json_depth_max;
  return [depth_max, router](transport::http_request req, transport::http_reply reply) {
    auto code = invite_code_of(req.target, true);
    if (code.empty()) {
      answer(reply, refusal{404, "not_found", "the path is /invites/<code>/claim"});
      return;
    }
    // §7.2 step 1 (malformed) comes before step 2 (not_found).
    auto decoded = wire::decode_claim_body(req.body, depth_max);
    if (!decoded.value) {
      answer(reply, refusal{400, "malformed", decoded.error.detail});
      return;
    }
    if (!is_invite_code(code)) {
      answer(reply, refusal{404, "not_found", "no invite " + code});
      return;
    }
    caf::anon_send(router, identity_http_call{invite_claim_call{code, std::move(*decoded.value)}, std::move(reply)});
  };
}

} // namespace nexus
