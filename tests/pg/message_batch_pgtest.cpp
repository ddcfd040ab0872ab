// The merged audited queue insert (storage/message_batch_sql.hpp, folded by
// actors/storage_merge.cpp, run by actors/storage_batch.cpp) against a real,
// freshly migrated database: a group commit of sends produces exactly the
// message rows and the audit chain that the same sends inserted one by one
// produce (compared column by column between two databases; the hashes are
// recomputed in C++ from the stored fields, since each append hashes its own
// millisecond), the chain continues across single and merged appends, each
// send gets its own row back, a failing send fails alone, and a batch waits
// for another writer's head lock and links after it.
#include "actors/audit.hpp"
#include "actors/audit_chain.hpp"
#include "actors/storage_batch.hpp"
#include "actors/storage_merge.hpp"
#include "crypto/sodium.hpp"
#include "storage/audit_sql.hpp"
#include "storage/broker_sql.hpp"
#include "storage/message_batch_sql.hpp"
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

// Fixed ids, so two databases hold comparable rows.
const std::string mesh_id = "mesh-batch-test";
const std::string other_mesh = "mesh-batch-other";
const std::string alice = "member-alice", bob = "member-bob";

const statement lock_waiters{
    "test_batch_lock_waiters",
    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() "
    "AND wait_event_type = 'Lock'"};

// Every column that does not depend on the clock, in chain/arrival order.
const statement queue_rows{
    "test_batch_queue_rows",
    "SELECT id, mesh_id, sender_member_id, coalesce(sender_session_pubkey, '<null>') AS session, "
    "target_spec, priority, nonce, ciphertext, coalesce(client_message_id, '<null>') AS cmid, "
    "coalesce(request_fingerprint, '<null>') AS fp, delivered_at IS NULL AS undelivered "
    "FROM nexus.message_queue WHERE mesh_id = $1 ORDER BY created_at, id"};
const statement queue_order{
    "test_batch_queue_order",
    "SELECT string_agg(id, ',' ORDER BY created_at, id) AS ids, "
    "count(DISTINCT created_at) AS distinct_times, count(*) AS n "
    "FROM nexus.message_queue WHERE mesh_id = $1"};
const statement audit_rows{
    "test_batch_audit_rows",
    "SELECT mesh_id, event_type, coalesce(actor_member_id, '<null>') AS actor, "
    "coalesce(actor_display_name, '<null>') AS name, payload::text AS payload "
    "FROM nexus.audit_log WHERE mesh_id = $1 ORDER BY id"};
const statement head_of{
    "test_batch_head",
    "SELECT h.prev_hash, h.last_hash, (SELECT hash FROM nexus.audit_log WHERE mesh_id = $1 "
    "ORDER BY id DESC LIMIT 1) AS newest, (SELECT prev_hash FROM nexus.audit_log "
    "WHERE mesh_id = $1 ORDER BY id DESC LIMIT 1) AS newest_prev "
    "FROM nexus.audit_head h WHERE h.mesh_id = $1"};

/// One send as mesh_send.cpp queues it.
struct send_row {
  std::string id, sender;
  std::optional<std::string> session;
  std::string target, priority, nonce, ciphertext, cmid, fp, sender_name;
  bool system_actor = false; ///< the entry names no actor ("null" in the hash)
};

send_row make_send(int i, const std::string& sender) {
  send_row s;
  s.id = new_id();
  s.sender = sender;
  if (i % 3 != 0) // some sends come from a member key (no session pubkey)
    s.session = std::string(64, static_cast<char>('a' + i % 6));
  s.target = i % 4 == 0 ? "*" : std::string(64, 'f');
  s.priority = i % 2 == 0 ? "now" : "next";
  s.nonce = "nonce-" + std::to_string(i);
  // Characters an array literal must escape, and non-ASCII.
  s.ciphertext = "ct \"quoted\" back\\slash, {brace} é " + std::to_string(i);
  s.cmid = i % 5 == 0 ? "" : "client-" + std::to_string(i);
  s.fp = i % 7 == 0 ? "fp-" + std::to_string(i) : "";
  s.sender_name = sender == alice ? "Alice \"A\"" : "bob";
  return s;
}

std::vector<const db_request*> pointers_to(const std::vector<db_request>& reqs) {
  std::vector<const db_request*> out;
  for (const auto& r : reqs)
    out.push_back(&r);
  return out;
}

db_request request_of(const send_row& s, const std::string& mesh = mesh_id) {
  audit_event ev{"message_sent", s.sender, s.sender_name,
                 audit::payload_builder().string("targetSpec", s.target).string("priority", s.priority).str()};
  if (s.system_actor)
    ev.actor_member_id = ev.actor_display_name = std::nullopt;
  db_call insert{&broker_sql::insert_message,
                 {s.id, mesh, s.sender, s.session ? param{*s.session} : param{}, s.target, s.priority,
                  s.nonce, s.ciphertext, s.cmid, s.fp}};
  return db_request{{audited(std::move(insert), mesh, ev)}};
}

struct database {
  test::test_database db;
  pg_connection conn = pg_connection::connect(db.url(), connect_timeout_ms);

  database() {
    apply_migrations(conn);
    for (const auto* mesh : {&mesh_id, &other_mesh}) {
      conn.exec(broker_sql::insert_mesh, {*mesh, "mesh", param{}, std::string(64, '0'), "00ff"});
      conn.exec_script("INSERT INTO nexus.member (id, mesh_id, peer_pubkey, display_name, role) VALUES "
                       "('" + alice + (*mesh == mesh_id ? "" : "-2") + "', '" + *mesh + "', '" +
                       std::string(64, '1') + "', 'alice', 'member'), ('" + bob +
                       (*mesh == mesh_id ? "" : "-2") + "', '" + *mesh + "', '" + std::string(64, '2') +
                       "', 'bob', 'member')");
    }
  }

  pg_connection connect() const { return pg_connection::connect(db.url(), connect_timeout_ms); }

  /// execute_batch over `reqs`; every request must succeed.
  batch_outcome run(const std::vector<db_request>& reqs) {
    return execute_batch(conn, pointers_to(reqs));
  }

  /// One transaction per send, unmerged.
  void run_singly(const std::vector<send_row>& sends) {
    for (const auto& s : sends) {
      auto out = run({request_of(s)});
      REQUIRE(out.requests.at(0).error == storage_errc::none);
    }
  }

  /// Walks `mesh`'s chain with the C++ verifier: {entries, first broken id}.
  std::pair<int64_t, std::optional<int64_t>> verify(const std::string& mesh) {
    return test::verify_audit_chain(conn, mesh);
  }

  /// The mesh's entries' event types, comma-separated in chain order.
  std::string event_types() {
    return conn.exec_script("SELECT string_agg(event_type, ',' ORDER BY id) AS t FROM nexus.audit_log "
                            "WHERE mesh_id = '" + mesh_id + "'")
        .at(0, "t")
        .value();
  }

  std::vector<std::vector<std::optional<std::string>>> rows(const statement& s, const std::string& mesh = mesh_id) {
    return conn.exec(s, {mesh}).rows;
  }
};

std::vector<send_row> sends(int n, int from = 0) {
  std::vector<send_row> out;
  for (int i = from; i < from + n; ++i)
    out.push_back(make_send(i, i % 2 == 0 ? alice : bob));
  return out;
}

std::vector<db_request> requests_of(const std::vector<send_row>& s) {
  std::vector<db_request> out;
  for (const auto& r : s)
    out.push_back(request_of(r));
  return out;
}

/// Checks that request i's reply is exactly its own row (id, created_ms).
void check_own_rows(const batch_outcome& out, const std::vector<send_row>& s) {
  REQUIRE(out.requests.size() == s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    CAPTURE(i);
    const auto& r = out.requests[i];
    REQUIRE(r.error == storage_errc::none);
    REQUIRE(r.reply.results.size() == 1);
    const auto& rs = r.reply.results[0];
    REQUIRE(rs.rows.size() == 1);
    CHECK(rs.at(0, "id") == std::optional<std::string>(s[i].id));
    CHECK(std::stoll(rs.at(0, "created_ms").value()) > 0);
  }
}

} // namespace

TEST_CASE("a batch of sends merges into one multi-row insert") {
  auto s = sends(5);
  auto reqs = requests_of(s);
  auto batch = pointers_to(reqs);
  auto plan = merge_batch(batch);
  CHECK(plan.any);
  REQUIRE(plan.run.size() == 1);
  REQUIRE(plan.run[0]->calls.size() == 1); // the node links the chain: one insert
  CHECK(plan.run[0]->calls[0].stmt == &message_batch_sql::insert_chained);
  REQUIRE(plan.links.size() == 1);
  CHECK(plan.links[0].mesh == mesh_id);
  CHECK(plan.links[0].request == plan.run[0]);
  CHECK(plan.links[0].rows == batch);
  CHECK(plan.answers[0] == std::vector<size_t>{0, 1, 2, 3, 4});

  // An empty session key would become NULL in the array form: not merged.
  auto odd = s[1];
  odd.session = std::string();
  reqs[1] = request_of(odd);
  plan = merge_batch(batch);
  CHECK(plan.run.size() == 2);
  CHECK(plan.run[1] == batch[1]);
}

db_request append_of(const std::string& mesh, const std::string& event) {
  return db_request{{db_call{&audit_sql::append(), {mesh, event, param{}, param{}, std::string("{}")}}}};
}

TEST_CASE("the server links a merged batch behind another append that may move its head") {
  auto s = sends(3);
  auto reqs = requests_of(s);
  auto plan_with = [&](std::vector<db_request> before) {
    for (auto& r : reqs)
      before.push_back(r);
    std::vector<db_request> all = std::move(before);
    auto plan = merge_batch(pointers_to(all));
    REQUIRE(plan.run.size() == all.size() - reqs.size() + 1);
    const auto* merged = plan.run.back();
    return std::make_pair(merged->calls.front().stmt, plan.links.size());
  };
  // Same mesh: the server reads the head the append left.
  CHECK(plan_with({append_of(mesh_id, "x")}) ==
        std::make_pair(&message_batch_sql::lock_audit_head, size_t{0}));
  // Another mesh's append cannot move this head.
  CHECK(plan_with({append_of(other_mesh, "x")}) ==
        std::make_pair(&message_batch_sql::insert_chained, size_t{1}));
  // A statement on the audit tables whose mesh is unknown: assume the worst.
  CHECK(plan_with({db_request{{db_call{&audit_sql::chain_bounds, {}}}}}) ==
        std::make_pair(&message_batch_sql::lock_audit_head, size_t{0}));
  // Non-audit requests before the sends change nothing.
  CHECK(plan_with({db_request{{db_call{&broker_sql::mark_delivered, {mesh_id, std::string("{}")}}}}}) ==
        std::make_pair(&message_batch_sql::insert_chained, size_t{1}));
}

TEST_CASE("merged sends produce exactly the rows and chain that single inserts produce") {
  database single, merged;
  auto before = sends(3, 100), batch = sends(40), after = sends(2, 200);

  single.run_singly(before);
  single.run_singly(batch);
  single.run_singly(after);

  merged.run_singly(before);
  auto out = merged.run(requests_of(batch));
  check_own_rows(out, batch);
  merged.run_singly(after);

  CHECK(merged.rows(queue_rows) == single.rows(queue_rows));
  CHECK(merged.rows(audit_rows) == single.rows(audit_rows));
  CHECK(merged.rows(queue_rows).size() == 45);
  // Arrival order is drain order: strictly increasing created_at.
  for (auto* d : {&single, &merged}) {
    auto order = d->conn.exec(queue_order, {mesh_id});
    CHECK(order.at(0, "n") == std::optional<std::string>("45"));
    CHECK(order.at(0, "distinct_times") == std::optional<std::string>("45"));
  }
  std::string expected_ids;
  for (const auto* part : {&before, &batch, &after})
    for (const auto& m : *part)
      expected_ids += (expected_ids.empty() ? "" : ",") + m.id;
  CHECK(merged.conn.exec(queue_order, {mesh_id}).at(0, "ids") == std::optional<std::string>(expected_ids));

  // Every link recomputed in C++ from the stored fields, across the single
  // appends before and after the batch; the head is the newest entry.
  CHECK(merged.verify(mesh_id) == std::make_pair(int64_t{45}, std::optional<int64_t>{}));
  CHECK(single.verify(mesh_id) == std::make_pair(int64_t{45}, std::optional<int64_t>{}));
  auto head = merged.conn.exec(head_of, {mesh_id});
  CHECK(head.at(0, "last_hash") == head.at(0, "newest"));
  CHECK(head.at(0, "prev_hash") == head.at(0, "newest_prev"));
}

TEST_CASE("a mesh's first appends, merged, start the chain at genesis") {
  database d;
  auto s = sends(10);
  check_own_rows(d.run(requests_of(s)), s);
  CHECK(d.verify(mesh_id) == std::make_pair(int64_t{10}, std::optional<int64_t>{}));
  auto first = d.conn.exec(audit_sql::chain_page, {mesh_id, "0", "9223372036854775807", "1"});
  CHECK(first.at(0, "prev_hash") == std::optional<std::string>("genesis"));
}

TEST_CASE("sends of two meshes and other requests in one batch each get their own rows") {
  database d;
  auto a = sends(6);
  std::vector<send_row> b;
  for (int i = 0; i < 4; ++i)
    b.push_back(make_send(50 + i, i % 2 ? alice + "-2" : bob + "-2"));
  std::vector<db_request> reqs;
  std::vector<send_row> order; // which send each request is, for the replies
  for (size_t i = 0; i < 6; ++i) {
    reqs.push_back(request_of(a[i]));
    order.push_back(a[i]);
    if (i < b.size()) {
      reqs.push_back(request_of(b[i], other_mesh));
      order.push_back(b[i]);
    }
  }
  auto plan = merge_batch(pointers_to(reqs));
  CHECK(plan.links.size() == 2);
  // Locked in mesh order, whatever the batch order (other < test).
  CHECK(plan.head_locks == std::vector<std::string>{other_mesh, mesh_id});
  auto out = d.run(reqs);
  check_own_rows(out, order);
  CHECK(d.verify(mesh_id) == std::make_pair(int64_t{6}, std::optional<int64_t>{}));
  CHECK(d.verify(other_mesh) == std::make_pair(int64_t{4}, std::optional<int64_t>{}));
  CHECK(d.rows(queue_rows, other_mesh).size() == 4);
}

TEST_CASE("a failing send in a merged batch fails alone; no duplicates, the chain stays valid") {
  database d;
  auto first = sends(2, 300);
  d.run_singly(first);
  auto s = sends(12);
  s[4].id = first[0].id;       // duplicate primary key
  s[9].priority = "urgent"; // check constraint violation
  auto out = d.run(requests_of(s));
  REQUIRE(out.requests.size() == s.size());
  CHECK_FALSE(out.connection_lost);
  for (size_t i = 0; i < s.size(); ++i) {
    CAPTURE(i);
    if (i == 4 || i == 9) {
      CHECK(out.requests[i].error != storage_errc::none);
      continue;
    }
    REQUIRE(out.requests[i].error == storage_errc::none);
    CHECK(out.requests[i].reply.results.at(0).at(0, "id") == std::optional<std::string>(s[i].id));
  }
  CHECK(d.rows(queue_rows).size() == 2 + 10);
  CHECK(d.verify(mesh_id) == std::make_pair(int64_t{12}, std::optional<int64_t>{}));
}

TEST_CASE("a merged batch waits for another writer's head lock and links after it") {
  database d;
  d.run_singly(sends(1, 400));
  auto holder = d.connect();
  holder.exec_script("BEGIN");
  holder.exec(audit_sql::append(), {mesh_id, "outside", param{}, param{}, std::string("{}")});

  std::atomic<bool> done{false};
  auto s = sends(8);
  batch_outcome out;
  std::thread writer([&] {
    auto c = d.connect();
    auto reqs = requests_of(s);
    out = execute_batch(c, pointers_to(reqs));
    done = true;
  });
  CHECK(test::wait_until([&] { return std::stoll(d.conn.exec(lock_waiters).at(0, "n").value()) == 1; }, 10s));
  CHECK_FALSE(done.load());
  holder.exec_script("COMMIT");
  writer.join();
  check_own_rows(out, s);
  CHECK(d.verify(mesh_id) == std::make_pair(int64_t{10}, std::optional<int64_t>{}));
  CHECK(d.event_types() ==
        "message_sent,outside,message_sent,message_sent,message_sent,message_sent,message_sent,"
        "message_sent,message_sent,message_sent");
}

TEST_CASE("appends of the same mesh before and after a merged batch stay in one valid chain") {
  database d;
  d.run_singly(sends(1, 500));
  auto s = sends(6);
  std::vector<db_request> reqs{append_of(mesh_id, "before")};
  for (const auto& r : requests_of(s))
    reqs.push_back(r);
  reqs.push_back(append_of(mesh_id, "after"));
  auto out = d.run(reqs);
  REQUIRE(out.requests.size() == reqs.size());
  for (const auto& r : out.requests)
    REQUIRE(r.error == storage_errc::none);
  CHECK(d.verify(mesh_id) == std::make_pair(int64_t{9}, std::optional<int64_t>{}));
  CHECK(d.event_types() ==
        "message_sent,before,message_sent,message_sent,message_sent,message_sent,message_sent,"
        "message_sent,after");
  auto head = d.conn.exec(head_of, {mesh_id});
  CHECK(head.at(0, "last_hash") == head.at(0, "newest"));
}

TEST_CASE("a node-linked insert whose head moved fails and writes nothing") {
  database d;
  d.run_singly(sends(2, 600));
  auto s = sends(4);
  auto reqs = requests_of(s);
  auto batch = pointers_to(reqs);
  auto plan = merge_batch(batch);
  REQUIRE(plan.links.size() == 1);
  // Linked over a head that is not the mesh's (as if another writer had
  // appended between the lock and the insert).
  link_chain(plan.links[0], std::string(64, 'e'), 1700000000000);
  d.conn.exec_script("BEGIN");
  auto head = d.conn.exec(message_batch_sql::lock_audit_head, {mesh_id});
  CHECK(head.at(0, "last_hash") != std::optional<std::string>(std::string(64, 'e')));
  bool failed = false;
  try {
    d.conn.exec(*plan.run[0]->calls[0].stmt, plan.run[0]->calls[0].params);
  } catch (const storage_error& e) {
    failed = true;
    CHECK(std::string(e.what()).find("audit head moved") != std::string::npos);
  }
  CHECK(failed);
  d.conn.exec_script("ROLLBACK");
  CHECK(d.rows(queue_rows).size() == 2);
  CHECK(d.verify(mesh_id) == std::make_pair(int64_t{2}, std::optional<int64_t>{}));

  // The same batch through execute_batch links to the real head.
  auto out = d.run(reqs);
  check_own_rows(out, s);
  CHECK(d.verify(mesh_id) == std::make_pair(int64_t{6}, std::optional<int64_t>{}));
}

TEST_CASE("the heads locked first are every chain the batch may append to, later appends included") {
  auto s = sends(3);
  auto reqs = requests_of(s);
  reqs.push_back(append_of("mesh-a-later", "x"));
  auto plan = merge_batch(pointers_to(reqs));
  REQUIRE(plan.links.size() == 1);
  CHECK(plan.head_locks == std::vector<std::string>{"mesh-a-later", mesh_id});
  // Without a node-linked group nothing is locked early.
  std::vector<db_request> appends{append_of(mesh_id, "x"), append_of(other_mesh, "y")};
  CHECK(merge_batch(pointers_to(appends)).head_locks.empty());
}

TEST_CASE("entries without an actor link the same on the node as in the server") {
  database single, merged;
  auto s = sends(8);
  for (size_t i = 0; i < s.size(); i += 3)
    s[i].system_actor = true;
  single.run_singly(s);
  check_own_rows(merged.run(requests_of(s)), s);
  CHECK(merged.rows(audit_rows) == single.rows(audit_rows));
  CHECK(merged.verify(mesh_id) == std::make_pair(int64_t{8}, std::optional<int64_t>{}));
  auto nulls = merged.conn.exec_script(
      "SELECT count(*) AS n FROM nexus.audit_log WHERE actor_member_id IS NULL AND mesh_id = '" + mesh_id + "'");
  CHECK(nulls.at(0, "n") == std::optional<std::string>("3"));
}

TEST_CASE("a head that cannot be locked reruns the batch: the bad mesh's sends fail alone") {
  database d;
  auto good = sends(5);
  std::vector<send_row> bad;
  for (int i = 0; i < 3; ++i)
    bad.push_back(make_send(70 + i, alice));
  std::vector<db_request> reqs;
  for (size_t i = 0; i < good.size(); ++i) {
    reqs.push_back(request_of(good[i]));
    if (i < bad.size())
      reqs.push_back(request_of(bad[i], "mesh-that-does-not-exist"));
  }
  // The missing mesh's head violates audit_head's foreign key in BEGIN's
  // round trip, before any insert ran.
  auto out = d.run(reqs);
  REQUIRE(out.requests.size() == reqs.size());
  CHECK_FALSE(out.connection_lost);
  CHECK_FALSE(out.nothing_attempted);
  for (size_t i = 0, g = 0; i < reqs.size(); ++i) {
    CAPTURE(i);
    const bool is_bad = i % 2 == 1 && i < 2 * bad.size();
    if (is_bad) {
      CHECK(out.requests[i].error != storage_errc::none);
      continue;
    }
    REQUIRE(out.requests[i].error == storage_errc::none);
    CHECK(out.requests[i].reply.results.at(0).at(0, "id") == std::optional<std::string>(good[g++].id));
  }
  CHECK(d.rows(queue_rows).size() == good.size());
  CHECK(d.rows(queue_rows, "mesh-that-does-not-exist").empty());
  CHECK(d.verify(mesh_id) == std::make_pair(int64_t{5}, std::optional<int64_t>{}));
}

TEST_CASE("node-linked entries carry the server's clock") {
  database d;
  auto before = std::stoll(d.conn.exec_script("SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint "
                                              "AS ms").at(0, "ms").value());
  auto s = sends(4);
  check_own_rows(d.run(requests_of(s)), s);
  auto after = std::stoll(d.conn.exec_script("SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint "
                                             "AS ms").at(0, "ms").value());
  auto stamps = d.conn.exec_script(
      "SELECT min(floor(extract(epoch FROM created_at) * 1000))::bigint AS lo, "
      "max(floor(extract(epoch FROM created_at) * 1000))::bigint AS hi FROM nexus.audit_log WHERE mesh_id = '" +
      mesh_id + "'");
  CHECK(std::stoll(stamps.at(0, "lo").value()) >= before);
  CHECK(std::stoll(stamps.at(0, "hi").value()) <= after);
  CHECK(stamps.at(0, "lo") == stamps.at(0, "hi")); // one stamp per batch
}
