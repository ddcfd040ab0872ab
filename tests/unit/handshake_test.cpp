// PROTOCOL.md §2.2 / §2.5: canonical strings and test vectors, and every
// stateless rejection in the reference's check order with exact codes,
// messages and close codes (§1.6, §1.7).
#include "actors/handshake.hpp"
#include "crypto/sodium.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace nexus;
namespace crypto = nexus::crypto;

namespace {

constexpr int64_t ts = 1717459200000;          // vector timestamp (= now in tests)
constexpr double expires = 1717502400000;      // vector attestation expiry (+12 h)
const char* mesh = "MESHxxxxxxxxxxxxxxxxxxxxxxxxxxx1";
const char* member = "MEMBERaxxxxxxxxxxxxxxxxxxxxxxxx1";
const char* member_pk = "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
const char* session_pk = "ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1";
const char* hello_sig =
    "a289fc940ba5e0147d38c5a2617769467ca67fb2a0e14526d49136e5e8ee6a1f"
    "9fc4f7ecf950d1017cc108be27971999114097fdca2ae1b7392fe77773561c0d";
const char* attest_sig =
    "f429f94b0f33aeab2e626d2d2d9951bfeef56a0093767cfef4a410f987ce04ae"
    "cd6978061a9fa6f7dbd7576c8ab7c6ab25f25a099d9b4086cefd004ad96bea04";
const char* session_sig =
    "1766ee177dd588b6113eca27cf587dc8903f6e96f7bf7fd4ce67501735a3b088"
    "9cffdd765247de6a8fa7d2d73c4f26b6919735e0143e80512357edf7b52d6c03";

crypto::bytes member_sk() { return crypto::ed25519_from_seed(crypto::bytes(32, 0x01)).first; }
crypto::bytes session_sk() { return crypto::ed25519_from_seed(crypto::bytes(32, 0x03)).first; }

std::string sign(const std::string& msg, const crypto::bytes& sk) {
  return crypto::to_hex(crypto::sign_ed25519(msg, sk));
}

hello_frame vector_hello() {
  hello_frame f;
  f.meshId = mesh;
  f.memberId = member;
  f.pubkey = member_pk;
  f.sessionPubkey = session_pk;
  f.timestamp = static_cast<double>(ts);
  f.signature = hello_sig;
  return f;
}

/// A hello signed at timestamp `at` (valid except for whatever the skew says).
hello_frame hello_at(double at) {
  hello_frame f = vector_hello();
  f.timestamp = at;
  f.signature = sign(canonical_hello(mesh, member, member_pk, at), member_sk());
  return f;
}

session_hello_frame vector_session_hello() {
  session_hello_frame f;
  f.meshId = mesh;
  f.parentMemberPubkey = member_pk;
  f.sessionPubkey = session_pk;
  f.parentAttestation = parent_attestation{session_pk, member_pk, expires, attest_sig};
  f.timestamp = static_cast<double>(ts);
  f.signature = session_sig;
  return f;
}

session_hello_frame session_hello_expiring(double expires_at) {
  session_hello_frame f = vector_session_hello();
  f.parentAttestation->expiresAt = expires_at;
  f.parentAttestation->signature =
      sign(canonical_attestation(member_pk, session_pk, expires_at), member_sk());
  return f;
}

session_hello_frame session_hello_at(double at) {
  session_hello_frame f = vector_session_hello();
  f.timestamp = at;
  f.signature = sign(canonical_session_hello(mesh, member_pk, session_pk, at), session_sk());
  return f;
}

void check_rejection(const std::optional<handshake_rejection>& r, const std::string& code,
                     const std::string& message) {
  REQUIRE(r.has_value());
  CHECK(r->code == code);
  CHECK(r->message == message);
  CHECK(r->close_code == 1008);
  CHECK(r->close_reason == code);
}

std::string upper(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'f') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

} // namespace

TEST_CASE("handshake: canonical strings and signatures match the §2.2/§2.5 vectors") {
  CHECK(canonical_hello(mesh, member, member_pk, ts) ==
        "MESHxxxxxxxxxxxxxxxxxxxxxxxxxxx1|MEMBERaxxxxxxxxxxxxxxxxxxxxxxxx1|"
        "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c|1717459200000");
  CHECK(canonical_attestation(member_pk, session_pk, expires) ==
        "claudemesh-session-attest|8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c|"
        "ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1|1717502400000");
  CHECK(canonical_session_hello(mesh, member_pk, session_pk, ts) ==
        "claudemesh-session-hello|MESHxxxxxxxxxxxxxxxxxxxxxxxxxxx1|"
        "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c|"
        "ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1|1717459200000");
  CHECK(crypto::to_hex(crypto::ed25519_from_seed(crypto::bytes(32, 0x03)).second) == session_pk);
  CHECK(sign(canonical_hello(mesh, member, member_pk, ts), member_sk()) == hello_sig);
  CHECK(sign(canonical_attestation(member_pk, session_pk, expires), member_sk()) == attest_sig);
  CHECK(sign(canonical_session_hello(mesh, member_pk, session_pk, ts), session_sk()) ==
        session_sig);
}

TEST_CASE("handshake: js_number_string prints numbers like JavaScript String()") {
  CHECK(js_number_string(1717459200000.0) == "1717459200000");
  CHECK(js_number_string(0.0) == "0");
  CHECK(js_number_string(-0.0) == "0");
  CHECK(js_number_string(-42.0) == "-42");
  CHECK(js_number_string(1717459200000.5) == "1717459200000.5");
  CHECK(js_number_string(1e20) == "100000000000000000000");
  CHECK(js_number_string(1e21) == "1e+21");
  CHECK(js_number_string(1e-7) == "1e-7");
  CHECK(js_number_string(std::nan("")) == "NaN");
}

TEST_CASE("hello: the §2.2 vector passes the stateless checks") {
  CHECK_FALSE(check_hello(vector_hello(), ts, false).has_value());
  hello_frame no_session = vector_hello();
  no_session.sessionPubkey = std::nullopt;
  CHECK_FALSE(check_hello(no_session, ts, false).has_value());
  no_session.sessionPubkey = "";  // empty string = none
  CHECK_FALSE(check_hello(no_session, ts, false).has_value());
  hello_frame upper_sig = vector_hello();
  upper_sig.signature = upper(hello_sig);  // step 4/5 hex is case-insensitive
  CHECK_FALSE(check_hello(upper_sig, ts, false).has_value());
}

TEST_CASE("hello: step 1 bad_session_pubkey comes before capacity") {
  hello_frame f = vector_hello();
  f.sessionPubkey = upper(session_pk);
  f.timestamp = std::nullopt;
  check_rejection(check_hello(f, ts, true), "bad_session_pubkey",
                  "sessionPubkey must be 64 lowercase hex chars");
  f.sessionPubkey = std::string(session_pk).substr(0, 63);
  check_rejection(check_hello(f, ts, true), "bad_session_pubkey",
                  "sessionPubkey must be 64 lowercase hex chars");
}

TEST_CASE("hello: step 2 capacity comes before skew") {
  hello_frame f = vector_hello();
  f.timestamp = std::nullopt;
  check_rejection(check_hello(f, ts, true), "capacity", "mesh at connection capacity");
  check_rejection(check_hello(vector_hello(), ts, true), "capacity", "mesh at connection capacity");
}

TEST_CASE("hello: step 3 timestamp_skew (string-typed, non-finite, outside ±window)") {
  hello_frame f = vector_hello();
  f.timestamp = std::nullopt;  // e.g. "timestamp":"1717459200000"
  check_rejection(check_hello(f, ts, false), "timestamp_skew", "hello rejected: timestamp_skew");
  f.timestamp = std::numeric_limits<double>::infinity();
  check_rejection(check_hello(f, ts, false), "timestamp_skew", "hello rejected: timestamp_skew");
  f.timestamp = std::nan("");
  check_rejection(check_hello(f, ts, false), "timestamp_skew", "hello rejected: timestamp_skew");

  const double w = 60000;
  CHECK_FALSE(check_hello(hello_at(ts - w), ts, false).has_value());
  CHECK_FALSE(check_hello(hello_at(ts + w), ts, false).has_value());
  check_rejection(check_hello(hello_at(ts - w - 1), ts, false), "timestamp_skew",
                  "hello rejected: timestamp_skew");
  check_rejection(check_hello(hello_at(ts + w + 1), ts, false), "timestamp_skew",
                  "hello rejected: timestamp_skew");

  // The window is a parameter.
  handshake_limits narrow;
  narrow.hello_skew_ms = 1000;
  CHECK_FALSE(check_hello(hello_at(ts + 1000), ts, false, narrow).has_value());
  check_rejection(check_hello(hello_at(ts + 1001), ts, false, narrow), "timestamp_skew",
                  "hello rejected: timestamp_skew");

  // Skew comes before the hex shape check.
  hello_frame short_pk = hello_at(ts + w + 1);
  short_pk.pubkey = "abcd";
  check_rejection(check_hello(short_pk, ts, false), "timestamp_skew",
                  "hello rejected: timestamp_skew");
}

TEST_CASE("hello: step 4 malformed hex shapes") {
  hello_frame f = vector_hello();
  f.pubkey = std::string(member_pk).substr(0, 62);
  check_rejection(check_hello(f, ts, false), "malformed", "hello rejected: malformed");
  f = vector_hello();
  f.pubkey = "";
  check_rejection(check_hello(f, ts, false), "malformed", "hello rejected: malformed");
  f = vector_hello();
  f.signature = std::string(hello_sig).substr(0, 126);
  check_rejection(check_hello(f, ts, false), "malformed", "hello rejected: malformed");
  f = vector_hello();
  f.signature[10] = 'g';  // right length, not hex: malformed, not bad_signature
  check_rejection(check_hello(f, ts, false), "malformed", "hello rejected: malformed");
}

TEST_CASE("hello: step 5 bad_signature when any signed field changes") {
  hello_frame f = vector_hello();
  f.memberId = "MEMBERaxxxxxxxxxxxxxxxxxxxxxxxx2";
  check_rejection(check_hello(f, ts, false), "bad_signature", "hello rejected: bad_signature");
  f = vector_hello();
  f.meshId = "MESHxxxxxxxxxxxxxxxxxxxxxxxxxxx2";
  check_rejection(check_hello(f, ts, false), "bad_signature", "hello rejected: bad_signature");
  f = vector_hello();
  f.timestamp = static_cast<double>(ts + 1);
  check_rejection(check_hello(f, ts, false), "bad_signature", "hello rejected: bad_signature");
  f = vector_hello();
  f.signature[0] = f.signature[0] == 'a' ? 'b' : 'a';
  check_rejection(check_hello(f, ts, false), "bad_signature", "hello rejected: bad_signature");
  f = vector_hello();
  f.pubkey = session_pk;  // signed by the member key, verified against another key
  check_rejection(check_hello(f, ts, false), "bad_signature", "hello rejected: bad_signature");
}

TEST_CASE("session_hello: the §2.5 vector passes the stateless checks") {
  session_hello_frame f = vector_session_hello();
  CHECK_FALSE(check_session_hello(f, ts, false).has_value());
}

TEST_CASE("session_hello: steps 1-3 key shapes and attestation keys, in order") {
  session_hello_frame f = vector_session_hello();
  f.sessionPubkey = upper(session_pk);
  f.parentMemberPubkey = upper(member_pk);
  f.parentAttestation = std::nullopt;
  check_rejection(check_session_hello(f, ts, true), "bad_session_pubkey",
                  "sessionPubkey must be 64 lowercase hex chars");
  f.sessionPubkey = "";  // required on this path
  check_rejection(check_session_hello(f, ts, true), "bad_session_pubkey",
                  "sessionPubkey must be 64 lowercase hex chars");

  f.sessionPubkey = session_pk;
  check_rejection(check_session_hello(f, ts, true), "bad_parent_pubkey",
                  "session_hello rejected: bad_parent_pubkey");

  f.parentMemberPubkey = member_pk;  // attestation still missing, mesh full
  check_rejection(check_session_hello(f, ts, true), "attestation_mismatch",
                  "session_hello rejected: attestation_mismatch");

  f = vector_session_hello();
  f.parentAttestation->sessionPubkey = std::string(63, 'a') + "b";
  check_rejection(check_session_hello(f, ts, true), "attestation_mismatch",
                  "session_hello rejected: attestation_mismatch");
  f = vector_session_hello();
  f.parentAttestation->parentMemberPubkey = upper(member_pk);  // exact equality
  check_rejection(check_session_hello(f, ts, true), "attestation_mismatch",
                  "session_hello rejected: attestation_mismatch");
  f = vector_session_hello();
  f.parentAttestation->parentMemberPubkey = "";  // missing field in the object
  check_rejection(check_session_hello(f, ts, false), "attestation_mismatch",
                  "session_hello rejected: attestation_mismatch");
}

TEST_CASE("session_hello: step 4 capacity comes before the attestation checks") {
  session_hello_frame f = vector_session_hello();
  f.parentAttestation->expiresAt = std::nullopt;
  f.timestamp = std::nullopt;
  check_rejection(check_session_hello(f, ts, true), "capacity", "mesh at connection capacity");
}

TEST_CASE("session_hello: step 5 attestation expiry, ttl, shape, signature") {
  session_hello_frame f = vector_session_hello();
  f.parentAttestation->expiresAt = std::nullopt;  // string-typed / missing
  check_rejection(check_session_hello(f, ts, false), "malformed", "attestation rejected: malformed");
  f.parentAttestation->expiresAt = std::numeric_limits<double>::infinity();
  check_rejection(check_session_hello(f, ts, false), "malformed", "attestation rejected: malformed");

  check_rejection(check_session_hello(session_hello_expiring(ts), ts, false), "expired",
                  "attestation rejected: expired");
  check_rejection(check_session_hello(session_hello_expiring(ts - 5000), ts, false), "expired",
                  "attestation rejected: expired");
  CHECK_FALSE(check_session_hello(session_hello_expiring(ts + 1), ts, false).has_value());

  const double ttl = 86400000;
  CHECK_FALSE(check_session_hello(session_hello_expiring(ts + ttl), ts, false).has_value());
  check_rejection(check_session_hello(session_hello_expiring(ts + ttl + 1), ts, false),
                  "ttl_too_long", "attestation rejected: ttl_too_long");
  handshake_limits short_ttl;
  short_ttl.attestation_ttl_max_ms = 3600000;
  check_rejection(check_session_hello(vector_session_hello(), ts, false, short_ttl),
                  "ttl_too_long", "attestation rejected: ttl_too_long");

  f = vector_session_hello();
  f.parentAttestation->signature = std::string(attest_sig).substr(0, 127);
  check_rejection(check_session_hello(f, ts, false), "malformed", "attestation rejected: malformed");

  f = vector_session_hello();
  f.parentAttestation->expiresAt = expires + 1;  // within ttl, not what was signed
  check_rejection(check_session_hello(f, ts, false), "bad_signature",
                  "attestation rejected: bad_signature");
  f = vector_session_hello();
  f.parentAttestation->signature =
      sign(canonical_attestation(member_pk, session_pk, expires), session_sk());  // wrong key
  check_rejection(check_session_hello(f, ts, false), "bad_signature",
                  "attestation rejected: bad_signature");
  // The attestation is judged before the session signature.
  f.timestamp = std::nullopt;
  f.signature = "zz";
  check_rejection(check_session_hello(f, ts, false), "bad_signature",
                  "attestation rejected: bad_signature");
}

TEST_CASE("session_hello: step 6 session signature skew, shape, signature") {
  session_hello_frame f = vector_session_hello();
  f.timestamp = std::nullopt;
  check_rejection(check_session_hello(f, ts, false), "timestamp_skew",
                  "session_hello rejected: timestamp_skew");
  const double w = 60000;
  CHECK_FALSE(check_session_hello(session_hello_at(ts - w), ts, false).has_value());
  CHECK_FALSE(check_session_hello(session_hello_at(ts + w), ts, false).has_value());
  check_rejection(check_session_hello(session_hello_at(ts + w + 1), ts, false), "timestamp_skew",
                  "session_hello rejected: timestamp_skew");
  check_rejection(check_session_hello(session_hello_at(ts - w - 1), ts, false), "timestamp_skew",
                  "session_hello rejected: timestamp_skew");

  f = vector_session_hello();
  f.signature = std::string(session_sig) + "00";
  check_rejection(check_session_hello(f, ts, false), "malformed",
                  "session_hello rejected: malformed");

  f = vector_session_hello();
  f.meshId = "MESHxxxxxxxxxxxxxxxxxxxxxxxxxxx2";
  check_rejection(check_session_hello(f, ts, false), "bad_signature",
                  "session_hello rejected: bad_signature");
  f = vector_session_hello();
  f.signature = sign(canonical_session_hello(mesh, member_pk, session_pk, ts), member_sk());
  check_rejection(check_session_hello(f, ts, false), "bad_signature",
                  "session_hello rejected: bad_signature");
}

TEST_CASE("handshake: rejections for the database and stateful steps") {
  const auto revoked = reject_revoked("Team Alpha");
  CHECK(revoked.code == "revoked");
  CHECK(revoked.message == "You've been removed from \"Team Alpha\". Contact the mesh owner to rejoin.");
  CHECK(revoked.close_code == 4002);
  CHECK(revoked.close_reason == "banned");

  check_rejection(reject_unauthorized(handshake_kind::hello), "unauthorized",
                  "pubkey not found in mesh");
  check_rejection(reject_unauthorized(handshake_kind::session_hello), "unauthorized",
                  "parent pubkey not found in mesh");
  check_rejection(reject_parent_member_id_mismatch(), "parent_member_id_mismatch",
                  "session_hello rejected: parent_member_id_mismatch");
  check_rejection(reject_replayed(handshake_kind::hello), "bad_signature",
                  "hello rejected: replayed signature");
  check_rejection(reject_replayed(handshake_kind::session_hello), "bad_signature",
                  "session_hello rejected: replayed signature");
  check_rejection(reject_session_pubkey_taken(), "bad_session_pubkey",
                  "sessionPubkey is held by another member");
}
