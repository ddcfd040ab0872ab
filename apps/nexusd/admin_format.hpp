// admin_format: what `nexusd mesh|member` print — aligned text for people,
// one JSON object per command for programs (`--json`), with the same data.
// Field names of the JSON follow the wire protocol's camelCase (meshId,
// displayName, createdAt as ISO-8601 UTC with milliseconds). Never given a
// secret, so it can never print one.
//
// Pure functions; thread-safe.
#pragma once

#include "storage/broker_sql.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::admin_cli {

/// 2026-04-15T12:00:00.123Z (JavaScript toISOString) for Unix milliseconds.
std::string iso_utc_ms(int64_t ms);

/// `mesh create`: {"id","name","slug","ownerPubkey","ownerMemberId","ownerKeyFile","createdAt"}.
std::string mesh_json(const storage::mesh_row& mesh, const std::string& owner_key_file,
                      const std::string& owner_member_id);
std::string mesh_text(const storage::mesh_row& mesh, const std::string& owner_key_file,
                      const std::string& owner_member_id);

/// `member add|revoke`: {"id","meshId","pubkey","displayName","role","status",
/// "createdAt","revokedAt"} (revokedAt null while active).
std::string member_json(const storage::member_row& m);
/// `headline` then the member's fields, one per line.
std::string member_text(const storage::member_row& m, const std::string& headline);

/// `member list`: {"meshId","members":[member_json objects]}.
std::string members_json(const std::string& mesh_id, const std::vector<storage::member_row>& ms);
/// A headline and an aligned table (ID NAME ROLE STATUS PUBKEY ADDED).
std::string members_text(const std::string& mesh_id, const std::vector<storage::member_row>& ms);

} // namespace nexus::admin_cli
