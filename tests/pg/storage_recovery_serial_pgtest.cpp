// Storage actors when the connection breaks under them: a PostgreSQL restart
// ($NEXUS_TEST_PG_RESTART) and pg_terminate_backend. Requests in flight must
// get an error (never hang), and the same actor must serve again afterwards.
// Serial: restarting the shared test server disturbs every other test.
#include "actors/storage_actor.hpp"
#include "tests/support/storage_calls.hpp"
#include "tests/support/storage_fixture.hpp"
#include "tests/support/wait.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

#include <cstdlib>

using namespace nexus;
using namespace std::chrono_literals;
using storage::storage_errc;
using test::one_call;

namespace {

constexpr int64_t connect_timeout_ms = 10000;
/// Longer than any sane recovery, shorter than the in-flight sleep: a request
/// that hangs shows up as CAF's request_timeout, which the checks reject.
constexpr auto reply_timeout = 30s;
constexpr const char* long_sleep_s = "120";

const storage::statement sleep_stmt{"test_rec_sleep", "SELECT pg_sleep($1::float8)"};
const storage::statement insert_kv{"test_rec_insert",
                                   "INSERT INTO kv (k, v) VALUES ($1, $2) RETURNING k"};
const storage::statement backend_pid{"test_rec_pid", "SELECT pg_backend_pid() AS pid"};
const storage::statement sleeping{"test_rec_sleeping",
                                  "SELECT count(*) AS n FROM pg_stat_activity "
                                  "WHERE pid = $1::int AND state = 'active' "
                                  "AND query LIKE '%pg_sleep%'"};
const storage::statement terminate{"test_rec_terminate", "SELECT pg_terminate_backend($1::int)"};

std::string restart_command() {
  const char* v = std::getenv("NEXUS_TEST_PG_RESTART");
  if (!v || !*v)
    FAIL("NEXUS_TEST_PG_RESTART is not set: this test needs the command that restarts the "
         "throwaway PostgreSQL (scripts/test.sh exports it)");
  return v;
}

std::string pid_of(test::storage_fixture& f, const caf::actor& a) {
  auto r = test::call(f.sys, a, one_call(backend_pid), reply_timeout);
  REQUIRE_MESSAGE(r.ok, f.sys.render(r.error));
  return r.reply.results.at(0).at(0, "pid").value();
}

/// Blocks until backend `pid` is executing pg_sleep (so the request is truly
/// in flight on the server, not still in the actor's mailbox).
void wait_until_sleeping(const std::string& url, const std::string& pid) {
  auto admin = storage::pg_connection::connect(url, connect_timeout_ms);
  REQUIRE(test::wait_until(
      [&] { return admin.exec(sleeping, {pid}).at(0, "n") == std::optional<std::string>("1"); },
      10s));
}

/// Waits until the actor answers a request successfully again.
bool serves_again(test::storage_fixture& f, const caf::actor& a) {
  return test::wait_until(
      [&] { return test::call(f.sys, a, one_call(backend_pid), 5s).ok; }, 30s, 20ms);
}

/// The in-flight request and others queued behind it, sent without waiting.
struct in_flight {
  caf::scoped_actor self;
  using handle_t = decltype(self->request(caf::actor{}, reply_timeout, db_request{}));
  std::vector<handle_t> handles;

  in_flight(test::storage_fixture& f, const caf::actor& a, int queued) : self(f.sys) {
    handles.push_back(self->request(a, reply_timeout, one_call(sleep_stmt, {long_sleep_s})));
    for (int i = 0; i < queued; ++i)
      handles.push_back(self->request(
          a, reply_timeout, one_call(insert_kv, {"q" + std::to_string(i), "queued"})));
  }

  /// The sleeping request must fail with connection_lost; queued ones may
  /// fail with a storage error or succeed (if the actor was back by then),
  /// but none may time out.
  void check(caf::actor_system& sys) {
    for (size_t i = 0; i < handles.size(); ++i) {
      CAPTURE(i);
      handles[i].receive(
          [&](db_reply&) { CHECK_MESSAGE(i > 0, "the in-flight sleep returned normally"); },
          [&](caf::error& err) {
            INFO(sys.render(err));
            if (i == 0)
              CHECK(storage_errc_of(err) == storage_errc::connection_lost);
            else
              CHECK(storage_errc_of(err) != storage_errc::none);
          });
    }
  }
};


storage_settings fast_reconnect(const test::storage_fixture& f) {
  auto s = f.settings();
  s.reconnect_min_ms = 20;
  s.reconnect_max_ms = 500;
  return s;
}

} // namespace

TEST_CASE("a server restart fails requests in flight; the same actor then serves again") {
  const auto restart = restart_command();
  test::storage_fixture f;
  auto a = f.spawn(fast_reconnect(f));
  const auto old_pid = pid_of(f, a);

  in_flight work(f, a, 20);
  wait_until_sleeping(f.db.url(), old_pid);
  REQUIRE(std::system(restart.c_str()) == 0);
  work.check(f.sys);

  REQUIRE(serves_again(f, a));
  CHECK(pid_of(f, a) != old_pid);
  auto ok = test::call(f.sys, a, one_call(insert_kv, {"after", "restart"}), reply_timeout);
  CHECK_MESSAGE(ok.ok, f.sys.render(ok.error));
  CHECK(f.has("after"));
  auto st = test::status_of(f.sys, a);
  CHECK(st.figures.at("connected") == 1);
  CHECK(st.figures.at("reconnects") >= 1);
  CHECK(f.metrics.storage_failures.value() >= 1);
  f.stop(a);
}

TEST_CASE("pg_terminate_backend of a busy session fails its requests; later ones succeed") {
  test::storage_fixture f;
  auto a = f.spawn(fast_reconnect(f));
  const auto old_pid = pid_of(f, a);

  in_flight work(f, a, 20);
  wait_until_sleeping(f.db.url(), old_pid);
  auto admin = storage::pg_connection::connect(f.db.url(), connect_timeout_ms);
  REQUIRE(admin.exec(terminate, {old_pid}).at(0, "pg_terminate_backend") ==
          std::optional<std::string>("t"));
  work.check(f.sys);

  REQUIRE(serves_again(f, a));
  CHECK(pid_of(f, a) != old_pid);
  CHECK(test::call(f.sys, a, one_call(insert_kv, {"after", "terminate"}), reply_timeout).ok);
  CHECK(test::status_of(f.sys, a).figures.at("reconnects") >= 1);
  f.stop(a);
}

TEST_CASE("an idle session killed under the actor is replaced without failing the next request") {
  test::storage_fixture f;
  auto a = f.spawn(fast_reconnect(f));
  const auto old_pid = pid_of(f, a);
  auto admin = storage::pg_connection::connect(f.db.url(), connect_timeout_ms);
  admin.exec(terminate, {old_pid});
  // Nothing was in flight, so the actor may reconnect and run the request.
  auto r = test::call(f.sys, a, one_call(insert_kv, {"idle", "x"}), reply_timeout);
  CHECK_MESSAGE(r.ok, f.sys.render(r.error));
  CHECK(pid_of(f, a) != old_pid);
  CHECK(test::status_of(f.sys, a).figures.at("reconnects") == 1);
  f.stop(a);
}
