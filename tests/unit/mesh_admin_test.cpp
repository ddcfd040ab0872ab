// mesh_admin's validation without a database: pubkeys, names, roles, slugs,
// and a mesh draft's owner keypair.
#include "crypto/sodium.hpp"
#include "storage/mesh_admin.hpp"

#include <doctest/doctest.h>

using namespace nexus;
using namespace nexus::storage;

namespace {

admin_errc code_of(void (*f)()) {
  try {
    f();
  } catch (const admin_error& e) {
    return e.code;
  }
  FAIL("no admin_error thrown");
  return admin_errc::conflict;
}

} // namespace

TEST_CASE("pubkeys: 64 hex characters, uppercase lowered, anything else refused") {
  CHECK(normalize_pubkey(std::string(64, 'a')) == std::string(64, 'a'));
  CHECK(normalize_pubkey(std::string(32, 'A') + std::string(32, '0')) ==
        std::string(32, 'a') + std::string(32, '0'));
  CHECK(code_of([] { normalize_pubkey(std::string(63, 'a')); }) == admin_errc::invalid_argument);
  CHECK(code_of([] { normalize_pubkey(std::string(66, 'a')); }) == admin_errc::invalid_argument);
  CHECK(code_of([] { normalize_pubkey(std::string(64, 'g')); }) == admin_errc::invalid_argument);
  CHECK(code_of([] { normalize_pubkey(""); }) == admin_errc::invalid_argument);
}

TEST_CASE("names: 1-256 UTF-8 characters without control characters") {
  CHECK_NOTHROW(validate_name("alice", "name"));
  CHECK_NOTHROW(validate_name(std::string(256, 'x'), "name"));
  std::string umlauts;
  for (int i = 0; i < 256; ++i)
    umlauts += "ü"; // 512 bytes, 256 characters
  CHECK_NOTHROW(validate_name(umlauts, "name"));
  CHECK(code_of([] { validate_name(std::string(257, 'x'), "name"); }) == admin_errc::invalid_argument);
  CHECK(code_of([] { validate_name("", "name"); }) == admin_errc::invalid_argument);
  CHECK(code_of([] { validate_name("a\nb", "name"); }) == admin_errc::invalid_argument);
  CHECK(code_of([] { validate_name("a\x7f", "name"); }) == admin_errc::invalid_argument);
  CHECK(code_of([] { validate_name("\xc3", "name"); }) == admin_errc::invalid_argument);      // truncated
  CHECK(code_of([] { validate_name("\xc0\xaf", "name"); }) == admin_errc::invalid_argument);  // overlong
  CHECK(code_of([] { validate_name("\xed\xa0\x80", "name"); }) == admin_errc::invalid_argument); // surrogate
}

TEST_CASE("roles and slugs") {
  CHECK_NOTHROW(validate_role("admin"));
  CHECK_NOTHROW(validate_role("member"));
  CHECK(code_of([] { validate_role("owner"); }) == admin_errc::invalid_argument);
  CHECK(code_of([] { validate_role("Admin"); }) == admin_errc::invalid_argument);
  CHECK(slug_of("Team Alpha") == "team-alpha");
  CHECK(slug_of("  Über -- Team!  ") == "ber-team");
  CHECK(slug_of("!!!") == "");
  CHECK(slug_of(std::string(100, 'a')).size() == 64);
}

TEST_CASE("a mesh draft has a base62 id and a matching owner keypair") {
  auto d = draft_mesh("m");
  CHECK(d.id.size() == 32);
  CHECK(crypto::is_lower_hex(d.owner_pubkey, 64));
  REQUIRE(d.owner_secret.size() == 64);
  crypto::bytes sk(d.owner_secret.data(), d.owner_secret.data() + d.owner_secret.size());
  auto sig = crypto::sign_ed25519("m", sk);
  CHECK(crypto::verify_ed25519("m", crypto::to_hex(sig), d.owner_pubkey));
  CHECK(draft_mesh("m").id != d.id);
  CHECK(mesh_root_key_context(d.id).find(d.id) != std::string::npos);
  CHECK_THROWS_AS(draft_mesh(""), admin_error);
}
