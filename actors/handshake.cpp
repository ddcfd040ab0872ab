#include "actors/handshake.hpp"

#include "crypto/sodium.hpp"

#include <charconv>
#include <cmath>

namespace nexus {

namespace {

constexpr size_t pubkey_hex_chars = 64;
constexpr size_t signature_hex_chars = 128;

/// Exactly `length` hex characters, either case (§2.2 step 4 is
/// case-insensitive, unlike the lowercase-only sessionPubkey rules).
bool is_hex(std::string_view s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    const bool digit = c >= '0' && c <= '9';
    const bool lower = c >= 'a' && c <= 'f';
    const bool upper = c >= 'A' && c <= 'F';
    if (!digit && !lower && !upper) return false;
  }
  return true;
}

handshake_rejection reject(std::string code, std::string message) {
  handshake_rejection r;
  r.close_reason = code;  // §1.6: close 1008 with the code as reason
  r.code = std::move(code);
  r.message = std::move(message);
  r.close_code = 1008;
  return r;
}

const char* prefix(handshake_kind kind) {
  return kind == handshake_kind::hello ? "hello rejected: " : "session_hello rejected: ";
}

handshake_rejection reject_prefixed(const char* prefix_text, const char* code) {
  return reject(code, std::string(prefix_text) + code);
}

handshake_rejection reject_bad_session_pubkey() {
  return reject("bad_session_pubkey", "sessionPubkey must be 64 lowercase hex chars");
}

handshake_rejection reject_capacity() { return reject("capacity", "mesh at connection capacity"); }

/// §2.2 step 3 / §2.5 step 6: absent, non-number or non-finite fails, and
/// so does |now − ts| > skew. Exactly ±skew is accepted.
bool timestamp_within_skew(const wire_number& ts, int64_t now_ms, int64_t skew_ms) {
  if (!ts || !std::isfinite(*ts)) return false;
  // now_ms and the skew are far below 2^53, so the double arithmetic is exact
  // for every integral timestamp a client can send within range.
  return std::fabs(static_cast<double>(now_ms) - *ts) <= static_cast<double>(skew_ms);
}

} // namespace

std::string js_number_string(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  if (value == 0) return "0";  // also -0, which JavaScript prints as "0"
  char buf[64];
  const double magnitude = std::fabs(value);
  // JavaScript switches to exponent notation at 1e21 and below 1e-6; the
  // shortest round-trip digits are the same in both languages.
  const auto format = (magnitude >= 1e21 || magnitude < 1e-6) ? std::chars_format::scientific
                                                              : std::chars_format::fixed;
  const auto res = std::to_chars(buf, buf + sizeof buf, value, format);
  std::string out(buf, res.ptr);
  if (format == std::chars_format::scientific) {
    // C++ prints "1e+21"/"1e-07"; JavaScript prints "1e+21"/"1e-7".
    const auto e = out.find('e');
    if (e != std::string::npos && e + 2 < out.size()) {
      size_t digits = e + 2;
      while (digits + 1 < out.size() && out[digits] == '0') out.erase(digits, 1);
    }
  }
  return out;
}

std::string canonical_hello(std::string_view mesh_id, std::string_view member_id,
                            std::string_view pubkey, double timestamp_ms) {
  std::string s;
  s.reserve(mesh_id.size() + member_id.size() + pubkey.size() + 20);
  s.append(mesh_id).append("|").append(member_id).append("|").append(pubkey).append("|");
  s.append(js_number_string(timestamp_ms));
  return s;
}

std::string canonical_session_hello(std::string_view mesh_id,
                                    std::string_view parent_member_pubkey,
                                    std::string_view session_pubkey, double timestamp_ms) {
  std::string s = "claudemesh-session-hello|";
  s.append(mesh_id).append("|").append(parent_member_pubkey).append("|");
  s.append(session_pubkey).append("|").append(js_number_string(timestamp_ms));
  return s;
}

std::string canonical_attestation(std::string_view parent_member_pubkey,
                                  std::string_view session_pubkey, double expires_at_ms) {
  std::string s = "claudemesh-session-attest|";
  s.append(parent_member_pubkey).append("|").append(session_pubkey).append("|");
  s.append(js_number_string(expires_at_ms));
  return s;
}

std::optional<handshake_rejection> check_hello(const hello_frame& f, int64_t now_ms,
                                               bool mesh_at_capacity,
                                               const handshake_limits& limits) {
  const char* p = prefix(handshake_kind::hello);
  // 1. sessionPubkey present and non-empty must be 64 lowercase hex.
  if (f.sessionPubkey && !f.sessionPubkey->empty() &&
      !crypto::is_lower_hex(*f.sessionPubkey, pubkey_hex_chars))
    return reject_bad_session_pubkey();
  // 2. capacity (before any crypto work: cheap refusal under load).
  if (mesh_at_capacity) return reject_capacity();
  // 3. timestamp must be a finite number within the skew window.
  if (!timestamp_within_skew(f.timestamp, now_ms, limits.hello_skew_ms))
    return reject_prefixed(p, "timestamp_skew");
  // 4. hex shapes, case-insensitive.
  if (!is_hex(f.pubkey, pubkey_hex_chars) || !is_hex(f.signature, signature_hex_chars))
    return reject_prefixed(p, "malformed");
  // 5. ed25519 over the canonical string with the member key. The shapes are
  // valid, so false here means the signature does not verify (the "exception
  // → malformed" branch of the reference cannot happen).
  if (!crypto::sodium_ready()) return reject_prefixed(p, "malformed");
  if (!crypto::verify_ed25519(canonical_hello(f.meshId, f.memberId, f.pubkey, *f.timestamp),
                              f.signature, f.pubkey))
    return reject_prefixed(p, "bad_signature");
  return std::nullopt;
}

std::optional<handshake_rejection> check_session_hello(const session_hello_frame& f,
                                                       int64_t now_ms, bool mesh_at_capacity,
                                                       const handshake_limits& limits) {
  const char* p = prefix(handshake_kind::session_hello);
  const char* ap = "attestation rejected: ";
  // 1–2. Both keys are routing/lookup identities: lowercase only.
  if (!crypto::is_lower_hex(f.sessionPubkey, pubkey_hex_chars)) return reject_bad_session_pubkey();
  if (!crypto::is_lower_hex(f.parentMemberPubkey, pubkey_hex_chars))
    return reject_prefixed(p, "bad_parent_pubkey");
  // 3. The attestation must exist and name exactly the frame's keys.
  if (!f.parentAttestation || f.parentAttestation->sessionPubkey != f.sessionPubkey ||
      f.parentAttestation->parentMemberPubkey != f.parentMemberPubkey)
    return reject_prefixed(p, "attestation_mismatch");
  // 4. capacity.
  if (mesh_at_capacity) return reject_capacity();
  // 5. Attestation: expiry, TTL bound, shape, member signature.
  const parent_attestation& a = *f.parentAttestation;
  if (!a.expiresAt || !std::isfinite(*a.expiresAt)) return reject_prefixed(ap, "malformed");
  const double now = static_cast<double>(now_ms);
  if (*a.expiresAt <= now) return reject_prefixed(ap, "expired");
  if (*a.expiresAt > now + static_cast<double>(limits.attestation_ttl_max_ms))
    return reject_prefixed(ap, "ttl_too_long");
  if (!is_hex(a.signature, signature_hex_chars)) return reject_prefixed(ap, "malformed");
  if (!crypto::sodium_ready()) return reject_prefixed(ap, "malformed");
  if (!crypto::verify_ed25519(canonical_attestation(a.parentMemberPubkey, a.sessionPubkey,
                                                    *a.expiresAt),
                              a.signature, a.parentMemberPubkey))
    return reject_prefixed(ap, "bad_signature");
  // 6. Session signature: skew, shape, session-key signature.
  if (!timestamp_within_skew(f.timestamp, now_ms, limits.hello_skew_ms))
    return reject_prefixed(p, "timestamp_skew");
  if (!is_hex(f.signature, signature_hex_chars)) return reject_prefixed(p, "malformed");
  if (!crypto::verify_ed25519(canonical_session_hello(f.meshId, f.parentMemberPubkey,
                                                      f.sessionPubkey, *f.timestamp),
                              f.signature, f.sessionPubkey))
    return reject_prefixed(p, "bad_signature");
  return std::nullopt;
}

handshake_rejection reject_revoked(std::string_view mesh_label) {
  handshake_rejection r;
  r.code = "revoked";
  r.message = "You've been removed from \"";
  r.message.append(mesh_label).append("\". Contact the mesh owner to rejoin.");
  r.close_code = 4002;
  r.close_reason = "banned";
  return r;
}

handshake_rejection reject_unauthorized(handshake_kind kind) {
  return reject("unauthorized", kind == handshake_kind::hello ? "pubkey not found in mesh"
                                                              : "parent pubkey not found in mesh");
}

handshake_rejection reject_parent_member_id_mismatch() {
  return reject_prefixed(prefix(handshake_kind::session_hello), "parent_member_id_mismatch");
}

handshake_rejection reject_replayed(handshake_kind kind) {
  return reject("bad_signature", std::string(prefix(kind)) + "replayed signature");
}

handshake_rejection reject_session_pubkey_taken() {
  return reject("bad_session_pubkey", "sessionPubkey is held by another member");
}

} // namespace nexus
