// Pure logic of identity and membership (issue 4): permission resolution by
// role and overrides, the signed canonical strings (the §7.2 test vector
// included), invite codes, the sealed root key and token comparison, the
// identity frames' decoding and the HTTP body codec.
#include "actors/identity_canonical.hpp"
#include "actors/identity_router.hpp"
#include "actors/permissions.hpp"
#include "crypto/sealed_box.hpp"
#include "crypto/sodium.hpp"
#include "storage/identity_json.hpp"
#include "transport/frame_encoders_identity.hpp"
#include "transport/identity_http_body.hpp"
#include "transport/wire_codec.hpp"

#include <doctest/doctest.h>

#include <sodium.h>

#include <set>

using namespace nexus;

TEST_CASE("permissions: role defaults") {
  auto member = default_permissions(member_role::member);
  CHECK(member.has(permission::send));
  CHECK(member.has(permission::write_state));
  for (permission p : {permission::invite, permission::manage_members, permission::moderate,
                       permission::manage_services})
    CHECK_FALSE(member.has(p));
  for (member_role r : {member_role::admin, member_role::owner})
    for (permission p : all_permissions)
      CHECK(default_permissions(r).has(p));
}

TEST_CASE("permissions: overrides replace one default each; the owner ignores them") {
  std::map<std::string, bool> o{{"invite", true}, {"send", false}, {"bogus", true}};
  auto m = effective_permissions(member_role::member, o);
  CHECK(m.has(permission::invite));
  CHECK_FALSE(m.has(permission::send));
  CHECK(m.has(permission::write_state)); // untouched
  CHECK_FALSE(m.has(permission::moderate));
  auto a = effective_permissions(member_role::admin, {{"moderate", false}});
  CHECK_FALSE(a.has(permission::moderate));
  CHECK(a.has(permission::invite));
  CHECK(effective_permissions(member_role::owner, {{"send", false}, {"invite", false}}) ==
        default_permissions(member_role::owner));
}

TEST_CASE("permissions: names and roles") {
  for (permission p : all_permissions)
    CHECK(parse_permission(to_string(p)) == p);
  CHECK_FALSE(parse_permission("Invite"));
  CHECK(role_of("admin", true) == member_role::owner);
  CHECK(role_of("member", true) == member_role::owner);
  CHECK(role_of("admin", false) == member_role::admin);
  CHECK(role_of("anything", false) == member_role::member);
  CHECK(to_string(member_role::owner) == "owner");
}

TEST_CASE("canonical: the §7.2 test vector verifies") {
  auto [sk, pk] = crypto::ed25519_from_seed(crypto::bytes(32, 0x01));
  CHECK(crypto::to_hex(pk) == "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c");
  auto canonical = invite_capability_canonical("MESHxxxxxxxxxxxxxxxxxxxxxxxxxxx1", "INVITExxxxxxxxxxxxxxxxxxxxxxxxx1",
                                               1718064000, "member", crypto::to_hex(pk));
  CHECK(canonical == "v=2|MESHxxxxxxxxxxxxxxxxxxxxxxxxxxx1|INVITExxxxxxxxxxxxxxxxxxxxxxxxx1|1718064000|member|"
                     "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c");
  const char* spec_sig = "4e2f7c86f492e17386f54792155a9628e0b72a92623d1423f3ba31cc07e9926f3c7e1b4f54f66ee446dc68402c58d353"
                         "7daec1577c5309d33270f204ddef5a05";
  CHECK(crypto::to_hex(crypto::sign_ed25519(canonical, sk)) == spec_sig);
  CHECK(crypto::verify_ed25519(canonical, spec_sig, crypto::to_hex(pk)));
  CHECK_FALSE(crypto::verify_ed25519(canonical + "x", spec_sig, crypto::to_hex(pk)));
}

TEST_CASE("canonical: claim and mesh creation strings, empty fields kept") {
  CHECK(invite_claim_canonical("ABCDEFGH", "xkey", "pk", "") == "nexus-invite-claim|ABCDEFGH|xkey|pk|");
  CHECK(invite_claim_canonical("ABCDEFGH", "xkey", "pk", "a|b") == "nexus-invite-claim|ABCDEFGH|xkey|pk|a|b");
  CHECK(mesh_create_canonical("pk", 1718064000123, "xkey", "team", "alice") ==
        "nexus-mesh-create|pk|1718064000123|xkey|team|alice");
}

TEST_CASE("invite codes: 8 characters of the alphabet, varied") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto code = new_invite_code();
    CHECK(is_invite_code(code));
    seen.insert(code);
  }
  CHECK(seen.size() == 200);
  CHECK_FALSE(is_invite_code("ABCDEFG"));
  CHECK_FALSE(is_invite_code("ABCDEFGI")); // I is not in the alphabet
  CHECK_FALSE(is_invite_code("abcdefgh"));
  CHECK_FALSE(is_invite_code("ABCDEFG0"));
}

TEST_CASE("sealed box: base64url keys, a seal the recipient opens to the plaintext") {
  unsigned char pk[crypto_box_PUBLICKEYBYTES], sk[crypto_box_SECRETKEYBYTES];
  crypto_box_keypair(pk, sk);
  auto pk_text = crypto::to_base64url(pk, sizeof pk);
  CHECK(pk_text.size() == 43);
  CHECK(pk_text.find('=') == std::string::npos);
  CHECK(crypto::is_x25519_key_b64url(pk_text));
  CHECK_FALSE(crypto::is_x25519_key_b64url(pk_text.substr(0, 42)));
  CHECK_FALSE(crypto::is_x25519_key_b64url(pk_text + "A"));
  auto root = crypto::secret_buffer::random(32);
  auto sealed = crypto::seal_b64url(root, pk_text);
  REQUIRE(sealed);
  auto raw = crypto::from_base64url(*sealed);
  REQUIRE(raw);
  unsigned char opened[32];
  REQUIRE(crypto_box_seal_open(opened, raw->data(), raw->size(), pk, sk) == 0);
  CHECK(sodium_memcmp(opened, root.data(), 32) == 0);
  CHECK_FALSE(crypto::seal_b64url(root, "not+base64url"));
}

TEST_CASE("operator tokens compare in constant time by digest") {
  CHECK(crypto::tokens_equal("secret", "secret"));
  CHECK_FALSE(crypto::tokens_equal("secret", "secreT"));
  CHECK_FALSE(crypto::tokens_equal("", "secret"));
  CHECK_FALSE(crypto::tokens_equal("secret-longer", "secret"));
}

TEST_CASE("identity_json: permissions, grants, presets, capability") {
  CHECK(storage::bools_from_json(std::string(R"({"invite":true,"send":false,"x":1})")) ==
        storage::bool_map{{"invite", true}, {"send", false}});
  CHECK(storage::bools_to_json({{"b", false}, {"a", true}}) == R"({"a":true,"b":false})");
  CHECK(storage::grants_to_json({{"k", {}}, {"j", {"dm", "read"}}}) == R"({"j":["dm","read"],"k":[]})");
  storage::invite_preset p;
  p.role_tag = "lead";
  p.groups = storage::group_list{{"eng", std::string("x")}};
  auto text = storage::preset_to_json(p);
  CHECK(text == R"({"roleTag":"lead","groups":[{"name":"eng","role":"x"}]})");
  auto back = storage::preset_from_json(text);
  CHECK(back.role_tag == std::string("lead"));
  CHECK_FALSE(back.display_name);
  REQUIRE(back.groups);
  CHECK(back.groups->at(0).first == "eng");
  CHECK(storage::capability_from_json(storage::capability_to_json({"v=2|a", "ff"}))->canonical == "v=2|a");
  CHECK_FALSE(storage::capability_from_json(R"({"canonical":"x"})"));
  CHECK_FALSE(storage::capability_from_json("nope"));
}

TEST_CASE("invite paths: only /invites/<code> and /invites/<code>/claim") {
  CHECK(invite_code_of("/invites/ABCDEFGH", false) == "ABCDEFGH");
  CHECK(invite_code_of("/invites/ABCDEFGH/claim", true) == "ABCDEFGH");
  CHECK(invite_code_of("/invites/ABCDEFGH/claim", false).empty());
  CHECK(invite_code_of("/invites/ABCDEFGH?x=1", false).empty());
  CHECK(invite_code_of("/invites//claim", true).empty());
  CHECK(invite_code_of("/invites/ABCDEFGH/claimx", true).empty());
  CHECK(invite_code_of("/other/ABCDEFGH", false).empty());
}

TEST_CASE("identity frames decode with the codec's rule set") {
  auto decode = [](const std::string& text) { return std::get<wire::inbound>(wire::decode(text, 8)).payload; };
  auto op = [&](const std::string& text) {
    auto p = decode(text);
    REQUIRE(std::holds_alternative<identity_frame>(p));
    return std::get<identity_frame>(p).request;
  };
  auto ic = std::get<invite_create_frame>(op(
      R"({"type":"invite_create","inviteId":"i","expiresAt":17,"signature":"s","preset":{"groups":[{"name":"g","role":""}]}})"));
  CHECK(ic.role == "member");
  CHECK(ic.maxUses == 1);
  REQUIRE(ic.preset);
  CHECK(ic.preset->groups->at(0).name == "g");
  CHECK_FALSE(ic.preset->groups->at(0).role);
  auto mu = std::get<member_update_frame>(op(R"({"type":"member_update","roleTag":null})"));
  CHECK(mu.roleTag.present);
  CHECK_FALSE(mu.roleTag.value);
  CHECK_FALSE(std::get<member_update_frame>(op(R"({"type":"member_update"})")).roleTag.present);
  auto perms = std::get<member_set_permissions_frame>(
      op(R"({"type":"member_set_permissions","memberId":"m","permissions":{"send":false,"invite":null}})"));
  CHECK(perms.permissions.at("send") == false);
  CHECK_FALSE(perms.permissions.at("invite"));
  auto k = std::get<kick_frame>(op(R"({"type":"disconnect","stale":5000})"));
  CHECK(k.soft);
  CHECK(k.stale_ms == 5000);
  CHECK(std::get<ban_frame>(op(R"({"type":"ban"})")).target.empty());
  auto bad = decode(R"({"type":"invite_create","inviteId":"i","signature":"s"})");
  REQUIRE(std::holds_alternative<frame_error>(bad));
  CHECK(std::get<frame_error>(bad).message == "invite_create: expiresAt must be a number");
  auto bad_groups = decode(R"({"type":"member_update","groups":[{"role":"x"}]})");
  REQUIRE(std::holds_alternative<frame_error>(bad_groups));
  CHECK(std::get<frame_error>(bad_groups).message == "member_update: groups must be an array of {name, role?} objects");
}

TEST_CASE("identity replies encode exactly") {
  kick_ack_frame k;
  k.kicked = {"bob"};
  k.affected = {"bob"};
  k.skipped_control_plane = std::vector<std::string>{"alice-daemon"};
  k.req_id = "rw-1717-abc";
  CHECK(wire::encode_kick_ack(k) ==
        R"({"type":"kick_ack","kicked":["bob"],"affected":["bob"],"skipped_control_plane":["alice-daemon"],"_reqId":"rw-1717-abc"})");
  CHECK(wire::encode_ban_ack({"dave", std::nullopt}) == R"({"type":"ban_ack","banned":"dave"})");
  list_bans_result_frame bans{{{"dave", "ab", 0}}, std::string("r")};
  CHECK(wire::encode_list_bans_result(bans) ==
        R"({"type":"list_bans_result","bans":[{"name":"dave","pubkey":"ab","revokedAt":"1970-01-01T00:00:00.000Z"}],"_reqId":"r"})");
  invite_claim_response c{"s", "m", "id", "o", "v=2|x", "member", "bob", false};
  CHECK(wire::encode_claim_body(c) ==
        R"({"sealed_root_key":"s","mesh_id":"m","member_id":"id","owner_pubkey":"o","canonical_v2":"v=2|x","role":"member","display_name":"bob"})");
  CHECK(wire::encode_http_error("exhausted") == R"({"error":"exhausted"})");
}

TEST_CASE("HTTP bodies: the claim's fields and the Bearer token") {
  auto claim = wire::decode_claim_body(R"({"recipient_x25519_pubkey":"x","peer_pubkey":"p","signature":"s"})", 8);
  REQUIRE(claim.value);
  CHECK(claim.value->display_name.empty());
  auto missing = wire::decode_claim_body(R"({"recipient_x25519_pubkey":5})", 8);
  CHECK_FALSE(missing.value);
  CHECK(missing.error.detail == "claim: recipient_x25519_pubkey must be a string");
  CHECK(wire::decode_claim_body("[]", 8).error.detail == "body must be a JSON object");
  std::string auth = "Bearer tok";
  auto create = wire::decode_mesh_create_body(
      R"({"name":"n","pubkey":"p","display_name":"d","recipient_x25519_pubkey":"x","timestamp":1,"signature":"s"})", 8, &auth);
  REQUIRE(create.value);
  CHECK(create.value->operator_token == std::string("tok"));
  CHECK(create.value->timestamp_ms == 1);
}
