#include "actors/audit_chain.hpp"

#include <doctest/doctest.h>

using namespace nexus::audit;

// Test vectors of ../shared/spec/PROTOCOL.md §8.
static const char* mesh = "MESHxxxxxxxxxxxxxxxxxxxxxxxxxxx1";
static const char* member = "MEMBERaxxxxxxxxxxxxxxxxxxxxxxxx1";
static const char* joined_payload =
    R"({"groups":[{"name":"backend","role":"lead"}],"pubkey":"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c","restored":false,"role":"control-plane"})";
static const char* hash1 = "cb8fb638ede5a58cc53211f352ccea52e4a8c2ec9f627c518f9a8bf248e6b1c5";
static const char* hash2 = "e97d30a6816ed4e67ab327d77171bdf25f2b32389f7871076691990f7b90c007";
static const int64_t t1 = 1776254400123; // 2026-04-15T12:00:00.123Z
static const int64_t t2 = 1776254401000; // 2026-04-15T12:00:01.000Z

TEST_CASE("§8 vector 1: peer_joined from genesis, payload given in another spelling") {
  // Same value, keys out of order and with white space: canonicalizes to the vector.
  auto payload = canonical_json(
      R"({ "role": "control-plane", "restored": false,
           "pubkey": "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c",
           "groups": [ { "role": "lead", "name": "backend" } ] })");
  REQUIRE(payload);
  CHECK(*payload == joined_payload);
  link_fields f{genesis, mesh, "peer_joined", std::string_view(member), *payload, t1};
  CHECK(chain_input(f) == std::string("genesis|") + mesh + "|peer_joined|" + member + "|" +
                              joined_payload + "|2026-04-15T12:00:00.123Z");
  CHECK(chain_hash(f) == hash1);
}

TEST_CASE("§8 vector 2: message_sent linked to vector 1, payload from the builder") {
  auto payload = payload_builder().string("targetSpec", "*").string("priority", "next").str();
  CHECK(payload == R"({"priority":"next","targetSpec":"*"})");
  link_fields f{hash1, mesh, "message_sent", std::string_view(member), payload, t2};
  CHECK(chain_hash(f) == hash2);
}

TEST_CASE("§8 vector 3: no actor hashes the four characters null") {
  link_fields f{"x", "m", "e", std::nullopt, "{}", t1};
  CHECK(chain_input(f) == "x|m|e|null|{}|2026-04-15T12:00:00.123Z");
  CHECK(chain_hash(f) == "aebdffcaf5cc49ab266e1207fbf15ac24c543ba38c0db3f2471e12c7415ff796");
}

TEST_CASE("strings escape like JSON.stringify") {
  CHECK(canonical_string("a\"b\\c") == R"("a\"b\\c")");
  CHECK(canonical_string("\b\f\n\r\t") == R"("\b\f\n\r\t")");
  CHECK(canonical_string(std::string("\x01\x1f", 2)) == R"("\u0001\u001f")");
  CHECK(canonical_string("é/\x7f") == "\"é/\x7f\""); // non-ASCII, '/' and DEL raw
  CHECK(*canonical_json(R"("\u00e9\u0001")") == "\"é\\u0001\"");
}

TEST_CASE("numbers print like JavaScript") {
  CHECK(canonical_number(1.0) == "1");
  CHECK(canonical_number(0.1) == "0.1");
  CHECK(canonical_number(-0.0) == "0");
  CHECK(canonical_number(1.5e-7) == "1.5e-7");
  CHECK(canonical_number(0.000001) == "0.000001");
  CHECK(canonical_number(1e21) == "1e+21");
  CHECK(canonical_number(1e20) == "100000000000000000000");
  CHECK(canonical_number(123.456) == "123.456");
  CHECK(canonical_number(-2.5e30) == "-2.5e+30");
  CHECK(canonical_number(5e-324) == "5e-324");
  CHECK(*canonical_json("[1.0, -0, 2e0, 1E21, 0.30000000000000004]") ==
        "[1,0,2,1e+21,0.30000000000000004]");
  // Integers we store exactly are hashed exactly (what jsonb gives back).
  CHECK(*canonical_json("9007199254740993") == "9007199254740993");
}

TEST_CASE("objects: UTF-16 key order, last duplicate wins, nesting") {
  CHECK(*canonical_json(R"({"b":1,"a":{"d":[true,null],"c":"x"}})") ==
        R"({"a":{"c":"x","d":[true,null]},"b":1})");
  CHECK(*canonical_json(R"({"k":1,"k":2})") == R"({"k":2})");
  // U+FF61 sorts after U+1F600 in UTF-16 (0xFF61 > 0xD83D) though not in UTF-8.
  CHECK(*canonical_json("{\"\xEF\xBD\xA1\":1,\"\xF0\x9F\x98\x80\":2}") ==
        "{\"\xF0\x9F\x98\x80\":2,\"\xEF\xBD\xA1\":1}");
  CHECK(*canonical_json("{}") == "{}");
  CHECK_FALSE(canonical_json("{bad"));
}

TEST_CASE("the verifier accepts a chain and names the first broken id") {
  auto entry = [](int64_t id, std::string prev, const std::string& payload, int64_t ms) {
    stored_entry e;
    e.id = id;
    e.event_type = "state_set";
    e.actor_member_id = "M1";
    e.payload_json = payload;
    e.prev_hash = std::move(prev);
    e.created_ms = ms;
    auto canonical = *canonical_json(payload); // link_fields holds views: keep it alive
    link_fields f{e.prev_hash, "mesh", e.event_type, std::string_view("M1"), canonical, ms};
    e.hash = chain_hash(f);
    return e;
  };
  auto a = entry(3, "genesis", R"({"key": "k", "value": 1})", t1); // jsonb spelling
  auto b = entry(7, a.hash, R"({"key":"k","value":2})", t2);
  auto c = entry(9, b.hash, R"({"key":"k","value":3})", t2 + 1);

  chain_verifier ok("mesh");
  CHECK(ok.feed(a));
  CHECK(ok.feed(b));
  CHECK(ok.feed(c));
  CHECK_FALSE(ok.broken_at());
  CHECK(ok.checked() == 3);

  auto tampered = b;
  tampered.payload_json = R"({"key":"k","value":99})";
  chain_verifier bad("mesh");
  CHECK(bad.feed(a));
  CHECK_FALSE(bad.feed(tampered));
  CHECK_FALSE(bad.feed(c));
  REQUIRE(bad.broken_at());
  CHECK(*bad.broken_at() == 7);

  chain_verifier other_mesh("another"); // the mesh id is part of every link
  CHECK_FALSE(other_mesh.feed(a));
  CHECK(*other_mesh.broken_at() == 3);

  auto relinked = c;
  relinked.prev_hash = a.hash; // b deleted: c no longer links
  chain_verifier gap("mesh");
  CHECK(gap.feed(a));
  CHECK_FALSE(gap.feed(relinked));
  CHECK(*gap.broken_at() == 9);
}
