// The schedules statements (storage/schedules_sql.hpp) against a real,
// freshly migrated database: the per-member cap, ownership of list and
// cancel, exact millisecond times, the look-ahead read, and the fire's
// exactly-once claim — a one-shot fires once and is gone, a cron entry moves
// on, a repeated or cancelled fire enqueues nothing, a rolled-back fire (a
// crash before COMMIT) leaves the entry due, and the audited fire records
// message_sent only when it enqueued.
#include "crypto/sodium.hpp"
#include "storage/audit_sql.hpp"
#include "storage/broker_sql.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"
#include "storage/schedules_sql.hpp"
#include "tests/support/test_db.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

using namespace nexus;
using namespace nexus::storage;
namespace sql = nexus::storage::schedules_sql;

namespace {

constexpr int64_t connect_timeout_ms = 10000;
constexpr int64_t t0 = 1776254400123; // 2026-04-15T12:00:00.123Z

std::string new_id() { return crypto::random_base62(32); }

const statement count_rows{"test_sched_count",
                           "SELECT (SELECT count(*) FROM nexus.message_queue) AS messages, "
                           "(SELECT count(*) FROM nexus.scheduled_message) AS entries, "
                           "(SELECT count(*) FROM nexus.audit_log WHERE event_type = 'message_sent') "
                           "AS audited"};
const statement entry_state{"test_sched_entry",
                            "SELECT floor(extract(epoch FROM deliver_at) * 1000)::bigint AS deliver_ms, "
                            "fired_count, cancelled FROM nexus.scheduled_message WHERE id = $1"};
const statement queued{"test_sched_queued",
                       "SELECT target_spec, priority, nonce, ciphertext, subtype, sender_session_pubkey "
                       "FROM nexus.message_queue ORDER BY created_at"};

/// A migrated test database with mesh X (members alice, bob) and mesh Y.
struct fixture {
  test::test_database db;
  pg_connection conn = pg_connection::connect(db.url(), connect_timeout_ms);
  std::string mesh_x = new_id(), mesh_y = new_id();
  std::string alice, bob;

  fixture() {
    apply_migrations(conn);
    for (auto* mesh : {&mesh_x, &mesh_y})
      conn.exec(broker_sql::insert_mesh, {*mesh, "mesh", param{}, std::string(64, '0'), "00ff"});
    alice = add('a', "alice");
    bob = add('b', "bob");
  }

  std::string add(char key, const std::string& name) {
    return conn
        .exec(broker_sql::insert_member,
              {new_id(), mesh_x, std::string(64, key), name, "member", param{}, param{}})
        .at(0, "id")
        .value();
  }

  /// A new entry of `member` (presence "p-<member>") or nullopt when capped.
  std::optional<schedule_row> schedule(const std::string& member, int64_t deliver_ms,
                                       param cron = {}, int64_t cap = 100) {
    auto rs = conn.exec(sql::insert_schedule,
                        {crypto::random_base62(8) + "-uuid", mesh_x, "p-" + member, member,
                         std::string(64, 's'), std::string(64, 'b'), "stand-up", std::to_string(deliver_ms),
                         cron, "reminder", std::to_string(cap)});
    if (rs.rows.empty())
      return std::nullopt;
    return schedule_from(rs, 0);
  }

  /// fire_schedule's parameters: a reminder from alice to bob's key.
  std::vector<param> fire_params(const schedule_row& e, int64_t expected, param next) {
    return {new_id(), mesh_x, alice, std::string(64, 's'), e.to, "now", "",
            crypto::to_base64(e.message), "", "", e.id, std::to_string(expected), next, e.subtype};
  }

  int64_t count(const char* column) { return std::stoll(conn.exec(count_rows).at(0, column).value()); }
};

} // namespace

TEST_CASE("statements: unique schedules_ names; the mutations have audited forms") {
  std::set<std::string> names;
  for (const auto* s : broker_sql::all_statements())
    names.insert(s->name);
  for (const auto* s : sql::all_statements()) {
    CHECK(std::string(s->name).rfind("schedules_", 0) == 0);
    CHECK(names.insert(s->name).second);
  }
  CHECK(sql::all_statements().size() == 7);
  CHECK_NOTHROW(audit_sql::audited(sql::insert_schedule));
  CHECK_NOTHROW(audit_sql::audited(sql::cancel_schedule));
  CHECK(audit_sql::mutation_params(sql::fire_schedule) == 14);
}

TEST_CASE("insert: exact ms times, every column, and the per-member cap") {
  fixture f;
  auto a = f.schedule(f.alice, t0);
  REQUIRE(a);
  CHECK(a->deliver_ms == t0); // no float rounding on the way in or out
  CHECK(a->mesh_id == f.mesh_x);
  CHECK(a->presence_id == "p-" + f.alice);
  CHECK(a->member_id == f.alice);
  CHECK(a->session_pubkey == std::string(64, 's'));
  CHECK(a->to == std::string(64, 'b'));
  CHECK(a->message == "stand-up");
  CHECK_FALSE(a->cron);
  CHECK(a->subtype == "reminder");
  CHECK(a->fired_count == 0);
  CHECK(a->created_ms > 1600000000000);

  // cap 2: the second fits, the third does not; bob's own count is separate
  CHECK(f.schedule(f.alice, t0 + 1, "* * * * *", 2));
  CHECK_FALSE(f.schedule(f.alice, t0 + 2, param{}, 2));
  CHECK(f.schedule(f.bob, t0, param{}, 2));
  // a cancelled entry frees its place
  REQUIRE(f.conn.exec(sql::cancel_schedule, {a->id, f.mesh_x, "other", f.alice}).rows.size() == 1);
  CHECK(f.schedule(f.alice, t0 + 3, param{}, 2));
  // a subtype other than reminder never gets in
  CHECK_THROWS_AS(f.conn.exec(sql::insert_schedule,
                              {"x-uuid", f.mesh_x, "p", f.alice, param{}, "*", "m", std::to_string(t0),
                               param{}, "system", "100"}),
                  storage_error);
}

TEST_CASE("list and cancel: the caller's entries only, live ones, by due time") {
  fixture f;
  auto late = f.schedule(f.alice, t0 + 5000);
  auto early = f.schedule(f.alice, t0, "0 9 * * 1-5");
  auto bobs = f.schedule(f.bob, t0);
  REQUIRE((late && early && bobs));
  auto list = [&](const std::string& presence, const std::string& member, int64_t limit = 10) {
    auto rs = f.conn.exec(sql::list_schedules, {f.mesh_x, presence, member, std::to_string(limit)});
    std::vector<std::string> ids;
    for (size_t i = 0; i < rs.rows.size(); ++i)
      ids.push_back(schedule_from(rs, i).id);
    return ids;
  };
  CHECK(list("another-presence", f.alice) == std::vector<std::string>{early->id, late->id});
  CHECK(list("p-" + f.alice, "nobody") == std::vector<std::string>{early->id, late->id});
  CHECK(list("p-" + f.alice, f.alice, 1) == std::vector<std::string>{early->id});
  CHECK(list("nobody", "nobody").empty());
  CHECK(f.conn.exec(sql::list_schedules, {f.mesh_y, "p-" + f.alice, f.alice, "10"}).rows.empty());

  // cancel: not bob's, not in another mesh, once only
  CHECK(f.conn.exec(sql::cancel_schedule, {late->id, f.mesh_x, "p-" + f.bob, f.bob}).rows.empty());
  CHECK(f.conn.exec(sql::cancel_schedule, {late->id, f.mesh_y, "p-" + f.alice, f.alice}).rows.empty());
  CHECK(f.conn.exec(sql::cancel_schedule, {late->id, f.mesh_x, "p-" + f.alice, "x"}).rows.size() == 1);
  CHECK(f.conn.exec(sql::cancel_schedule, {late->id, f.mesh_x, "p-" + f.alice, f.alice}).rows.empty());
  CHECK(list("p-" + f.alice, f.alice) == std::vector<std::string>{early->id});
}

TEST_CASE("due: live entries due by the bound, earliest first, at most the limit") {
  fixture f;
  auto a = f.schedule(f.alice, t0 + 10);
  auto b = f.schedule(f.bob, t0);
  auto c = f.schedule(f.alice, t0 + 20);
  auto later = f.schedule(f.alice, t0 + 100000);
  REQUIRE((a && b && c && later));
  f.conn.exec(sql::cancel_schedule, {c->id, f.mesh_x, "x", f.alice});
  auto due = [&](int64_t until, int64_t limit) {
    auto rs = f.conn.exec(sql::due_schedules, {std::to_string(until), std::to_string(limit)});
    std::vector<std::string> ids;
    for (size_t i = 0; i < rs.rows.size(); ++i)
      ids.push_back(schedule_from(rs, i).id);
    return ids;
  };
  CHECK(due(t0 + 20, 10) == std::vector<std::string>{b->id, a->id});
  CHECK(due(t0 + 9, 10) == std::vector<std::string>{b->id});
  CHECK(due(t0 + 100000, 2) == std::vector<std::string>{b->id, a->id});
  CHECK(due(t0 - 1, 10).empty());
}

TEST_CASE("fire: a one-shot enqueues once and is gone; a repeat claims nothing") {
  fixture f;
  auto e = f.schedule(f.alice, t0);
  REQUIRE(e);
  auto first = f.conn.exec(sql::fire_schedule, f.fire_params(*e, t0, param{}));
  REQUIRE(first.rows.size() == 1);
  CHECK(first.at(0, "created_ms").value_or("0") != "0");
  CHECK(f.count("messages") == 1);
  CHECK(f.count("entries") == 0);
  auto q = f.conn.exec(queued);
  CHECK(q.at(0, "target_spec") == std::string(64, 'b'));
  CHECK(q.at(0, "priority") == "now");
  CHECK(q.at(0, "nonce") == "");
  CHECK(q.at(0, "ciphertext") == crypto::to_base64("stand-up"));
  CHECK(q.at(0, "subtype") == "reminder");
  CHECK(q.at(0, "sender_session_pubkey") == std::string(64, 's'));

  CHECK(f.conn.exec(sql::fire_schedule, f.fire_params(*e, t0, param{})).rows.empty());
  CHECK(f.count("messages") == 1);
}

TEST_CASE("fire: a cron entry moves on; only the current due time claims it") {
  fixture f;
  auto e = f.schedule(f.alice, t0, "* * * * *");
  REQUIRE(e);
  int64_t next = t0 + 60000;
  REQUIRE(f.conn.exec(sql::fire_schedule, f.fire_params(*e, t0, std::to_string(next))).rows.size() == 1);
  auto s = f.conn.exec(entry_state, {e->id});
  CHECK(s.at(0, "deliver_ms") == std::to_string(next));
  CHECK(s.at(0, "fired_count") == "1");
  // the old due time again (a retry, a poll that read it before): nothing
  CHECK(f.conn.exec(sql::fire_schedule, f.fire_params(*e, t0, std::to_string(next + 60000))).rows.empty());
  CHECK(f.count("messages") == 1);
  // the new one: the second fire
  REQUIRE(f.conn.exec(sql::fire_schedule, f.fire_params(*e, next, std::to_string(next + 60000)))
              .rows.size() == 1);
  CHECK(f.count("messages") == 2);
  CHECK(f.conn.exec(entry_state, {e->id}).at(0, "fired_count") == "2");
}

TEST_CASE("fire: cancelled entries never fire; skip and retire claim without a message") {
  fixture f;
  auto cancelled = f.schedule(f.alice, t0);
  auto refused = f.schedule(f.alice, t0, "* * * * *");
  auto gone = f.schedule(f.bob, t0);
  REQUIRE((cancelled && refused && gone));
  f.conn.exec(sql::cancel_schedule, {cancelled->id, f.mesh_x, "x", f.alice});
  CHECK(f.conn.exec(sql::fire_schedule, f.fire_params(*cancelled, t0, param{})).rows.empty());

  // a fire the pipeline refused still counts (§5.6), once
  REQUIRE(f.conn.exec(sql::skip_schedule, {refused->id, std::to_string(t0), std::to_string(t0 + 60000)})
              .rows.size() == 1);
  CHECK(f.conn.exec(entry_state, {refused->id}).at(0, "fired_count") == "1");
  CHECK(f.conn.exec(sql::skip_schedule, {refused->id, std::to_string(t0), std::to_string(t0 + 60000)})
            .rows.empty());

  REQUIRE(f.conn.exec(sql::retire_schedule, {gone->id, std::to_string(t0)}).rows.size() == 1);
  CHECK(f.conn.exec(entry_state, {gone->id}).at(0, "cancelled") == "t");
  CHECK(f.count("messages") == 0);
}

TEST_CASE("fire: rolled back (a crash before COMMIT) leaves the entry due and nothing queued") {
  fixture f;
  auto e = f.schedule(f.alice, t0);
  REQUIRE(e);
  f.conn.exec_script("BEGIN");
  REQUIRE(f.conn.exec(sql::fire_schedule, f.fire_params(*e, t0, param{})).rows.size() == 1);
  f.conn.exec_script("ROLLBACK");
  CHECK(f.count("messages") == 0);
  CHECK(f.count("entries") == 1);
  // and the next attempt fires it
  CHECK(f.conn.exec(sql::fire_schedule, f.fire_params(*e, t0, param{})).rows.size() == 1);
  CHECK(f.count("messages") == 1);
}

TEST_CASE("fire: a deliver_at finer than a millisecond is claimed by its millisecond") {
  fixture f;
  auto e = f.schedule(f.alice, t0);
  REQUIRE(e);
  const statement finer{"test_sched_finer",
                        "UPDATE nexus.scheduled_message SET deliver_at = deliver_at + interval '456 microseconds'"};
  f.conn.exec(finer);
  auto due = f.conn.exec(sql::due_schedules, {std::to_string(t0 + 1), "10"});
  REQUIRE(due.rows.size() == 1);
  CHECK(schedule_from(due, 0).deliver_ms == t0);
  CHECK(f.conn.exec(sql::fire_schedule, f.fire_params(*e, t0, param{})).rows.size() == 1);
}

TEST_CASE("the audited fire records message_sent only when it enqueued") {
  fixture f;
  auto e = f.schedule(f.alice, t0);
  REQUIRE(e);
  const auto& audited = audit_sql::audited(sql::fire_schedule);
  auto params = [&] {
    auto p = f.fire_params(*e, t0, param{});
    for (param a : {param{f.mesh_x}, param{"message_sent"}, param{f.alice}, param{"alice"},
                    param{R"({"priority":"now","targetSpec":"x"})"}})
      p.push_back(a);
    return p;
  };
  auto first = f.conn.exec(audited, params());
  REQUIRE(first.rows.size() == 1);
  CHECK(first.at(0, "created_ms").has_value());
  CHECK(f.count("audited") == 1);
  CHECK(f.conn.exec(audited, params()).rows.empty());
  CHECK(f.count("audited") == 1);
  CHECK(f.count("messages") == 1);
}
