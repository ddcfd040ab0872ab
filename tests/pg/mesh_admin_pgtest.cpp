// `nexusd mesh create` and `nexusd member add|list|revoke`, run as the real
// binary: against a database URL (JSON output, the owner key file, errors and
// exit statuses, --help), and against the embedded database of a running node.
#include "crypto/sodium.hpp"
#include "storage/embedded_pg.hpp"
#include "tests/support/child.hpp"
#include "tests/support/raw_client.hpp"
#include "tests/support/test_db.hpp"
#include "tests/support/wait.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <csignal>
#include <fstream>
#include <iterator>
#include <regex>
#include <sys/stat.h>

using namespace nexus;
using namespace nexus::test;
using namespace std::chrono_literals;

namespace {

struct outcome {
  int status = -1;
  std::string output; ///< stdout and stderr
};

/// Runs nexusd with `args` to completion (fails the test if it hangs).
outcome nexusd(std::vector<std::string> args, std::chrono::milliseconds timeout = 90s) {
  args.insert(args.begin(), NEXUSD_BINARY);
  child proc(args);
  auto status = proc.wait_exit(timeout);
  REQUIRE_MESSAGE(status, proc.output());
  return {*status, proc.output()};
}

rapidjson::Document json_of(const outcome& o) {
  rapidjson::Document doc;
  doc.Parse(o.output.c_str());
  REQUIRE_MESSAGE(!doc.HasParseError(), o.output);
  REQUIRE(doc.IsObject());
  return doc;
}

std::string str(const rapidjson::Value& v, const char* key) {
  REQUIRE_MESSAGE(v.HasMember(key), key);
  REQUIRE(v[key].IsString());
  return v[key].GetString();
}

std::string file_text(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

mode_t mode_of(const std::string& path) {
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

/// The key file holds the 64-byte secret of `owner_pubkey`: sign and verify.
void check_owner_key(const std::string& path, const std::string& owner_pubkey) {
  CHECK(mode_of(path) == 0600);
  std::string text = file_text(path);
  REQUIRE(text.size() == 129);
  CHECK(text.back() == '\n');
  auto secret = crypto::from_hex(text.substr(0, 128));
  REQUIRE(secret);
  REQUIRE(secret->size() == 64);
  auto sig = crypto::sign_ed25519("proof of ownership", *secret);
  CHECK(crypto::verify_ed25519("proof of ownership", crypto::to_hex(sig), owner_pubkey));
}

std::string pubkey_of(char c) { return std::string(64, c); }

} // namespace

TEST_CASE("mesh create --json writes a 0600 owner key that signs for the printed pubkey") {
  test_database db;
  temp_dir home;
  const std::vector<std::string> base{"--home", home.path(), "--database-url", db.url()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), base.begin(), base.end());
    return args;
  };

  const std::string key_file = home.path() + "/alpha.owner.key";
  auto created = nexusd(with({"mesh", "create", "--name", "Team Alpha", "--owner-key-file",
                              key_file, "--json"}));
  REQUIRE_MESSAGE(created.status == 0, created.output);
  auto doc = json_of(created);
  const auto mesh_id = str(doc, "id");
  CHECK(std::regex_match(mesh_id, std::regex("[0-9A-Za-z]{32}")));
  CHECK(str(doc, "name") == "Team Alpha");
  CHECK(str(doc, "slug") == "team-alpha");
  CHECK(str(doc, "ownerKeyFile") == key_file);
  CHECK(std::regex_match(str(doc, "ownerMemberId"), std::regex("[0-9A-Za-z]{32}")));
  CHECK(std::regex_match(str(doc, "createdAt"),
                         std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
  const auto owner_pubkey = str(doc, "ownerPubkey");
  REQUIRE(crypto::is_lower_hex(owner_pubkey, 64));
  check_owner_key(key_file, owner_pubkey);
  CHECK(created.output.find(file_text(key_file).substr(0, 128)) == std::string::npos);
  CHECK(mode_of(home.path() + "/node.key") == 0600);

  // An existing key file is never overwritten, and no mesh is created then.
  const std::string before = file_text(key_file);
  auto again = nexusd(with({"mesh", "create", "--name", "Beta", "--owner-key-file", key_file}));
  CHECK(again.status == 1);
  CHECK(again.output.find("refusing to overwrite") != std::string::npos);
  CHECK(file_text(key_file) == before);

  // Without --owner-key-file: $NEXUS_HOME/meshes/<id>.owner.key, dir 0700, path printed.
  auto human = nexusd(with({"mesh", "create", "--name", "Gamma"}));
  REQUIRE_MESSAGE(human.status == 0, human.output);
  std::smatch m;
  REQUIRE(std::regex_search(human.output, m, std::regex(R"(id\s+([0-9A-Za-z]{32}))")));
  const std::string default_file = home.path() + "/meshes/" + m[1].str() + ".owner.key";
  CHECK(human.output.find(default_file) != std::string::npos);
  CHECK(mode_of(home.path() + "/meshes") == 0700);
  REQUIRE(std::regex_search(human.output, m, std::regex(R"(owner pubkey\s+([0-9a-f]{64}))")));
  check_owner_key(default_file, m[1].str());

  auto empty_name = nexusd(with({"mesh", "create", "--name", ""}));
  CHECK(empty_name.status == 2);
  auto no_name = nexusd(with({"mesh", "create"}));
  CHECK(no_name.status == 2);
  CHECK(no_name.output.find("nexusd: missing --name") == 0);
}

TEST_CASE("member add, list and revoke round trip with --json; errors and exit statuses") {
  test_database db;
  temp_dir home;
  const std::vector<std::string> base{"--home", home.path(), "--database-url", db.url()};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.end(), base.begin(), base.end());
    return args;
  };
  auto created = nexusd(with({"mesh", "create", "--name", "m", "--json"}));
  REQUIRE_MESSAGE(created.status == 0, created.output);
  const auto mesh = str(json_of(created), "id");

  // Uppercase hex is accepted and stored lowercase.
  std::string upper = pubkey_of('A');
  auto added = nexusd(with({"member", "add", "--mesh", mesh, "--pubkey", upper, "--name", "alice",
                            "--role", "admin", "--json"}));
  REQUIRE_MESSAGE(added.status == 0, added.output);
  auto alice = json_of(added);
  const auto alice_id = str(alice, "id");
  CHECK(str(alice, "pubkey") == pubkey_of('a'));
  CHECK(str(alice, "displayName") == "alice");
  CHECK(str(alice, "role") == "admin");
  CHECK(str(alice, "status") == "active");
  CHECK(str(alice, "meshId") == mesh);
  CHECK(alice["revokedAt"].IsNull());

  auto bob = nexusd(with({"member", "add", "--mesh", mesh, "--pubkey", pubkey_of('b'), "--name",
                          "bob"}));
  REQUIRE_MESSAGE(bob.status == 0, bob.output);
  CHECK(bob.output.find("role    member") != std::string::npos); // default role, aligned text

  auto dup = nexusd(with({"member", "add", "--mesh", mesh, "--pubkey", pubkey_of('a'), "--name",
                          "alice again"}));
  CHECK(dup.status == 1);
  CHECK(dup.output.find("already active") != std::string::npos);
  CHECK(dup.output.find(alice_id) != std::string::npos);

  auto list = nexusd(with({"member", "list", "--mesh", mesh, "--json"}));
  REQUIRE_MESSAGE(list.status == 0, list.output);
  auto listed = json_of(list);
  CHECK(str(listed, "meshId") == mesh);
  REQUIRE(listed["members"].IsArray());
  REQUIRE(listed["members"].Size() == 3); // the owner member first (mesh create adds it)
  CHECK(str(listed["members"][0], "displayName") == "owner");
  CHECK(str(listed["members"][0], "role") == "admin");
  CHECK(str(listed["members"][1], "id") == alice_id);
  CHECK(str(listed["members"][2], "displayName") == "bob");

  auto revoked = nexusd(with({"member", "revoke", "--mesh", mesh, "--member", alice_id, "--json"}));
  REQUIRE_MESSAGE(revoked.status == 0, revoked.output);
  CHECK(str(json_of(revoked), "status") == "revoked");
  auto twice = nexusd(with({"member", "revoke", "--mesh", mesh, "--member", alice_id}));
  CHECK(twice.status == 1);
  CHECK(twice.output.find("already revoked") != std::string::npos);

  list = nexusd(with({"member", "list", "--mesh", mesh}));
  REQUIRE(list.status == 0);
  CHECK(list.output.find("3 members (2 active)") != std::string::npos); // the owner, alice (revoked), bob
  CHECK(std::regex_search(list.output, std::regex(alice_id + R"(\s+alice\s+admin\s+revoked\s+a{64})")));
  CHECK(std::regex_search(list.output, std::regex(R"(bob\s+member\s+active\s+b{64})")));

  // A revoked pubkey may be added again.
  auto readd = nexusd(with({"member", "add", "--mesh", mesh, "--pubkey", pubkey_of('a'), "--name",
                            "alice 2", "--json"}));
  REQUIRE_MESSAGE(readd.status == 0, readd.output);
  CHECK(str(json_of(readd), "id") != alice_id);

  // Not found: 4, one line on stderr with a hint.
  auto unknown_member = nexusd(with({"member", "revoke", "--mesh", mesh, "--member", "nobody"}));
  CHECK(unknown_member.status == 4);
  CHECK(std::regex_match(unknown_member.output, std::regex("nexusd: member nobody not found[^\n]*\\(.+\\)\n")));
  CHECK(nexusd(with({"member", "list", "--mesh", "nomesh"})).status == 4);
  CHECK(nexusd(with({"member", "add", "--mesh", "nomesh", "--pubkey", pubkey_of('c'), "--name",
                     "c"})).status == 4);

  // Usage: 2.
  auto bad_key = nexusd(with({"member", "add", "--mesh", mesh, "--pubkey", "xyz", "--name", "c"}));
  CHECK(bad_key.status == 2);
  CHECK(bad_key.output.find("pubkey must be 64 hex characters") != std::string::npos);
  CHECK(nexusd(with({"member", "add", "--mesh", mesh, "--pubkey", pubkey_of('g'), "--name", "c"}))
            .status == 2); // 'g' is not hex
  CHECK(nexusd(with({"member", "add", "--mesh", mesh, "--pubkey", pubkey_of('c'), "--name", "c",
                     "--role", "owner"})).status == 2);
  CHECK(nexusd(with({"member", "add", "--mesh", mesh, "--pubkey", pubkey_of('c'), "--name",
                     std::string(257, 'n')})).status == 2);
  CHECK(nexusd(with({"member", "list"})).status == 2);
  CHECK(nexusd(with({"member", "list", "--mesh", mesh, "--frob"})).status == 2);
  CHECK(nexusd(with({"member", "frob"})).status == 2);
  CHECK(nexusd(with({"member"})).status == 2);
}

TEST_CASE("--help of each subcommand describes it and exits 0") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"mesh", "create", "--help"}, "Usage: nexusd mesh create --name NAME"},
      {{"member", "add", "--help"}, "Usage: nexusd member add --mesh ID --pubkey HEX --name NAME"},
      {{"member", "list", "--help"}, "Usage: nexusd member list --mesh ID"},
      {{"member", "revoke", "--help"}, "Usage: nexusd member revoke --mesh ID --member ID"},
      {{"member", "--help"}, "nexusd member revoke"},
      {{"--help"}, "nexusd mesh create"},
  };
  for (auto& [args, expected] : cases) {
    auto o = nexusd(args, 10s);
    CAPTURE(o.output);
    CHECK(o.status == 0);
    CHECK(o.output.find(expected) != std::string::npos);
  }
  auto create_help = nexusd({"mesh", "create", "--help"}, 10s);
  CHECK(create_help.output.find("never printed") != std::string::npos);
  CHECK(create_help.output.find("--owner-key-file PATH") != std::string::npos);
}

TEST_CASE("mesh create and member list work against the embedded database of a running node") {
  temp_dir home;
  child node({NEXUSD_BINARY, "--listen", "127.0.0.1:0", "--home", home.path()});
  auto line = node.wait_for_output("nexusd: WebSocket ws://", 90s);
  REQUIRE_MESSAGE(line, node.output());
  std::smatch m;
  REQUIRE(std::regex_search(*line, m, std::regex(R"(:(\d+)/ws)")));
  const auto port = static_cast<uint16_t>(std::stoi(m[1]));
  REQUIRE_MESSAGE(wait_until([&] { return http_request(port, "GET", "/health/ready").status == 200; },
                             90s, 20ms),
                  node.output());
  auto node_dsn = storage::embedded_pg::running_dsn(home.path());
  REQUIRE(node_dsn);
  const auto data_dir = storage::embedded_pg::layout_for(home.path()).data_dir;
  const auto postgres_before = processes_matching(data_dir);

  auto created = nexusd({"mesh", "create", "--home", home.path(), "--name", "embedded", "--json"});
  REQUIRE_MESSAGE(created.status == 0, created.output);
  auto doc = json_of(created);
  const auto mesh = str(doc, "id");
  check_owner_key(str(doc, "ownerKeyFile"), str(doc, "ownerPubkey"));
  auto added = nexusd({"member", "add", "--home", home.path(), "--mesh", mesh, "--pubkey",
                       pubkey_of('e'), "--name", "eve"});
  REQUIRE_MESSAGE(added.status == 0, added.output);
  auto list = nexusd({"member", "list", "--home", home.path(), "--mesh", mesh, "--json"});
  REQUIRE_MESSAGE(list.status == 0, list.output);
  auto listed = json_of(list);
  REQUIRE(listed["members"].Size() == 2);
  CHECK(str(listed["members"][0], "pubkey") == str(doc, "ownerPubkey"));
  CHECK(str(listed["members"][0], "id") == str(doc, "ownerMemberId"));
  CHECK(str(listed["members"][1], "displayName") == "eve");

  // The node's server was used: same DSN, no second postmaster; node still ready.
  CHECK(storage::embedded_pg::running_dsn(home.path()) == node_dsn);
  CHECK(processes_matching(data_dir).size() == postgres_before.size());
  CHECK(http_request(port, "GET", "/health/ready").status == 200);

  node.signal(SIGTERM);
  auto status = node.wait_exit(20s);
  REQUIRE_MESSAGE(status, node.output());
  CHECK(*status == 0);
}
