// Storage actors against a real PostgreSQL: group commit, per-request
// failure isolation, batch cap, graceful stop, routing, unreachable server.
#include "actors/storage_actor.hpp"
#include "actors/storage_pool.hpp"
#include "tests/support/storage_calls.hpp"
#include "tests/support/storage_fixture.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <set>

using namespace nexus;
using namespace std::chrono_literals;
using storage::storage_errc;
using test::call_all;
using test::one_call;

namespace {

constexpr auto reply_timeout = 30s;

const storage::statement sleep_stmt{"test_batch_sleep", "SELECT pg_sleep($1::float8)"};
const storage::statement insert_kv{"test_batch_insert",
                                   "INSERT INTO kv (k, v) VALUES ($1, $2) RETURNING k"};
const storage::statement backend_pid{"test_batch_pid", "SELECT pg_backend_pid() AS pid"};

using fixture = test::storage_fixture;

/// A request that keeps the actor busy so that the ones sent after it queue
/// up in its mailbox and must share transactions. 2 s: the test thread must
/// have queued its 100-200 requests before it ends, on a loaded machine too
/// (well inside reply_timeout).
std::pair<caf::actor, db_request> hold(const caf::actor& a) {
  return {a, one_call(sleep_stmt, {"2"})};
}

std::pair<caf::actor, db_request> insert(const caf::actor& a, const std::string& k) {
  return {a, one_call(insert_kv, {k, "v-" + k})};
}

} // namespace

TEST_CASE("many concurrent requests share transactions and each gets its own reply") {
  fixture f;
  auto a = f.spawn(f.cfg.storage_batch_max);
  constexpr int n = 200;
  std::vector<std::pair<caf::actor, db_request>> reqs{hold(a)};
  for (int i = 0; i < n; ++i)
    reqs.push_back(insert(a, "k" + std::to_string(i)));
  auto results = call_all(f.sys, reqs, reply_timeout);

  REQUIRE(results.size() == n + 1);
  for (int i = 0; i <= n; ++i) {
    CAPTURE(i);
    REQUIRE_MESSAGE(results[i].ok, f.sys.render(results[i].error));
  }
  for (int i = 1; i <= n; ++i) // each reply is the answer to its own request
    CHECK(results[i].reply.results.at(0).at(0, "k") ==
          std::optional<std::string>("k" + std::to_string(i - 1)));
  CHECK(f.rows() == n);

  auto st = test::status_of(f.sys, a);
  CHECK(st.kind == "storage");
  CHECK(st.figures.at("connected") == 1);
  CHECK(st.figures.at("requests") == n + 1);
  CHECK(st.figures.at("batches") < n / 4); // group commit, not one transaction per request
  CHECK(st.figures.at("max_batch_size") > 1);
  CHECK(f.metrics.storage_batches.value() == static_cast<uint64_t>(st.figures.at("batches")));
  CHECK(f.metrics.storage_batch_size.count() == static_cast<uint64_t>(st.figures.at("batches")));
  CHECK(f.metrics.storage_latency.count() == n + 1);
  CHECK(f.metrics.storage_failures.value() == 0);
  f.stop(a);
}

TEST_CASE("a failing request inside a batch fails alone; the others commit") {
  fixture f;
  auto a = f.spawn(f.cfg.storage_batch_max);
  std::vector<std::pair<caf::actor, db_request>> reqs{hold(a)};
  std::set<size_t> failing;
  for (int i = 0; i < 50; ++i) {
    if (i == 10 || i == 30) { // duplicate key of an earlier request in the same batch
      failing.insert(reqs.size());
      reqs.push_back(insert(a, "k5"));
    }
    reqs.push_back(insert(a, "k" + std::to_string(i)));
  }
  // Two calls, one request: the second fails, so the first must not commit.
  failing.insert(reqs.size());
  reqs.push_back({a, db_request{{db_call{&insert_kv, {"m1", "x"}}, db_call{&insert_kv, {"k1", "dup"}}}}});
  // A call without a statement fails its request only.
  failing.insert(reqs.size());
  reqs.push_back({a, db_request{{db_call{nullptr, {}}}}});
  reqs.push_back(insert(a, "after"));

  auto results = call_all(f.sys, reqs, reply_timeout);
  for (size_t i = 0; i < results.size(); ++i) {
    CAPTURE(i);
    if (failing.count(i)) {
      CHECK_FALSE(results[i].ok);
      CHECK(results[i].code() != storage_errc::none);
    } else {
      CHECK_MESSAGE(results[i].ok, f.sys.render(results[i].error));
    }
  }
  CHECK(results[11].code() == storage_errc::unique_violation); // the first duplicate
  CHECK(results[results.size() - 3].code() == storage_errc::unique_violation);
  CHECK(results[results.size() - 2].code() == storage_errc::query_failed);
  CHECK(f.rows() == 51);
  CHECK_FALSE(f.has("m1"));
  CHECK(f.has("after"));

  auto st = test::status_of(f.sys, a);
  CHECK(st.figures.at("failures") == static_cast<int64_t>(failing.size()));
  CHECK(st.figures.at("batches") < static_cast<int64_t>(reqs.size()) / 4);
  CHECK(f.metrics.storage_failures.value() == failing.size());
  f.stop(a);
}

TEST_CASE("a single failing request (no savepoint) leaves the actor usable") {
  fixture f;
  auto a = f.spawn(f.cfg.storage_batch_max);
  REQUIRE(test::call(f.sys, a, one_call(insert_kv, {"x", "1"}), reply_timeout).ok);
  auto dup = test::call(f.sys, a, one_call(insert_kv, {"x", "2"}), reply_timeout);
  CHECK(dup.code() == storage_errc::unique_violation);
  CHECK(test::call(f.sys, a, one_call(insert_kv, {"y", "1"}), reply_timeout).ok);
  CHECK(f.rows() == 2);
  f.stop(a);
}

TEST_CASE("transactions are capped at storage_batch_max requests") {
  fixture f;
  constexpr int64_t cap = 10;
  auto a = f.spawn(cap);
  constexpr int n = 100;
  std::vector<std::pair<caf::actor, db_request>> reqs{hold(a)};
  for (int i = 0; i < n; ++i)
    reqs.push_back(insert(a, "k" + std::to_string(i)));
  for (const auto& r : call_all(f.sys, reqs, reply_timeout))
    CHECK_MESSAGE(r.ok, f.sys.render(r.error));
  auto st = test::status_of(f.sys, a);
  CHECK(st.figures.at("max_batch_size") == cap); // they queued up, and no batch grew past the cap
  CHECK(st.figures.at("batches") >= (n + 1) / cap);
  CHECK(f.rows() == n);
  f.stop(a);
}

TEST_CASE("the pool routes a key to one actor and shutdown() commits what is queued") {
  fixture f;
  f.cfg.storage_pool_size = 3;
  storage_pool pool(f.sys, f.cfg, f.db.url(), f.metrics);
  REQUIRE(pool.size() == 3);
  CHECK(&pool.route("mesh-a") == &pool.route("mesh-a"));
  CHECK(&pool.route("mesh-a") == &pool.all()[route_index("mesh-a", 3)]);

  // Same key → same actor → same backend session.
  auto pid1 = test::call(f.sys, pool.route("mesh-a"), one_call(backend_pid), reply_timeout);
  auto pid2 = test::call(f.sys, pool.route("mesh-a"), one_call(backend_pid), reply_timeout);
  REQUIRE(pid1.ok);
  REQUIRE(pid2.ok);
  CHECK(pid1.reply.results[0].at(0, "pid") == pid2.reply.results[0].at(0, "pid"));

  // Queue work on every actor, then stop: everything queued before the stop
  // is committed and answered.
  std::vector<std::pair<caf::actor, db_request>> reqs;
  for (const auto& a : pool.all())
    reqs.push_back(hold(a));
  for (int i = 0; i < 60; ++i) {
    auto k = "mesh-" + std::to_string(i);
    reqs.push_back(insert(pool.route(k), k));
  }
  caf::scoped_actor self{f.sys};
  std::vector<decltype(self->request(caf::actor{}, reply_timeout, db_request{}))> handles;
  for (const auto& [a, r] : reqs)
    handles.push_back(self->request(a, reply_timeout, r));
  CHECK(pool.shutdown(30s)); // the holds alone take 2 s
  int ok = 0;
  for (auto& h : handles)
    h.receive([&](db_reply&) { ++ok; },
              [&](caf::error& e) { FAIL_CHECK("request failed: " << f.sys.render(e)); });
  CHECK(ok == static_cast<int>(reqs.size()));
  CHECK(f.rows() == 60);
  CHECK(pool.shutdown(1s)); // idempotent
}

TEST_CASE("an unreachable server gives 'unavailable' at once, not a hang") {
  fixture f;
  auto s = storage_settings::from(f.cfg, "postgresql://nexus@127.0.0.1:1/nexus", 0);
  s.reconnect_min_ms = 20;
  s.reconnect_max_ms = 40;
  auto a = spawn_storage_actor(f.sys, s, f.metrics);
  const auto t0 = std::chrono::steady_clock::now();
  auto r = test::call(f.sys, a, one_call(backend_pid), reply_timeout);
  CHECK(r.code() == storage_errc::unavailable);
  CHECK(std::chrono::steady_clock::now() - t0 < 5s);
  auto st = test::status_of(f.sys, a);
  CHECK(st.figures.at("connected") == 0);
  CHECK(st.figures.at("failures") >= 1);
  f.stop(a);
}

TEST_CASE("a storage actor with invalid settings quits instead of running half-configured") {
  fixture f;
  auto s = f.settings();
  s.batch_max = 0;
  auto a = spawn_storage_actor(f.sys, s, f.metrics);
  caf::scoped_actor self{f.sys};
  self->monitor(a);
  caf::error reason;
  bool down = false;
  self->receive(
      [&](const caf::down_msg& d) {
        down = true;
        reason = d.reason;
      },
      caf::after(10s) >> [] {});
  CHECK(down);
  CHECK(reason == caf::sec::invalid_argument);
}
