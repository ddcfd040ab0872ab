// The identity statements (storage/identity_sql.hpp) against a real, freshly
// migrated database: mesh creation with its owner member, the invite row and
// its lookups, the atomic claim under real concurrency — 16 connections
// claiming one single-use invite in open transactions at once, exactly one
// member admitted — revocation, bans and their listing, and the audited forms.
#include "crypto/sodium.hpp"
#include "storage/audit_sql.hpp"
#include "storage/broker_sql.hpp"
#include "storage/identity_sql.hpp"
#include "storage/migrations.hpp"
#include "storage/pg_connection.hpp"
#include "tests/support/test_db.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <ctime>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace nexus;
using namespace nexus::storage;
namespace sql = nexus::storage::identity_sql;

namespace {

constexpr int64_t connect_timeout_ms = 10000;

std::string new_id() { return crypto::random_base62(32); }
std::string key(char c) { return std::string(64, c); }

struct fixture {
  test::test_database db;
  pg_connection conn = pg_connection::connect(db.url(), connect_timeout_ms);
  std::string mesh = new_id(), owner_member = new_id();

  fixture() {
    apply_migrations(conn);
    auto rs = conn.exec(sql::create_mesh, {mesh, "team", "team", key('a'), "00ff", owner_member, "alice"});
    REQUIRE(rs.rows.size() == 1);
  }

  /// An invite of `max_uses` expiring in an hour; returns its code.
  std::string invite(int max_uses, const std::string& code) {
    auto rs = conn.exec(sql::insert_invite,
                        {new_id(), mesh, code, "member", std::to_string(max_uses),
                         std::to_string(time(nullptr) + 3600), R"({"canonical":"c","signature":"s"})",
                         owner_member, key('a'), R"({"roleTag":"guest","groups":[{"name":"eng"}]})"});
    REQUIRE(rs.rows.size() == 1);
    return code;
  }

  invite_row by_code(const std::string& code, param peer = {}) {
    auto rs = conn.exec(sql::invite_by_code, {code, peer});
    REQUIRE(rs.rows.size() == 1);
    return invite_from(rs, 0);
  }
};

} // namespace

TEST_CASE("statements: unique identity_ names") {
  fixture f;
  std::set<std::string> names;
  for (const auto* s : broker_sql::all_statements())
    names.insert(s->name);
  for (const auto* s : audit_sql::all_statements())
    names.insert(s->name);
  for (const auto* s : sql::all_statements()) {
    CHECK(std::string(s->name).rfind("identity_", 0) == 0);
    CHECK(names.insert(s->name).second);
  }
  CHECK(sql::all_statements().size() == 16);
}

TEST_CASE("create_mesh stores the mesh and its owner as an admin member") {
  fixture f;
  auto rs = f.conn.exec(broker_sql::select_member_by_id, {f.mesh, f.owner_member});
  auto m = member_from(rs, 0);
  CHECK(m.role == "admin");
  CHECK(m.peer_pubkey == key('a'));
  CHECK(m.display_name == "alice");
  CHECK(m.permissions == "{}");
  auto mesh = mesh_from(f.conn.exec(broker_sql::select_mesh, {f.mesh}), 0);
  CHECK(mesh.owner_pubkey == key('a'));
}

TEST_CASE("invites: row, lookup with the mesh, code uniqueness, listing, revocation") {
  fixture f;
  auto code = f.invite(2, "ABCDEFGH");
  auto inv = f.by_code(code, key('a'));
  CHECK(inv.mesh_id == f.mesh);
  CHECK(inv.max_uses == 2);
  CHECK(inv.used_count == 0);
  CHECK(inv.created_by_name == "alice");
  CHECK(inv.issuer_active);
  CHECK_FALSE(inv.expired);
  CHECK(inv.expires_s > time(nullptr));
  auto rs = f.conn.exec(sql::invite_by_code, {code, key('a')});
  CHECK(rs.at(0, "already_member") == std::string("t"));
  CHECK(invite_mesh_from(rs, 0).member_count == 1);
  CHECK(invite_mesh_from(rs, 0).name == "team");
  try {
    f.invite(1, code);
    FAIL("a second row with the same code was stored");
  } catch (const storage_error& e) {
    CHECK(e.code() == storage_errc::unique_violation);
    CHECK(std::string(e.what()).find("invite_code_key") != std::string::npos);
  }
  CHECK(f.conn.exec(sql::list_invites, {f.mesh, "10"}).rows.size() == 1);
  auto first = f.conn.exec(sql::revoke_invite, {f.mesh, code});
  CHECK(first.at(0, "newly") == std::string("t"));
  auto second = f.conn.exec(sql::revoke_invite, {f.mesh, code});
  CHECK(second.at(0, "newly") == std::string("f"));
  CHECK(invite_from(second, 0).revoked_ms == invite_from(first, 0).revoked_ms);
  CHECK(f.conn.exec(sql::revoke_invite, {f.mesh, "ZZZZZZZZ"}).rows.empty());
  // A revoked invite is never consumed.
  CHECK(f.conn.exec(sql::claim_invite, {inv.id, new_id(), key('b'), "bob", "x"}).rows.empty());
}

TEST_CASE("claim: preset applied, an existing member consumes nothing") {
  fixture f;
  auto inv = f.by_code(f.invite(3, "KLMNPQRS"));
  auto rs = f.conn.exec(sql::claim_invite, {inv.id, new_id(), key('b'), "", "x"});
  REQUIRE(rs.rows.size() == 1);
  auto m = member_from(rs, 0);
  CHECK(m.display_name == "member-bbbbbbbb");
  CHECK(m.role_tag == std::string("guest"));
  CHECK(m.default_groups == R"([{"name": "eng"}])");
  CHECK(f.conn.exec(sql::claim_existing_member, {inv.id, key('b')}).rows.size() == 1);
  CHECK(f.conn.exec(sql::claim_invite, {inv.id, new_id(), key('b'), "", "x"}).rows.empty());
  CHECK(f.by_code("KLMNPQRS").used_count == 1);
}

TEST_CASE("claim: 16 connections at once on a single-use invite admit exactly one") {
  fixture f;
  auto inv = f.by_code(f.invite(1, "TUVWXYZ2"));
  constexpr int n = 16;
  std::vector<pg_connection> conns;
  for (int i = 0; i < n; ++i)
    conns.push_back(pg_connection::connect(f.db.url(), connect_timeout_ms));
  for (auto& c : conns)
    c.exec_script("BEGIN");
  std::atomic<int> admitted{0}, failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      try {
        auto rs = conns[i].exec(sql::claim_invite,
                                {inv.id, new_id(), key(static_cast<char>('b' + i % 5)), "racer", "x"});
        conns[i].exec_script("COMMIT");
        admitted += static_cast<int>(rs.rows.size());
      } catch (const std::exception&) {
        ++failed;
      }
    });
  for (auto& t : threads)
    t.join();
  CHECK(admitted.load() == 1);
  CHECK(failed.load() == 0);
  CHECK(f.by_code("TUVWXYZ2").used_count == 1);
  CHECK(f.conn.exec_script("SELECT 1").rows.size() == 1);
  auto members = f.conn.exec(broker_sql::list_members, {f.mesh});
  CHECK(members.rows.size() == 2); // the owner and the one racer
}

TEST_CASE("bans: target lookup by name and prefix, unban, list") {
  fixture f;
  auto bob = f.conn.exec(broker_sql::insert_member, {new_id(), f.mesh, key('b'), "bob", "member", param{}, param{}});
  auto bob_id = bob.at(0, "id").value();
  CHECK(member_from(f.conn.exec(sql::find_ban_target, {f.mesh, "bob"}), 0).id == bob_id);
  CHECK(member_from(f.conn.exec(sql::find_ban_target, {f.mesh, "bbbb"}), 0).id == bob_id);
  CHECK(f.conn.exec(sql::find_ban_target, {f.mesh, "b%"}).rows.empty()); // no LIKE patterns
  CHECK(f.conn.exec(broker_sql::revoke_member, {f.mesh, bob_id}).rows.size() == 1);
  auto bans = f.conn.exec(sql::list_bans, {f.mesh});
  REQUIRE(bans.rows.size() == 1);
  CHECK(bans.at(0, "name") == std::string("bob"));
  CHECK(f.conn.exec(sql::find_ban_target, {f.mesh, "bob"}).rows.empty());
  CHECK(member_from(f.conn.exec(sql::find_banned, {f.mesh, key('b')}), 0).id == bob_id);
  CHECK(f.conn.exec(sql::unban_member, {f.mesh, bob_id}).rows.size() == 1);
  CHECK(f.conn.exec(sql::list_bans, {f.mesh}).rows.empty());
  CHECK(f.conn.exec(sql::find_banned, {f.mesh, "bob"}).rows.empty());
}

TEST_CASE("member changes: update keeps what is not given; grants and permissions stored") {
  fixture f;
  auto rs = f.conn.exec(sql::update_member, {f.mesh, f.owner_member, param{}, "set", "lead", param{}, "inbox"});
  auto m = member_from(rs, 0);
  CHECK(m.display_name == "alice");
  CHECK(m.role_tag == std::string("lead"));
  CHECK(m.message_mode == "inbox");
  m = member_from(f.conn.exec(sql::update_member, {f.mesh, f.owner_member, "al", param{}, param{}, param{}, param{}}), 0);
  CHECK(m.role_tag == std::string("lead"));
  CHECK(m.display_name == "al");
  m = member_from(f.conn.exec(sql::update_member, {f.mesh, f.owner_member, param{}, "set", param{}, param{}, param{}}), 0);
  CHECK_FALSE(m.role_tag);
  m = member_from(f.conn.exec(sql::set_member_permissions, {f.mesh, f.owner_member, R"({"send":false})"}), 0);
  CHECK(m.permissions == R"({"send": false})");
  m = member_from(f.conn.exec(sql::set_member_grants, {f.mesh, f.owner_member, R"({"k":[]})"}), 0);
  CHECK(m.peer_grants == R"({"k": []})");
}
