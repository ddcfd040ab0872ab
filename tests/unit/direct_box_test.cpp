// Client payload crypto (PROTOCOL.md §3.11) against the spec's vector, the
// two base64 variants (§0.2), the invite sealed box (§7.2) and the safety
// number of `nexus verify`.
#include "crypto/base64.hpp"
#include "crypto/direct_box.hpp"
#include "crypto/sodium.hpp"

#include <doctest/doctest.h>

#include <sodium.h>

using namespace nexus::crypto;

namespace {

secret_buffer secret_of_seed(uint8_t fill) {
  auto [sk, pk] = ed25519_from_seed(bytes(32, fill));
  return secret_buffer(sk.data(), sk.size());
}
std::string pubkey_of_seed(uint8_t fill) { return to_hex(ed25519_from_seed(bytes(32, fill)).second); }

} // namespace

TEST_CASE("seal_direct reproduces the §3.11 vector (session A 0x03 → session B 0x04)") {
  const std::string bob = pubkey_of_seed(0x04);
  CHECK(bob == "ca93ac1705187071d67b83c7ff0efe8108e8ec4530575d7726879333dbdabe7c");
  auto sealed = seal_direct("hello bob", bob, secret_of_seed(0x03), bytes(24, 0x09));
  REQUIRE(sealed);
  CHECK(sealed->nonce_b64 == "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJ");
  CHECK(sealed->ciphertext_b64 == "XGz9m1SeEYTgMGnCesRQf1v59kza9MfZRA==");
  // Bob opens it with his secret and Alice's public key; nobody else can.
  CHECK(open_direct(*sealed, pubkey_of_seed(0x03), secret_of_seed(0x04)) == "hello bob");
  CHECK_FALSE(open_direct(*sealed, pubkey_of_seed(0x03), secret_of_seed(0x05)));
  CHECK_FALSE(open_direct(*sealed, pubkey_of_seed(0x06), secret_of_seed(0x04)));
  auto tampered = *sealed;
  tampered.ciphertext_b64[2] = tampered.ciphertext_b64[2] == 'A' ? 'B' : 'A';
  CHECK_FALSE(open_direct(tampered, pubkey_of_seed(0x03), secret_of_seed(0x04)));
}

TEST_CASE("seal_direct refuses a target that is not an ed25519 key, random nonces differ") {
  CHECK_FALSE(seal_direct("x", "zz", secret_of_seed(1)));
  CHECK_FALSE(seal_direct("x", std::string(64, 'f'), secret_of_seed(1))); // not a curve point
  auto a = seal_direct("same", pubkey_of_seed(2), secret_of_seed(1));
  auto b = seal_direct("same", pubkey_of_seed(2), secret_of_seed(1));
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->nonce_b64 != b->nonce_b64);
  CHECK(a->ciphertext_b64 != b->ciphertext_b64);
}

TEST_CASE("base64: standard with padding and url-safe without") {
  CHECK(to_base64(std::string_view("hello everyone"), base64_variant::standard) == "aGVsbG8gZXZlcnlvbmU=");
  bytes b{0xfb, 0xff};
  CHECK(to_base64(b, base64_variant::standard) == "+/8=");
  CHECK(to_base64(b, base64_variant::url_no_padding) == "-_8");
  CHECK(from_base64("-_8", base64_variant::url_no_padding) == b);
  CHECK(from_base64("+/8=", base64_variant::standard) == b);
  CHECK_FALSE(from_base64("-_8", base64_variant::standard));
  CHECK_FALSE(from_base64("+/8=", base64_variant::url_no_padding));
  CHECK_FALSE(from_base64("a", base64_variant::standard));
}

TEST_CASE("sealed_box_open opens what crypto_box_seal made for the claim key only") {
  auto kp = box_generate();
  bytes root(32, 0x42), sealed(32 + crypto_box_SEALBYTES);
  crypto_box_seal(sealed.data(), root.data(), root.size(), kp.public_key.data());
  auto opened = sealed_box_open(sealed, kp);
  REQUIRE(opened);
  CHECK(bytes(opened->data(), opened->data() + opened->size()) == root);
  CHECK_FALSE(sealed_box_open(sealed, box_generate()));
  CHECK_FALSE(sealed_box_open(bytes(10), kp));
}

TEST_CASE("safety number: same for both sides, differs per pair, 12 groups of 5 digits") {
  const auto a = pubkey_of_seed(1), b = pubkey_of_seed(2), c = pubkey_of_seed(3);
  auto ab = safety_number(a, b);
  REQUIRE(ab);
  CHECK(ab == safety_number(b, a));
  CHECK(ab != safety_number(a, c));
  CHECK(ab->size() == 12 * 5 + 11);
  for (size_t i = 0; i < ab->size(); ++i)
    CHECK(((i % 6 == 5) ? (*ab)[i] == ' ' : ((*ab)[i] >= '0' && (*ab)[i] <= '9')));
  CHECK_FALSE(safety_number(a, "abc"));
}
