// The audit log's SQL (storage/audit_sql.hpp) against a real, freshly
// migrated database: appends of two meshes from many connections at once
// never wait on each other, appends of one mesh queue on its head row only,
// each chain verifies with the C++ verifier (actors/audit_chain.hpp, which
// recomputes every hash PostgreSQL computed), and an audited mutation that
// changes nothing appends nothing.
#include "actors/audit_chain.hpp"
#include "crypto/sodium.hpp"
#include "storage/audit_sql.hpp"
#include "storage/broker_sql.hpp"
#include "storage/collab_sql.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/audit_chain_walk.hpp"
#include "tests/support/test_db.hpp"
#include "tests/support/wait.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

using namespace nexus;
using namespace nexus::storage;
using namespace std::chrono_literals;

namespace {

constexpr int64_t connect_timeout_ms = 10000;

std::string new_id() { return crypto::random_base62(32); }

const statement lock_waiters{
    "test_audit_lock_waiters",
    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() "
    "AND wait_event_type = 'Lock'"};

struct fixture {
  test::test_database db;
  pg_connection conn = pg_connection::connect(db.url(), connect_timeout_ms);
  std::string mesh_a = new_id(), mesh_b = new_id();

  fixture() {
    apply_migrations(conn);
    for (auto* mesh : {&mesh_a, &mesh_b})
      conn.exec(broker_sql::insert_mesh, {*mesh, "mesh", param{}, std::string(64, '0'), "00ff"});
  }

  pg_connection connect() const { return pg_connection::connect(db.url(), connect_timeout_ms); }

  /// Walks `mesh`'s chain with the C++ verifier: {entries, first broken id}.
  std::pair<int64_t, std::optional<int64_t>> verify(const std::string& mesh) {
    return test::verify_audit_chain(conn, mesh);
  }
};

/// The audit parameters; the SQL hashes the payload text as given, so it
/// must be canonical (as actors/audit.cpp guarantees for the broker).
std::vector<param> event(const std::string& mesh, const std::string& type, const std::string& payload) {
  return {mesh, type, param{"M1"}, param{"alice"}, audit::canonical_json(payload).value()};
}

} // namespace

TEST_CASE("an open append of one mesh blocks that mesh only") {
  fixture f;
  auto holder = f.connect();
  holder.exec_script("BEGIN");
  holder.exec(audit_sql::append(), event(f.mesh_a, "first", R"({"n":1})"));

  // Mesh B appends while A's head row is locked: no wait (a timeout would
  // fail the statement instead of hanging the test).
  auto other = f.connect();
  other.exec_script("SET statement_timeout = 5000");
  auto rs = other.exec(audit_sql::append(), event(f.mesh_b, "other", "{}"));
  CHECK(rs.rows.size() == 1);

  // A second append of mesh A waits for the holder, then links after it.
  std::atomic<bool> done{false};
  std::thread second([&] {
    auto c = f.connect();
    c.exec(audit_sql::append(), event(f.mesh_a, "second", R"({"n":2})"));
    done = true;
  });
  CHECK(test::wait_until([&] { return std::stoll(f.conn.exec(lock_waiters).at(0, "n").value()) == 1; }, 10s));
  CHECK_FALSE(done.load());
  holder.exec_script("COMMIT");
  second.join();
  CHECK(done.load());

  auto [n, broken] = f.verify(f.mesh_a);
  CHECK(n == 2);
  CHECK_FALSE(broken);
  auto types = f.conn.exec_script(
      "SELECT string_agg(event_type, ',' ORDER BY id) AS t FROM nexus.audit_log WHERE mesh_id = '" +
      f.mesh_a + "'");
  CHECK(types.at(0, "t").value() == "first,second");
  CHECK(f.verify(f.mesh_b) == std::make_pair(int64_t{1}, std::optional<int64_t>{}));
}

TEST_CASE("concurrent appends of two meshes: every chain complete and valid") {
  fixture f;
  constexpr int threads_per_mesh = 4, appends = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 2 * threads_per_mesh; ++t)
    threads.emplace_back([&, t] {
      try {
        auto c = f.connect();
        const auto& mesh = t % 2 ? f.mesh_b : f.mesh_a;
        for (int i = 0; i < appends; ++i) {
          // Some appends ride in a multi-statement transaction, as the
          // storage actor's group commit does.
          if (i % 5 == 0)
            c.exec_script("BEGIN");
          c.exec(audit_sql::append(),
                 event(mesh, "e", R"({"t":)" + std::to_string(t) + R"(,"i":)" + std::to_string(i) +
                                      R"(,"s":"é\"\n","x":1.5e-7})"));
          if (i % 5 == 4)
            c.exec_script("COMMIT");
        }
      } catch (const std::exception&) {
        ++failures;
      }
    });
  for (auto& t : threads)
    t.join();
  REQUIRE(failures.load() == 0);
  for (const auto& mesh : {f.mesh_a, f.mesh_b}) {
    auto [n, broken] = f.verify(mesh);
    CHECK(n == threads_per_mesh * appends);
    CHECK_FALSE(broken);
  }

  // Tampering is found at the edited row, in that mesh only.
  auto victim = f.conn.exec_script("SELECT id FROM nexus.audit_log WHERE mesh_id = '" + f.mesh_a +
                                   "' ORDER BY id OFFSET 40 LIMIT 1");
  auto id = victim.at(0, "id").value();
  f.conn.exec_script("UPDATE nexus.audit_log SET payload = '{\"t\":0}' WHERE id = " + id);
  CHECK(f.verify(f.mesh_a).second == std::optional<int64_t>(std::stoll(id)));
  CHECK_FALSE(f.verify(f.mesh_b).second);
}

TEST_CASE("audited mutations: the entry rides with a change, and only with one") {
  fixture f;
  auto member = f.conn.exec(broker_sql::insert_member, {new_id(), f.mesh_a, std::string(64, 'a'),
                                                        "alice", "member", param{}, param{}})
                    .at(0, "id")
                    .value();
  auto task = new_id();
  f.conn.exec(collab_sql::insert_task, {task, f.mesh_a, "t", param{}, "normal", "{}", member});
  const auto& claim = audit_sql::audited(collab_sql::claim_task);
  REQUIRE(audit_sql::mutation_params(collab_sql::claim_task) == 4);
  auto params = [&] {
    std::vector<param> p{f.mesh_a, task, "presence", member};
    for (auto& x : event(f.mesh_a, "task_claimed", R"({"taskId":")" + task + R"("})"))
      p.push_back(x);
    return p;
  };
  auto won = f.conn.exec(claim, params());
  REQUIRE(won.rows.size() == 1);
  CHECK(won.at(0, "id").value() == task); // the mutation's own result columns
  CHECK(f.conn.exec(claim, params()).rows.empty()); // not claimable: no entry
  auto [n, broken] = f.verify(f.mesh_a);
  CHECK(n == 1);
  CHECK_FALSE(broken);
  CHECK_THROWS_AS(audit_sql::audited(collab_sql::list_tasks), std::logic_error);
  CHECK(f.verify(f.mesh_b).first == 0);
}
