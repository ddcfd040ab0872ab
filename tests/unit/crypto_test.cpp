#include "crypto/sodium.hpp"

#include <doctest/doctest.h>

#include <map>
#include <set>

using namespace nexus::crypto;

// Test vectors from ../shared/spec/PROTOCOL.md §2.2 (member seed 0x01 × 32).
static const char* member_pk = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
static const char* canonical =
    "MESHxxxxxxxxxxxxxxxxxxxxxxxxxxx1|MEMBERaxxxxxxxxxxxxxxxxxxxxxxxx1|"
    "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c|1717459200000";
static const char* signature =
    "a289fc940ba5e0147d38c5a2617769467ca67fb2a0e14526d49136e5e8ee6a1f"
    "9fc4f7ecf950d1017cc108be27971999114097fdca2ae1b7392fe77773561c0d";

TEST_CASE("ed25519 seed keypair matches the spec vector") {
  auto [sk, pk] = ed25519_from_seed(bytes(32, 0x01));
  CHECK(to_hex(pk) == member_pk);
  CHECK(to_hex(sign_ed25519(canonical, sk)) == signature);
}

TEST_CASE("hello signature verifies, and fails when anything changes") {
  CHECK(verify_ed25519(canonical, signature, member_pk));
  std::string tampered = canonical;
  tampered.back() = '1';
  CHECK_FALSE(verify_ed25519(tampered, signature, member_pk));
  std::string bad_sig = signature;
  bad_sig[0] = bad_sig[0] == 'a' ? 'b' : 'a';
  CHECK_FALSE(verify_ed25519(canonical, bad_sig, member_pk));
  CHECK_FALSE(verify_ed25519(canonical, "zz", member_pk));              // malformed
  CHECK_FALSE(verify_ed25519(canonical, signature, "8a88"));            // short key
}

TEST_CASE("hex round trip and validation") {
  bytes b{0x00, 0xab, 0xff};
  CHECK(to_hex(b) == "00abff");
  CHECK(from_hex("00ABff") == b);
  CHECK_FALSE(from_hex("0"));
  CHECK_FALSE(from_hex("zz"));
  CHECK(is_lower_hex(member_pk, 64));
  CHECK_FALSE(is_lower_hex("8A88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c", 64));
  CHECK_FALSE(is_lower_hex("abc", 64));
}

TEST_CASE("random ids are base62 of the asked length and do not repeat") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto id = random_base62(32);
    REQUIRE(id.size() == 32);
    for (char c : id)
      CHECK(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')));
    seen.insert(id);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("random ids stay uniform across the buffered pool's refills") {
  // About 62 000 characters in ids of odd lengths, so refills fall mid-id:
  // each symbol near 1/62 of them (σ ≈ 3 %; the bounds are 20 %, over 6σ).
  std::map<char, long> counts;
  long total = 0;
  for (size_t length : {1u, 7u, 1000u, 2047u}) {
    for (long budget = 0; budget < 15500; budget += static_cast<long>(length)) {
      for (char c : random_base62(length))
        ++counts[c];
      total += static_cast<long>(length);
    }
  }
  REQUIRE(counts.size() == 62);
  for (const auto& entry : counts) {
    CHECK(entry.second * 62 > total * 8 / 10);
    CHECK(entry.second * 62 < total * 12 / 10);
  }
}

TEST_CASE("secure_equal compares content and length") {
  CHECK(secure_equal(bytes{1, 2}, bytes{1, 2}));
  CHECK_FALSE(secure_equal(bytes{1, 2}, bytes{1, 3}));
  CHECK_FALSE(secure_equal(bytes{1, 2}, bytes{1, 2, 3}));
}
