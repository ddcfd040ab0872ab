// audit_chain: the pure code of the audit log's hash chain (PROTOCOL.md §8)
// — canonical JSON of a payload, the hash input of one entry, and the
// verification walk. No I/O. A single append runs inside PostgreSQL
// (storage/audit_sql.hpp computes the same hash in SQL while holding the
// mesh's chain head); a group commit's merged sends are hashed here, over
// the head locked in the same transaction (storage_merge link_chain()).
// audit_verify re-computes every link here, so the SQL implementation and
// this one check each other on every verify.
//
//   input = prev_hash|mesh_id|event_type|actor|canonical_json(payload)|created_at_iso
//   hash  = lowercase hex SHA-256(input)      (prev_hash of the first = "genesis")
//
// Canonical JSON is a function of the JSON *value* (not of its spelling), so
// the payload text we store (jsonb, which respells numbers and re-escapes
// strings) canonicalizes back to exactly the string that was hashed:
// integers that fit int64/uint64 print exactly (we hash what we store, §8's
// "pitfalls"), other numbers as JavaScript's shortest round-trip form, and a
// duplicated object key keeps its last value (as JSON.parse and jsonb do).
//
// Pure functions and a plain value class: safe from any thread.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nexus::audit {

/// prev_hash of a mesh's first entry.
inline constexpr std::string_view genesis = "genesis";

/// JavaScript JSON.stringify of a string: escapes only `"`, `\` and control
/// characters < 0x20 (\b \f \n \r \t short, others \u00xx lowercase).
std::string canonical_string(std::string_view utf8);
/// JavaScript Number.prototype.toString of a finite double (shortest
/// round-trip digits; "1e+21", "1.5e-7", "0.1", "-0" → "0"). Non-finite → "null".
std::string canonical_number(double v);
/// §8 canonical_json of a parsed value (keys sorted by UTF-16 code units).
std::string canonical_json(const rapidjson::Value& v);
/// Parses `json_text` (full-precision numbers) and canonicalizes it;
/// nullopt when it is not valid JSON.
std::optional<std::string> canonical_json(std::string_view json_text);

/// A canonical JSON object built member by member, in any order.
class payload_builder {
public:
  payload_builder& string(std::string key, std::string_view value);
  payload_builder& boolean(std::string key, bool value);
  /// `canonical_value` must already be canonical JSON (e.g. canonical_json()).
  payload_builder& raw(std::string key, std::string canonical_value);
  payload_builder& strings(std::string key, const std::vector<std::string>& values);
  std::string str() const;

private:
  std::vector<std::pair<std::string, std::string>> members_;
};

/// The fields one link hashes.
struct link_fields {
  std::string_view prev_hash, mesh_id, event_type;
  std::optional<std::string_view> actor_member_id; ///< none → the four characters `null`
  std::string_view canonical_payload;
  int64_t created_ms = 0;                          ///< rendered like toISOString()
};

std::string chain_input(const link_fields& f);
/// Lowercase hex SHA-256 of chain_input(f).
std::string chain_hash(const link_fields& f);

/// One stored row as verification reads it.
struct stored_entry {
  int64_t id = 0;
  std::string event_type;
  std::optional<std::string> actor_member_id;
  std::string payload_json; ///< as stored (jsonb text)
  std::string prev_hash, hash;
  int64_t created_ms = 0;
};

/// Walks one mesh's entries in ascending id order, possibly page by page.
class chain_verifier {
public:
  explicit chain_verifier(std::string mesh_id) : mesh_id_(std::move(mesh_id)) {}
  /// Checks the next entry; false from the first broken one on (later
  /// entries are then ignored).
  bool feed(const stored_entry& e);
  /// Id of the first entry whose prev_hash or hash does not check.
  std::optional<int64_t> broken_at() const { return broken_at_; }
  int64_t checked() const { return checked_; }

private:
  std::string mesh_id_;
  std::string expected_prev_{genesis};
  std::optional<int64_t> broken_at_;
  int64_t checked_ = 0;
};

} // namespace nexus::audit
