// The POST /hook/set-status route and its hook_router actor (see hook_route.hpp).
#include "actors/hook_route.hpp"

#include "actors/broker_messages.hpp"
#include "actors/mesh_registry.hpp"
#include "actors/status.hpp"
#include "actors/status_engine.hpp"
#include "actors/storage_messages.hpp"
#include "actors/storage_pool.hpp"
#include "actors/token_bucket.hpp"
#include "config/log.hpp"
#include "storage/broker_sql.hpp"

#include <caf/all.hpp>

#include <arpa/inet.h>

#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace nexus {
namespace {

using std::chrono::milliseconds;

int64_t monotonic_ms() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void answer(const transport::http_reply& reply, unsigned status, std::string body) {
  reply(transport::http_response::json(status, std::move(body)));
}

void answer_error(const transport::http_reply& reply, unsigned status, std::string_view message) {
  answer(reply, status, wire::encode_hook_error(message));
}

struct hook_router_state {
  static inline const char* name = "hook_router";

  config::node_config cfg;
  caf::actor registry;
  std::vector<caf::actor> storage; ///< the pool; empty until the database is ready
  std::map<std::string, token_bucket> buckets; ///< "<pid or 0>:<cwd>" → bucket
  metrics::counter* requests = nullptr;        ///< broker_hook_requests_total
  metrics::counter* rate_limited = nullptr;    ///< broker_hook_requests_rate_limited_total
  uint64_t handled = 0;
  int64_t last_activity_ms = 0;
  int64_t applied = 0, pending = 0;
};

using hook_router_t = caf::stateful_actor<hook_router_state>;

/// A validated hook on its way through lookup → pending or mesh.
struct hook_call {
  std::string cwd, status;
  std::optional<int64_t> pid;
  transport::http_reply reply;
};

milliseconds timeout(const hook_router_state& st) { return milliseconds(st.cfg.storage_request_timeout_ms); }

void collect_idle(hook_router_state& st, int64_t now) {
  for (auto it = st.buckets.begin(); it != st.buckets.end();)
    it = it->second.idle_for(now, hook_bucket_idle_ms) ? st.buckets.erase(it) : std::next(it);
}

/// §6.4 step 3: one take from the key's bucket; false when rate limited.
bool take_token(hook_router_state& st, const std::string& key) {
  int64_t now = monotonic_ms();
  auto it = st.buckets.find(key);
  if (it == st.buckets.end()) {
    if (st.buckets.size() >= hook_buckets_max)
      collect_idle(st, now);
    if (st.buckets.size() >= hook_buckets_max) {
      auto lru = st.buckets.begin();
      for (auto i = st.buckets.begin(); i != st.buckets.end(); ++i)
        if (i->second.last_used_ms() < lru->second.last_used_ms())
          lru = i;
      st.buckets.erase(lru);
    }
    it = st.buckets
             .emplace(key, token_bucket(static_cast<double>(st.cfg.hook_rate_burst),
                                        static_cast<double>(st.cfg.hook_rate_per_min), now))
             .first;
  }
  return it->second.try_take(now);
}

void fail_busy(const hook_call& call, const caf::error& err, const char* step) {
  log::warn("hook") << step << " failed: " << to_string(err);
  answer_error(call.reply, 500, "broker busy, retry");
}

/// §6.4 step 6: nobody with this cwd yet; the join applies it within 10 s.
void insert_pending(hook_router_t* self, hook_call call) {
  auto& st = self->state;
  db_request req{{db_call{&storage::broker_sql::insert_pending_status,
                          {std::to_string(call.pid.value_or(0)), call.cwd, call.status, "hook"}}}};
  self->request(st.storage[route_index(call.cwd, st.storage.size())], timeout(st), std::move(req))
      .then(
          [=](db_reply&) {
            ++self->state.pending;
            answer(call.reply, 200, wire::encode_hook_pending());
          },
          [=](caf::error& err) { fail_busy(call, err, "storing a pending hook status"); });
}

/// §6.4 steps 7–8 in the presence's mesh. The reply comes after the write.
void apply_in_mesh(hook_router_t* self, hook_call call, caf::actor mesh, std::string presence_id) {
  auto& st = self->state;
  self->request(mesh, timeout(st), hook_status_atom::value, presence_id, call.status)
      .then(
          [=](hook_status_reply& r) {
            ++self->state.applied;
            if (!r.found) // a row without a live entry (e.g. mid-join): nothing to change
              log::debug("hook") << "presence " << presence_id << " is not live in its mesh";
            answer(call.reply, 200, wire::encode_hook_applied(presence_id));
          },
          [=](caf::error& err) { fail_busy(call, err, "hook status in the mesh"); });
}

void on_found(hook_router_t* self, hook_call call, std::string presence_id, std::string mesh_id) {
  auto& st = self->state;
  self->request(st.registry, timeout(st), get_mesh_atom::value, mesh_id)
      .then(
          [=](caf::actor mesh) { apply_in_mesh(self, call, std::move(mesh), presence_id); },
          [=](caf::error& err) { fail_busy(call, err, "finding the presence's mesh"); });
}

/// §6.4 step 5: a live presence (any mesh) with this cwd, preferring the pid.
void lookup(hook_router_t* self, hook_call call) {
  auto& st = self->state;
  storage::param pid = call.pid ? storage::param{std::to_string(*call.pid)} : storage::param{};
  db_request req{{db_call{&storage::broker_sql::select_hook_presence, {call.cwd, pid}}}};
  self->request(st.storage[route_index(call.cwd, st.storage.size())], timeout(st), std::move(req))
      .then(
          [=](db_reply& rows) {
            const auto& rs = rows.results.at(0);
            if (rs.rows.empty()) {
              insert_pending(self, call);
              return;
            }
            on_found(self, call, rs.at(0, "id").value_or(""), rs.at(0, "mesh_id").value_or(""));
          },
          [=](caf::error& err) { fail_busy(call, err, "looking up the hook's presence"); });
}

void on_hook(hook_router_t* self, hook_request& req) {
  auto& st = self->state;
  st.requests->inc();
  const auto& b = req.body;
  std::string key = std::to_string(b.pid.value_or(0)) + ":" + b.cwd.value_or("");
  if (!take_token(st, key)) {
    st.rate_limited->inc();
    answer_error(req.reply, 429, "rate limited");
    return;
  }
  if (!b.cwd || !b.status) {
    answer_error(req.reply, 200, "cwd and status required");
    return;
  }
  if (!parse_peer_status(*b.status)) { // the reference fails with 500 here (§6.4)
    answer_error(req.reply, 200, "invalid status");
    return;
  }
  if (st.storage.empty()) {
    answer_error(req.reply, 503, "database unavailable, retry shortly");
    return;
  }
  lookup(self, hook_call{*b.cwd, *b.status, b.pid, std::move(req.reply)});
}

caf::behavior hook_router(hook_router_t* self, config::node_config cfg, caf::actor registry,
                          metrics::node_metrics* metrics) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.registry = std::move(registry);
  st.requests = &metrics->reg.get_counter("broker_hook_requests_total",
                                          "POST /hook/set-status requests");
  st.rate_limited = &metrics->reg.get_counter("broker_hook_requests_rate_limited_total",
                                              "POST /hook/set-status requests refused with 429");
  self->delayed_send(self, milliseconds(hook_bucket_gc_interval_ms), hook_gc_atom::value);
  auto touch = [self] {
    ++self->state.handled;
    self->state.last_activity_ms = unix_now_ms();
  };
  return {
      [=](hook_request& req) {
        touch();
        on_hook(self, req);
      },
      [=](storage_ready_atom, std::vector<caf::actor> storage) {
        self->state.storage = std::move(storage);
      },
      [=](hook_gc_atom) {
        collect_idle(self->state, monotonic_ms());
        self->delayed_send(self, milliseconds(hook_bucket_gc_interval_ms), hook_gc_atom::value);
      },
      [=](status_atom) {
        auto& st = self->state;
        actor_status s;
        s.kind = "hook_router";
        s.id = "hook_router";
        s.mailbox = self->mailbox().size();
        s.handled = st.handled;
        s.last_activity_ms = st.last_activity_ms;
        s.figures = {{"buckets", static_cast<int64_t>(st.buckets.size())},
                     {"applied", st.applied},
                     {"pending", st.pending}};
        return s;
      },
  };
}

} // namespace

bool is_loopback_address(std::string_view address) {
  std::string text(address);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1)
    return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) != 1)
    return false;
  static const unsigned char loopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  if (std::memcmp(v6.s6_addr, loopback6, 16) == 0)
    return true;
  static const unsigned char mapped_prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(v6.s6_addr, mapped_prefix, 12) == 0 && v6.s6_addr[12] == 127;
}

caf::actor spawn_hook_router(caf::actor_system& sys, const config::node_config& cfg,
                             caf::actor registry, metrics::node_metrics& metrics) {
  return sys.spawn(hook_router, cfg, std::move(registry), &metrics);
}

transport::http_handler make_hook_handler(const config::node_config& cfg, caf::actor router) {
  bool allow_remote = cfg.hook_allow_remote == "true";
  int64_t depth_max = cfg.json_depth_max;
  return [allow_remote, depth_max, router](transport::http_request req, transport::http_reply reply) {
    if (!allow_remote && !is_loopback_address(req.remote_address)) {
      answer_error(reply, 403, "forbidden: hook accepted from loopback only");
      return;
    }
    auto decoded = wire::decode_hook_body(req.body, depth_max);
    if (!decoded.body) { // §6.4 step 2: the parser's message with 500
      answer_error(reply, 500, decoded.error);
      return;
    }
    caf::anon_send(router, hook_request{std::move(*decoded.body), std::move(reply)});
  };
}

} // namespace nexus
