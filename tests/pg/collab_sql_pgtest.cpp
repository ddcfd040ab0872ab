// Every collaboration statement (storage/collab_sql.hpp) against a real,
// freshly migrated database: state upserts (JSON null, key order, byte-order
// listing), memory full-text ranking with tags and soft deletes, the task
// board's filters and its atomic claim — 16 connections claiming one task
// in open transactions at once, exactly one winning — and contexts.
#include "crypto/sodium.hpp"
#include "storage/broker_sql.hpp"
#include "storage/collab_sql.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/test_db.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace nexus;
using namespace nexus::storage;
namespace sql = nexus::storage::collab_sql;

namespace {

constexpr int64_t connect_timeout_ms = 10000;

std::string new_id() { return crypto::random_base62(32); }

const statement waiting_on_locks{
    "test_collab_lock_waiters",
    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() "
    "AND wait_event_type = 'Lock'"};

/// A migrated test database with mesh X (members alice, bob) and mesh Y (carol).
struct fixture {
  test::test_database db;
  pg_connection conn = pg_connection::connect(db.url(), connect_timeout_ms);
  std::string mesh_x = new_id(), mesh_y = new_id();
  std::string alice, bob, carol;

  fixture() {
    apply_migrations(conn);
    for (auto* mesh : {&mesh_x, &mesh_y})
      conn.exec(broker_sql::insert_mesh,
                {*mesh, "mesh", param{}, std::string(64, '0'), "00ff"});
    alice = add(mesh_x, 'a', "alice");
    bob = add(mesh_x, 'b', "bob");
    carol = add(mesh_y, 'c', "carol");
  }

  std::string add(const std::string& mesh, char key, const std::string& name) {
    auto rs = conn.exec(broker_sql::insert_member,
                        {new_id(), mesh, std::string(64, key), name, "member", param{}, param{}});
    return rs.at(0, "id").value();
  }

  std::string task(const std::string& title, param assignee = {}, const std::string& mesh = {}) {
    auto id = new_id();
    auto rs = conn.exec(sql::insert_task, {id, mesh.empty() ? mesh_x : mesh, title, assignee,
                                           "normal", pg_text_array({}), alice});
    REQUIRE(rs.rows.size() == 1);
    return id;
  }

  std::vector<std::string> ids(const result_set& rs) {
    std::vector<std::string> out;
    for (size_t i = 0; i < rs.rows.size(); ++i)
      out.push_back(rs.at(i, "id").value());
    return out;
  }
};

} // namespace

TEST_CASE("statements: unique collab_ names, none shared with the core broker") {
  std::set<std::string> names;
  for (const auto* s : broker_sql::all_statements())
    names.insert(s->name);
  for (const auto* s : sql::all_statements()) {
    CHECK(std::string(s->name).rfind("collab_", 0) == 0);
    CHECK(names.insert(s->name).second);
  }
  CHECK(sql::all_statements().size() == 13);
}

TEST_CASE("state: upsert, JSON null, key order kept, byte-order list, member names") {
  fixture f;
  auto set = [&](const std::string& key, const std::string& json, const std::string& member) {
    auto rs = f.conn.exec(sql::upsert_state, {f.mesh_x, key, json, "presence-1", member});
    REQUIRE(rs.rows.size() == 1);
    return state_from(rs, 0);
  };
  auto first = set("b", R"({"z":1,"a":"\u0000x"})", f.alice);
  CHECK(first.key == "b");
  CHECK(first.value_json == R"({"z":1,"a":"\u0000x"})"); // json, not jsonb: kept verbatim
  CHECK(first.updated_by_name == "alice");
  CHECK(first.updated_ms > 1600000000000);
  auto second = set("b", "null", f.bob); // deviation 36: null is a value
  CHECK(second.value_json == "null");
  CHECK(second.updated_by_name == "bob");
  CHECK(second.updated_ms >= first.updated_ms);
  CHECK(set("a", "[1,2]", "no-such-member").updated_by_name == "unknown");
  set("B", "true", f.alice);

  auto one = f.conn.exec(sql::select_state, {f.mesh_x, "b"});
  REQUIRE(one.rows.size() == 1);
  CHECK(state_from(one, 0).value_json == "null");
  CHECK(f.conn.exec(sql::select_state, {f.mesh_x, "missing"}).rows.empty());
  CHECK(f.conn.exec(sql::select_state, {f.mesh_y, "b"}).rows.empty());

  auto all = f.conn.exec(sql::list_state, {f.mesh_x});
  std::vector<std::string> keys;
  for (size_t i = 0; i < all.rows.size(); ++i)
    keys.push_back(state_from(all, i).key);
  CHECK(keys == std::vector<std::string>{"B", "a", "b"}); // byte order, not locale
  CHECK(f.conn.exec(sql::list_state, {f.mesh_y}).rows.empty());
  // Invalid JSON never gets in.
  CHECK_THROWS_AS(set("c", "{nope", f.alice), storage_error);
}

TEST_CASE("memory: ts_rank order, tags searchable, forgotten rows gone, mesh scope, limit") {
  fixture f;
  auto remember = [&](const std::string& content, const std::vector<std::string>& tags,
                      const std::string& mesh, const std::string& member) {
    auto id = new_id();
    auto rs = f.conn.exec(sql::insert_memory, {id, mesh, content, pg_text_array(tags), member});
    REQUIRE(rs.rows.size() == 1);
    return id;
  };
  auto recall = [&](const std::string& query, const std::string& mesh, int limit = 20) {
    return f.ids(f.conn.exec(sql::recall_memory, {mesh, query, std::to_string(limit)}));
  };
  auto weak = remember("we deploy on fridays", {}, f.mesh_x, f.alice);
  auto strong = remember("deploy, deploying, deployed: the deploy runbook", {"ops"}, f.mesh_x, f.bob);
  auto tag_only = remember("cluster notes", {"deploy"}, f.mesh_x, f.alice);
  remember("deploy in the other mesh", {}, f.mesh_y, f.carol);

  CHECK(recall("deploy", f.mesh_x) == std::vector<std::string>{strong, weak, tag_only});
  CHECK(recall("deploy", f.mesh_x, 2) == std::vector<std::string>{strong, weak});
  CHECK(recall("runbook ops", f.mesh_x) == std::vector<std::string>{strong}); // AND of terms
  CHECK(recall("the", f.mesh_x).empty());                                     // stop words only
  CHECK(recall("deploy", f.mesh_y).size() == 1);

  auto rs = f.conn.exec(sql::recall_memory, {f.mesh_x, "runbook", "20"});
  REQUIRE(rs.rows.size() == 1);
  auto m = memory_from(rs, 0);
  CHECK(m.content == "deploy, deploying, deployed: the deploy runbook");
  CHECK(m.tags == std::vector<std::string>{"ops"});
  CHECK(m.remembered_by_name == "bob");

  CHECK(f.conn.exec(sql::forget_memory, {f.mesh_y, strong}).rows.empty()); // other mesh: no-op
  CHECK(f.ids(f.conn.exec(sql::forget_memory, {f.mesh_x, strong})) == std::vector<std::string>{strong});
  CHECK(f.conn.exec(sql::forget_memory, {f.mesh_x, strong}).rows.empty()); // already forgotten
  CHECK(recall("deploy", f.mesh_x) == std::vector<std::string>{weak, tag_only});
  CHECK(recall("runbook", f.mesh_x).empty());
}

TEST_CASE("tasks: insert, newest first, filters, claim once, complete, mesh scope") {
  fixture f;
  auto fix = f.task("Fix CI", std::string("bob"));
  auto docs = f.task("Write docs");
  auto other = f.task("Elsewhere", param{}, f.mesh_y);
  auto list = [&](param status, param assignee, int limit = 100) {
    return f.ids(f.conn.exec(sql::list_tasks, {f.mesh_x, status, assignee, std::to_string(limit)}));
  };
  CHECK(list({}, {}) == std::vector<std::string>{docs, fix});
  CHECK(list({}, {}, 1) == std::vector<std::string>{docs});
  CHECK(list(std::string("open"), std::string("bob")) == std::vector<std::string>{fix});
  CHECK(list(std::string("claimed"), {}).empty());

  auto rs = f.conn.exec(sql::list_tasks, {f.mesh_x, param{}, std::string("bob"), "100"});
  auto t = task_from(rs, 0);
  CHECK(t.title == "Fix CI");
  CHECK(t.status == "open");
  CHECK(t.priority == "normal");
  CHECK(t.created_by_name == std::optional<std::string>("alice"));
  CHECK(!t.claimed_by_name);
  CHECK(t.tags.empty());

  CHECK(f.ids(f.conn.exec(sql::claim_task, {f.mesh_x, fix, "p-bob", f.bob})) ==
        std::vector<std::string>{fix});
  CHECK(f.conn.exec(sql::claim_task, {f.mesh_x, fix, "p-alice", f.alice}).rows.empty());
  CHECK(f.conn.exec(sql::claim_task, {f.mesh_x, other, "p-alice", f.alice}).rows.empty());
  CHECK(f.conn.exec(sql::claim_task, {f.mesh_x, "nope", "p-alice", f.alice}).rows.empty());
  auto claimed = task_from(f.conn.exec(sql::list_tasks, {f.mesh_x, "claimed", param{}, "100"}), 0);
  CHECK(claimed.claimed_by_name == std::optional<std::string>("bob"));

  CHECK(f.ids(f.conn.exec(sql::complete_task, {f.mesh_x, fix, "green"})) ==
        std::vector<std::string>{fix});
  CHECK(f.ids(f.conn.exec(sql::complete_task, {f.mesh_x, docs, param{}})) ==
        std::vector<std::string>{docs}); // any status may be completed
  CHECK(f.conn.exec(sql::complete_task, {f.mesh_x, other, param{}}).rows.empty());
  CHECK(f.conn.exec(sql::complete_task, {f.mesh_x, "nope", param{}}).rows.empty());
  auto done = task_from(f.conn.exec(sql::list_tasks, {f.mesh_x, "done", "bob", "100"}), 0);
  CHECK(done.result == std::optional<std::string>("green"));
  CHECK(list(std::string("done"), {}) == std::vector<std::string>{docs, fix});
}

TEST_CASE("tasks: 16 connections claim one task in concurrent transactions, one wins") {
  fixture f;
  auto task = f.task("Race me");
  constexpr int n = 16;
  std::vector<pg_connection> conns;
  for (int i = 0; i < n; ++i) {
    conns.push_back(pg_connection::connect(f.db.url(), connect_timeout_ms));
    conns.back().exec_script("BEGIN");
  }
  std::atomic<bool> go{false}, commit_winner{false};
  std::atomic<int> winner{-1}, finished{0};
  std::vector<int64_t> rows(n, -1);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      while (!go.load())
        std::this_thread::yield();
      try { // an exception must not escape a thread (it would terminate the run)
        auto rs = conns[i].exec(sql::claim_task,
                                {f.mesh_x, task, "p-" + std::to_string(i), i % 2 ? f.bob : f.alice});
        rows[i] = static_cast<int64_t>(rs.rows.size());
        if (!rs.rows.empty()) {
          winner = i;
          // Hold the row lock until every other claim is queued behind it.
          while (!commit_winner.load())
            std::this_thread::yield();
        }
        conns[i].exec_script("COMMIT");
        ++finished;
      } catch (const storage_error&) {
        rows[i] = -2;
        commit_winner = true; // let a held winner go; the checks below fail
      }
    });
  go = true;
  // Wait (with a deadline) until one claim holds the row and the other n-1
  // are blocked on its lock: then the race is real, not sequential.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int64_t waiting = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    waiting = std::stoll(f.conn.exec(waiting_on_locks).at(0, "n").value());
    if (winner.load() >= 0 && waiting >= n - 1)
      break;
    std::this_thread::yield();
  }
  commit_winner = true;
  for (auto& t : threads)
    t.join();
  CHECK(waiting == n - 1);
  REQUIRE(winner.load() >= 0);
  int wins = 0;
  for (int i = 0; i < n; ++i)
    wins += rows[i] == 1 ? 1 : 0;
  CHECK(wins == 1);
  CHECK(finished.load() == n);
  auto rs = f.conn.exec(sql::list_tasks, {f.mesh_x, "claimed", param{}, "100"});
  REQUIRE(rs.rows.size() == 1);
  CHECK(task_from(rs, 0).claimed_by_name ==
        std::optional<std::string>(winner.load() % 2 ? "bob" : "alice"));
}

TEST_CASE("contexts: one row per member kept on update, search, list") {
  fixture f;
  auto share = [&](const std::string& member, const std::string& summary,
                   const std::vector<std::string>& tags, const std::string& mesh = {}) {
    auto rs = f.conn.exec(sql::upsert_context,
                          {new_id(), mesh.empty() ? f.mesh_x : mesh, member, "presence", summary,
                           pg_text_array({"a.cpp"}), pg_text_array({"found"}), pg_text_array(tags)});
    REQUIRE(rs.rows.size() == 1);
    return std::make_pair(rs.at(0, "id").value(), rs.at(0, "peer_name").value());
  };
  auto [first, name] = share(f.alice, "Refactoring AUTH", {"auth"});
  CHECK(name == "alice");
  auto [second, name2] = share(f.alice, "Auth tests now", {"auth", "tests"});
  CHECK(second == first); // upsert keeps the row
  share(f.bob, "Writing the manual", {"docs"});
  share(f.carol, "auth elsewhere", {"auth"}, f.mesh_y);

  auto search = [&](const std::string& q) {
    auto rs = f.conn.exec(sql::search_contexts, {f.mesh_x, q, "20"});
    std::vector<std::string> names;
    for (size_t i = 0; i < rs.rows.size(); ++i)
      names.push_back(context_from(rs, i).peer_name);
    return names;
  };
  CHECK(search("auth TESTS") == std::vector<std::string>{"alice"});
  CHECK(search("docs") == std::vector<std::string>{"bob"});
  CHECK(search("doc").empty());
  CHECK(search("%").empty()); // a plain substring, not a LIKE pattern
  CHECK(search("") == std::vector<std::string>{"bob", "alice"});

  auto rs = f.conn.exec(sql::search_contexts, {f.mesh_x, "tests", "20"});
  auto c = context_from(rs, 0);
  CHECK(c.summary == "Auth tests now");
  CHECK(c.files_read == std::vector<std::string>{"a.cpp"});
  CHECK(c.key_findings == std::vector<std::string>{"found"});
  CHECK(c.tags == std::vector<std::string>{"auth", "tests"});

  auto all = f.conn.exec(sql::list_contexts, {f.mesh_x});
  REQUIRE(all.rows.size() == 2);
  CHECK(context_from(all, 0).peer_name == "bob");
  CHECK(context_from(all, 1).peer_name == "alice");
  CHECK(context_from(all, 1).files_read.empty()); // not selected by the list
}
