// frames_audit: typed frames of the audit log access (PROTOCOL.md §5.20),
// client → broker and broker → client. Decoded by frame_decode_audit.cpp
// (unknown fields ignored; a field of the wrong type → frame_error with the
// spec's code audit_query_error), encoded by frame_encoders_audit.cpp.
//
// Thread-safety: plain values; copy freely between threads and actors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nexus {

// --- client → broker ---------------------------------------------------------

/// `audit_query {limit?, offset?, eventType?}`. Numbers are truncated to
/// integers; limit and offset are clamped by the handler (actors/audit.hpp).
struct audit_query_frame {
  int64_t limit = 50;
  int64_t offset = 0;
  std::optional<std::string> eventType; ///< absent, null or "" → every type
};
struct audit_verify_frame {};

/// One request of the audit area; a single alternative of frame_payload.
struct audit_frame {
  std::variant<audit_query_frame, audit_verify_frame> request;
};

// --- broker → client ---------------------------------------------------------

struct audit_entry {
  int64_t id = 0;
  std::string eventType;
  std::string actor;        ///< display name, else member id, else "system"
  std::string payload_json; ///< stored JSON object, embedded verbatim
  std::string hash;
  int64_t createdAt_ms = 0; ///< ISO-8601 on the wire
};

struct audit_result_frame {
  std::vector<audit_entry> entries; ///< newest first
  int64_t total = 0;
  std::optional<std::string> req_id;
};

struct audit_verify_result_frame {
  bool valid = true;
  int64_t entries = 0;
  std::optional<int64_t> brokenAt;
  std::optional<std::string> req_id;
};

} // namespace nexus
