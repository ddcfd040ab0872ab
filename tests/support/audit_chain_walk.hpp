// Verifies one mesh's stored audit chain with the C++ verifier
// (actors/audit_chain.hpp, which recomputes every hash PostgreSQL computed),
// reading it page by page as audit_verify does. For the pg tests.
#pragma once

#include "actors/audit_chain.hpp"
#include "storage/audit_sql.hpp"
#include "storage/pg_connection.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace nexus::test {

/// {entries walked, id of the first broken entry}.
inline std::pair<int64_t, std::optional<int64_t>> verify_audit_chain(storage::pg_connection& conn,
                                                                     const std::string& mesh) {
  audit::chain_verifier v(mesh);
  int64_t after = 0, n = 0;
  for (;;) {
    auto rs = conn.exec(storage::audit_sql::chain_page,
                        {mesh, std::to_string(after), "9223372036854775807", "100"});
    if (rs.rows.empty())
      break;
    for (size_t i = 0; i < rs.rows.size(); ++i) {
      audit::stored_entry e;
      e.id = std::stoll(rs.at(i, "id").value());
      e.event_type = rs.at(i, "event_type").value();
      e.actor_member_id = rs.at(i, "actor_member_id");
      e.payload_json = rs.at(i, "payload").value();
      e.prev_hash = rs.at(i, "prev_hash").value();
      e.hash = rs.at(i, "hash").value();
      e.created_ms = std::stoll(rs.at(i, "created_ms").value());
      v.feed(e);
      after = e.id;
      ++n;
    }
  }
  return {n, v.broken_at()};
}

} // namespace nexus::test
