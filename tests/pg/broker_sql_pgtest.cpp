// Every core-broker statement against a real, freshly migrated database:
// meshes and members (revoked vs unknown), presences (reset at start-up), the
// queue (drain order, filters, claims, delivery, client_ack rules,
// message_status prefixes, expiry), peer state and pending hook statuses.
#include "crypto/sodium.hpp"
#include "storage/broker_sql.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/test_db.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <vector>

using namespace nexus;
using namespace nexus::storage;
namespace sql = nexus::storage::broker_sql;

namespace {

constexpr int64_t connect_timeout_ms = 10000;

const statement presence_row{
    "test_core_presence_row",
    "SELECT status, status_source, floor(extract(epoch FROM status_updated_at) * 1000)::bigint "
    "AS ms, summary, groups::text AS groups FROM nexus.presence WHERE id = $1"};
// Moves a queue row / pending status into the past (expiry and freshness).
const statement age_message{"test_core_age_message",
                            "UPDATE nexus.message_queue SET created_at = now() - interval '8 days' "
                            "WHERE id = $1"};
const statement age_pending{"test_core_age_pending",
                            "UPDATE nexus.pending_status SET created_at = now() - interval '11 s' "
                            "WHERE id = $1::bigint"};
const statement message_row{"test_core_message_row",
                            "SELECT client_message_id, request_fingerprint, delivered_at IS NOT NULL "
                            "AS delivered, claim_id FROM nexus.message_queue WHERE id = $1"};

std::string hex64(char c) { return std::string(64, c); }
std::string new_id() { return crypto::random_base62(32); }

/// A migrated test database with mesh X (members A and B) and mesh Y.
struct fixture {
  test::test_database db;
  pg_connection conn = pg_connection::connect(db.url(), connect_timeout_ms);
  std::string mesh_x = new_id(), mesh_y = new_id();
  member_row a, b, y_member;

  fixture() {
    apply_migrations(conn);
    for (auto* mesh : {&mesh_x, &mesh_y})
      conn.exec(sql::insert_mesh, {*mesh, "mesh", param{}, hex64('0'), "00ff"});
    a = add(mesh_x, hex64('a'), "alice", "admin");
    b = add(mesh_x, hex64('b'), "bob", "member");
    y_member = add(mesh_y, hex64('c'), "carol", "member");
  }

  member_row add(const std::string& mesh, const std::string& pk, const std::string& name,
                 const std::string& role) {
    auto rs = conn.exec(sql::insert_member, {new_id(), mesh, pk, name, role, param{}, param{}});
    REQUIRE(rs.rows.size() == 1);
    return member_from(rs, 0);
  }

  /// Queues a message from A (session pubkey `spk`) and returns its id.
  std::string send(const std::string& target, const std::string& priority = "next",
                   param spk = {}, std::string client_id = "", std::string id = new_id(),
                   const std::string& mesh = {}) {
    auto rs = conn.exec(sql::insert_message,
                        {id, mesh.empty() ? mesh_x : mesh, mesh.empty() ? a.id : y_member.id, spk,
                         target, priority, "bm9uY2U=", "Y2lwaGVy", client_id, ""});
    REQUIRE(rs.rows.size() == 1);
    CHECK(rs.at(0, "id") == std::optional<std::string>(id));
    CHECK(std::stoll(rs.at(0, "created_ms").value()) > 1600000000000);
    return id;
  }

  std::vector<std::string> drain(const std::vector<std::string>& targets,
                                 const std::vector<std::string>& priorities = {"now", "next", "low"},
                                 param exclude_spk = {}, int limit = 100) {
    auto rs = conn.exec(sql::select_drain, {mesh_x, pg_text_array(targets),
                                            pg_text_array(priorities), exclude_spk,
                                            std::to_string(limit)});
    std::vector<std::string> ids;
    for (size_t i = 0; i < rs.rows.size(); ++i)
      ids.push_back(rs.at(i, "id").value());
    return ids;
  }

  std::vector<std::string> ids_of(const result_set& rs) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < rs.rows.size(); ++i)
      ids.push_back(rs.at(i, "id").value());
    return ids;
  }
};

} // namespace

TEST_CASE("meshes and members: lookups, duplicates, revocation, revoked vs unknown") {
  fixture f;
  auto mesh = f.conn.exec(sql::select_mesh, {f.mesh_x});
  REQUIRE(mesh.rows.size() == 1);
  CHECK(mesh_from(mesh, 0).root_key_enc_hex == "00ff");
  CHECK(f.conn.exec(sql::select_mesh, {"nope"}).rows.empty());

  auto active = f.conn.exec(sql::select_active_member, {f.mesh_x, hex64('a')});
  REQUIRE(active.rows.size() == 1);
  CHECK(member_from(active, 0).id == f.a.id);
  CHECK(member_from(active, 0).default_groups == "[]");
  CHECK(member_from(active, 0).peer_grants == "{}");
  CHECK(f.conn.exec(sql::select_active_member, {f.mesh_y, hex64('a')}).rows.empty());

  // A second active row for the same pubkey is refused by the partial index.
  try {
    f.add(f.mesh_x, hex64('a'), "alice again", "member");
    FAIL("duplicate active member accepted");
  } catch (const storage_error& e) {
    CHECK(e.code() == storage_errc::unique_violation);
  }
  try {
    f.add(f.mesh_x, hex64('d'), "dave", "owner");
    FAIL("role outside admin|member accepted");
  } catch (const storage_error& e) {
    CHECK(e.code() == storage_errc::constraint_violation);
  }

  auto revoked = f.conn.exec(sql::revoke_member, {f.mesh_x, f.a.id});
  REQUIRE(revoked.rows.size() == 1);
  CHECK(member_from(revoked, 0).revoked());
  CHECK(f.conn.exec(sql::revoke_member, {f.mesh_x, f.a.id}).rows.empty()); // only once
  CHECK(f.conn.exec(sql::revoke_member, {f.mesh_y, f.b.id}).rows.empty()); // other mesh
  CHECK(f.conn.exec(sql::select_active_member, {f.mesh_x, hex64('a')}).rows.empty());

  auto any = f.conn.exec(sql::select_member_any, {f.mesh_x, hex64('a')});
  REQUIRE(any.rows.size() == 1);
  CHECK(member_from(any, 0).revoked()); // revoked, not unknown
  CHECK(f.conn.exec(sql::select_member_any, {f.mesh_x, hex64('e')}).rows.empty());

  // Re-adding a revoked pubkey makes a new active member, preferred by _any.
  auto again = f.add(f.mesh_x, hex64('a'), "alice 2", "member");
  any = f.conn.exec(sql::select_member_any, {f.mesh_x, hex64('a')});
  CHECK(member_from(any, 0).id == again.id);
  CHECK_FALSE(member_from(any, 0).revoked());

  auto by_id = f.conn.exec(sql::select_member_by_id, {f.mesh_x, f.a.id});
  REQUIRE(by_id.rows.size() == 1);
  CHECK(member_from(by_id, 0).revoked());

  auto list = f.conn.exec(sql::list_members, {f.mesh_x});
  CHECK(f.ids_of(list) == std::vector<std::string>{f.a.id, f.b.id, again.id}); // oldest first

  auto some = f.conn.exec(sql::select_members_by_ids,
                          {f.mesh_x, pg_text_array({f.b.id, f.y_member.id, "x\"y", ""})});
  CHECK(f.ids_of(some) == std::vector<std::string>{f.b.id}); // other mesh's id not returned
}

TEST_CASE("presences: insert, setters, hook lookup, disconnect and the start-up reset") {
  fixture f;
  auto p1 = new_id(), p2 = new_id(), p3 = new_id();
  auto insert = [&](const std::string& id, const member_row& m, const std::string& mesh, int pid) {
    auto rs = f.conn.exec(sql::insert_presence, {id, mesh, m.id, "sess-" + id, param{}, param{},
                                                 std::to_string(pid), "/work", "[]", "session"});
    REQUIRE(rs.rows.size() == 1);
    CHECK(rs.at(0, "id") == std::optional<std::string>(id));
  };
  insert(p1, f.a, f.mesh_x, 100);
  insert(p2, f.b, f.mesh_x, 200);
  insert(p3, f.y_member, f.mesh_y, 300);

  CHECK(f.conn.exec(sql::update_presence_status, {p1, "working", "hook", "1717459200123"}).rows.size() == 1);
  CHECK(f.conn.exec(sql::update_presence_summary, {p1, "fixing tests"}).rows.size() == 1);
  CHECK(f.conn.exec(sql::update_presence_groups, {p1, R"([{"name":"core"}])"}).rows.size() == 1);
  CHECK(f.conn.exec(sql::touch_presence, {p1}).rows.size() == 1);
  CHECK_THROWS_AS(f.conn.exec(sql::update_presence_status, {p1, "sleeping", "hook", "0"}),
                  storage_error); // status outside idle|working|dnd
  auto status = f.conn.exec(presence_row, {p1});
  CHECK(status.at(0, "status") == std::optional<std::string>("working"));
  CHECK(status.at(0, "status_source") == std::optional<std::string>("hook"));
  CHECK(status.at(0, "ms") == std::optional<std::string>("1717459200123"));
  CHECK(status.at(0, "summary") == std::optional<std::string>("fixing tests"));
  CHECK(status.at(0, "groups") == std::optional<std::string>(R"([{"name": "core"}])"));

  // Hook lookup: same cwd, the one with the pid wins, else the newest.
  auto hook = f.conn.exec(sql::select_hook_presence, {"/work", "100"});
  REQUIRE(hook.rows.size() == 1);
  CHECK(hook.at(0, "id") == std::optional<std::string>(p1));
  CHECK(hook.at(0, "status") == std::optional<std::string>("working"));
  hook = f.conn.exec(sql::select_hook_presence, {"/work", param{}});
  CHECK(hook.at(0, "id") == std::optional<std::string>(p3)); // most recently connected
  CHECK(f.conn.exec(sql::select_hook_presence, {"/elsewhere", "100"}).rows.empty());

  // Disconnect once; reattach clears it and keeps the name when none is given.
  CHECK(f.conn.exec(sql::mark_presence_disconnected, {p2}).rows.size() == 1);
  CHECK(f.conn.exec(sql::mark_presence_disconnected, {p2}).rows.empty());
  hook = f.conn.exec(sql::select_hook_presence, {"/work", "200"});
  CHECK(hook.at(0, "id") != std::optional<std::string>(p2)); // gone from live lookups
  CHECK(f.conn.exec(sql::reattach_presence, {p2, "/work2", param{}, "sess-new"}).rows.size() == 1);
  CHECK(f.conn.exec(sql::select_hook_presence, {"/work2", "200"}).at(0, "id") ==
        std::optional<std::string>(p2));

  // Start-up reset (deviation 34): every live presence, counted.
  auto reset = f.conn.exec(sql::reset_presences);
  CHECK(reset.at(0, "reset") == std::optional<std::string>("3"));
  CHECK(f.conn.exec(sql::reset_presences).at(0, "reset") == std::optional<std::string>("0"));
  CHECK(f.conn.exec(sql::select_hook_presence, {"/work", "100"}).rows.empty());
}

TEST_CASE("queue: drain oldest first with target, priority and self-broadcast filters") {
  fixture f;
  const std::string spk_a = hex64('1');
  // Several inserts in one transaction keep their order (clock_timestamp).
  f.conn.exec_script("BEGIN");
  auto m1 = f.send(hex64('b'), "next");
  auto m2 = f.send("*", "now", spk_a);
  auto m3 = f.send("@core", "low");
  auto m4 = f.send(hex64('b'), "now", param{}, "client-4");
  auto other = f.send(hex64('c'), "next"); // to someone else
  f.conn.exec_script("COMMIT");
  f.send(hex64('b'), "next", param{}, "", new_id(), f.mesh_y); // other mesh

  const std::vector<std::string> b_targets{hex64('b'), "*", "@all", "@core"};
  CHECK(f.drain(b_targets) == std::vector<std::string>{m1, m2, m3, m4});
  CHECK(f.drain(b_targets, {"now"}) == std::vector<std::string>{m2, m4}); // working/dnd
  CHECK(f.drain(b_targets, {"now", "next", "low"}, spk_a) ==
        std::vector<std::string>{m1, m3, m4}); // A's own broadcast not drained back to A's session
  CHECK(f.drain(b_targets, {"now", "next", "low"}, hex64('9')) ==
        std::vector<std::string>{m1, m2, m3, m4});
  CHECK(f.drain(b_targets, {"now", "next", "low"}, param{}, 2) == std::vector<std::string>{m1, m2});
  CHECK(f.drain({hex64('c')}) == std::vector<std::string>{other});

  // The drained envelope carries everything a push needs.
  auto rs = f.conn.exec(sql::select_drain, {f.mesh_x, pg_text_array({hex64('b')}),
                                            pg_text_array({"now"}), param{}, "10"});
  REQUIRE(rs.rows.size() == 1);
  CHECK(rs.at(0, "sender_member_pubkey") == std::optional<std::string>(hex64('a')));
  CHECK(rs.at(0, "sender_name") == std::optional<std::string>("alice"));
  CHECK(rs.at(0, "sender_member_id") == std::optional<std::string>(f.a.id));
  CHECK(rs.at(0, "client_message_id") == std::optional<std::string>("client-4"));
  CHECK_FALSE(rs.at(0, "request_fingerprint")); // '' stored as NULL
  CHECK_FALSE(rs.at(0, "sender_session_pubkey"));
  CHECK(rs.at(0, "nonce") == std::optional<std::string>("bm9uY2U="));
  CHECK(rs.at(0, "ciphertext") == std::optional<std::string>("Y2lwaGVy"));
  CHECK(rs.at(0, "priority") == std::optional<std::string>("now"));
  CHECK(std::stoll(rs.at(0, "created_ms").value()) > 1600000000000);

  // Queue depth, then delivery (only once) removes rows from drain and depth.
  CHECK(f.conn.exec(sql::queue_depth).at(0, "depth") == std::optional<std::string>("6"));
  auto marked = f.conn.exec(sql::mark_delivered, {f.mesh_x, pg_text_array({m1, m2, "unknown"})});
  CHECK(marked.rows.size() == 2);
  CHECK(f.conn.exec(sql::mark_delivered, {f.mesh_x, pg_text_array({m1})}).rows.empty());
  CHECK(f.conn.exec(sql::mark_delivered, {f.mesh_y, pg_text_array({m3})}).rows.empty());
  CHECK(f.drain(b_targets) == std::vector<std::string>{m3, m4});
  CHECK(f.conn.exec(sql::queue_depth).at(0, "depth") == std::optional<std::string>("4"));

  CHECK_THROWS_AS(f.send(hex64('b'), "urgent"), storage_error); // priority outside now|next|low
}

TEST_CASE("queue: claims hide rows until they expire") {
  fixture f;
  auto m1 = f.send(hex64('b'));
  auto m2 = f.send(hex64('b'));
  auto claim = [&](const std::string& presence, const std::string& ttl_ms, int limit) {
    return f.ids_of(f.conn.exec(sql::claim_drain,
                                {f.mesh_x, pg_text_array({hex64('b')}),
                                 pg_text_array({"now", "next", "low"}), param{},
                                 std::to_string(limit), presence, ttl_ms}));
  };
  CHECK(claim("P1", "30000", 1) == std::vector<std::string>{m1});
  CHECK(claim("P2", "30000", 10) == std::vector<std::string>{m2}); // disjoint
  CHECK(claim("P3", "30000", 10).empty());
  CHECK(f.drain({hex64('b')}).empty());
  CHECK(f.conn.exec(message_row, {m1}).at(0, "claim_id") == std::optional<std::string>("P1"));

  auto m3 = f.send(hex64('b'));
  CHECK(claim("P4", "0", 10) == std::vector<std::string>{m3}); // expires at once
  CHECK(f.drain({hex64('b')}) == std::vector<std::string>{m3});
}

TEST_CASE("client_ack marks only the caller's own or multicast rows (§3.8)") {
  fixture f;
  const std::string spk_b = hex64('2');
  auto to_b = f.send(hex64('b'), "next", param{}, "cid-b");
  auto to_b_session = f.send(spk_b);
  auto to_group = f.send("@core");
  auto to_topic = f.send("#topic1");
  auto to_c = f.send(hex64('c'), "next", param{}, "cid-c");
  const std::string b_own = pg_text_array({hex64('b'), spk_b, "*"});
  auto ack = [&](param broker_id, param client_id, const std::string& own) {
    return f.ids_of(f.conn.exec(sql::client_ack, {f.mesh_x, broker_id, client_id, own}));
  };
  CHECK(ack(to_c, param{}, b_own).empty());      // someone else's DM
  CHECK(ack(param{}, "cid-c", b_own).empty());
  CHECK(ack(param{}, param{}, b_own).empty());   // nothing named
  CHECK(ack(to_b, param{}, b_own) == std::vector<std::string>{to_b});
  CHECK(ack(to_b, param{}, b_own).empty());      // already delivered
  CHECK(ack(param{}, "nope", b_own).empty());
  CHECK(ack(to_b_session, param{}, b_own) == std::vector<std::string>{to_b_session});
  CHECK(ack(to_group, param{}, b_own) == std::vector<std::string>{to_group});
  CHECK(ack(param{}, param{}, b_own).empty());
  CHECK(ack(to_topic, param{}, pg_text_array({hex64('c')})) == std::vector<std::string>{to_topic});
  // By client id, and only in the caller's mesh.
  CHECK(f.ids_of(f.conn.exec(sql::client_ack, {f.mesh_y, param{}, "cid-c",
                                                pg_text_array({hex64('c')})}))
            .empty());
  CHECK(ack(param{}, "cid-c", pg_text_array({hex64('c')})) == std::vector<std::string>{to_c});
  CHECK(f.conn.exec(message_row, {to_c}).at(0, "delivered") == std::optional<std::string>("t"));
}

/// The generic plan (what a prepared statement runs after a few calls) of
/// `sql` with parameter `types`, as EXPLAIN text.
std::string generic_plan(pg_connection& conn, const std::string& name, const std::string& types,
                         const char* sql, const std::string& args) {
  conn.exec_script("SET plan_cache_mode = force_generic_plan");
  conn.exec_script("PREPARE " + name + "(" + types + ") AS " + sql);
  auto rows = conn.exec_script("EXPLAIN EXECUTE " + name + "(" + args + ")");
  std::string plan;
  for (const auto& row : rows.rows)
    plan += row.at(0).value_or("") + "\n";
  return plan;
}

TEST_CASE("delivery statements probe indexes, never scan a mesh's queue (generic plans)") {
  // With statistics of a realistic queue. client_ack's OR over id and client
  // id had no index and planned a sequential scan of the whole queue (fails
  // without migration 0009). mark_delivered must probe the primary key. Not
  // covered here: a generic plan made while the queue was still tiny and
  // never analyzed may walk the drain index (bench/RESULTS.md, round 7).
  // A queue of a realistic size: on a few pages a scan is rightly cheaper.
  fixture f;
  f.conn.exec_script(
      "INSERT INTO nexus.message_queue (id, mesh_id, sender_member_id, target_spec, priority, nonce, "
      "ciphertext, client_message_id) SELECT md5(i::text), '" + f.mesh_x + "', '" + f.a.id +
      "', '" + hex64('b') + "', 'next', 'n', 'c', CASE WHEN i % 2 = 0 THEN 'cid-' || i END "
      "FROM generate_series(1, 20000) i; ANALYZE nexus.message_queue");
  auto mark = generic_plan(f.conn, "plan_mark", "text, text[]", sql::mark_delivered.sql,
                           "'" + f.mesh_x + "', '{a,b}'");
  CAPTURE(mark);
  CHECK(mark.find("message_queue_pkey") != std::string::npos);
  CHECK(mark.find("message_queue_drain") == std::string::npos);
  CHECK(mark.find("Seq Scan on message_queue") == std::string::npos);
  auto ack = generic_plan(f.conn, "plan_ack", "text, text, text, text[]", sql::client_ack.sql,
                          "'" + f.mesh_x + "', 'x', 'cid-7', '{a}'");
  CAPTURE(ack);
  CHECK(ack.find("message_queue_client_id") != std::string::npos);
  CHECK(ack.find("Seq Scan on message_queue") == std::string::npos);
}

TEST_CASE("message_status: exact id, prefix match, ambiguity and mesh isolation (§3.10)") {
  fixture f;
  auto id1 = "PrefixAB" + crypto::random_base62(24);
  auto id2 = "PrefixAC" + crypto::random_base62(24);
  auto id3 = "prefixab" + crypto::random_base62(24); // differs only in case
  f.send(hex64('b'), "next", param{}, "", id1);
  f.send("@core", "low", param{}, "", id2);
  f.send(hex64('b'), "next", param{}, "", id3);
  f.send(hex64('c'), "next", param{}, "", "PrefixAD" + crypto::random_base62(24), f.mesh_y);

  auto exact = f.conn.exec(sql::message_status_exact, {f.mesh_x, id2});
  REQUIRE(exact.rows.size() == 1);
  CHECK(exact.at(0, "target_spec") == std::optional<std::string>("@core"));
  CHECK_FALSE(exact.at(0, "delivered_ms"));
  CHECK(f.conn.exec(sql::message_status_exact, {f.mesh_y, id2}).rows.empty());

  auto prefix = [&](const std::string& mesh, const std::string& p) {
    return f.conn.exec(sql::message_status_prefix, {mesh, p});
  };
  auto amb = prefix(f.mesh_x, "PrefixA");
  REQUIRE(amb.rows.size() == 2);
  CHECK(amb.at(0, "matches") == std::optional<std::string>("2")); // case-sensitive, mesh Y excluded
  auto one = prefix(f.mesh_x, "PrefixAB");
  REQUIRE(one.rows.size() == 1);
  CHECK(one.at(0, "id") == std::optional<std::string>(id1));
  CHECK(one.at(0, "matches") == std::optional<std::string>("1"));
  CHECK(prefix(f.mesh_x, "PrefixAD").rows.empty());
  CHECK(prefix(f.mesh_y, "PrefixAD").rows.size() == 1);
  CHECK(prefix(f.mesh_x, id3).rows.size() == 1); // a full id works as a prefix too

  f.conn.exec(sql::mark_delivered, {f.mesh_x, pg_text_array({id2})});
  exact = f.conn.exec(sql::message_status_exact, {f.mesh_x, id2});
  CHECK(std::stoll(exact.at(0, "delivered_ms").value()) >=
        std::stoll(exact.at(0, "created_ms").value()));
}

TEST_CASE("expired undelivered messages are deleted, delivered ones are kept") {
  fixture f;
  auto old_undelivered = f.send(hex64('b'));
  auto old_delivered = f.send(hex64('b'));
  auto fresh = f.send(hex64('b'));
  f.conn.exec(age_message, {old_undelivered});
  f.conn.exec(age_message, {old_delivered});
  f.conn.exec(sql::mark_delivered, {f.mesh_x, pg_text_array({old_delivered})});
  const std::string week_ms = std::to_string(7LL * 24 * 3600 * 1000);
  CHECK(f.conn.exec(sql::delete_expired_messages, {week_ms}).at(0, "deleted") ==
        std::optional<std::string>("1"));
  CHECK(f.conn.exec(message_row, {old_undelivered}).rows.empty());
  CHECK(f.conn.exec(message_row, {old_delivered}).rows.size() == 1);
  CHECK(f.drain({hex64('b')}) == std::vector<std::string>{fresh});
}

TEST_CASE("peer_state upsert and select; pending statuses: newest fresh, applied once") {
  fixture f;
  CHECK(f.conn.exec(sql::select_peer_state, {f.mesh_x, f.a.id}).rows.empty());
  f.conn.exec(sql::upsert_peer_state, {f.mesh_x, f.a.id, R"(["g1"])", R"({"title":"t"})", "false",
                                       "sum", "Alice", R"({"messagesIn":1})"});
  auto saved = f.conn.exec(sql::upsert_peer_state, {f.mesh_x, f.a.id, R"(["g2"])", "{}", "true",
                                                    param{}, "Alice", R"({"messagesIn":3})"});
  CHECK(std::stoll(saved.at(0, "last_seen_ms").value()) > 1600000000000);
  auto ps = f.conn.exec(sql::select_peer_state, {f.mesh_x, f.a.id});
  REQUIRE(ps.rows.size() == 1); // one row per (mesh, member): last write wins
  CHECK(ps.at(0, "groups") == std::optional<std::string>(R"(["g2"])"));
  CHECK(ps.at(0, "visible") == std::optional<std::string>("t"));
  CHECK_FALSE(ps.at(0, "last_summary"));
  CHECK(ps.at(0, "cumulative_stats") == std::optional<std::string>(R"({"messagesIn": 3})"));

  auto first = f.conn.exec(sql::insert_pending_status, {"42", "/w", "working", "hook"}).at(0, "id");
  auto second = f.conn.exec(sql::insert_pending_status, {"42", "/w", "dnd", "hook"}).at(0, "id");
  f.conn.exec(sql::insert_pending_status, {"43", "/w", "idle", "hook"});
  auto fresh = f.conn.exec(sql::select_pending_status, {"42", "/w", "10000"});
  REQUIRE(fresh.rows.size() == 1);
  CHECK(fresh.at(0, "id") == second); // newest
  CHECK(fresh.at(0, "status") == std::optional<std::string>("dnd"));
  CHECK(f.conn.exec(sql::mark_pending_applied, {second.value()}).rows.size() == 1);
  CHECK(f.conn.exec(sql::mark_pending_applied, {second.value()}).rows.empty());
  fresh = f.conn.exec(sql::select_pending_status, {"42", "/w", "10000"});
  CHECK(fresh.at(0, "id") == first); // the applied one no longer counts
  f.conn.exec(age_pending, {first.value()});
  CHECK(f.conn.exec(sql::select_pending_status, {"42", "/w", "10000"}).rows.empty()); // stale
  CHECK(f.conn.exec(sql::select_pending_status, {"42", "/other", "10000"}).rows.empty());
}
