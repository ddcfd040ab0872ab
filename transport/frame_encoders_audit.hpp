// frame_encoders_audit: broker → client frames of the audit log access
// (§5.20) as JSON text, from transport/frames_audit.hpp. `_reqId` echoed
// when the request had one; `brokenAt` only when the chain is broken.
//
// REQUIRES: strings valid UTF-8; payload_json valid JSON (a jsonb column).
// Pure functions: safe from any thread.
#pragma once

#include "transport/frames_audit.hpp"

#include <string>

namespace nexus::wire {

std::string encode_audit_result(const audit_result_frame& f);
std::string encode_audit_verify_result(const audit_verify_result_frame& f);

} // namespace nexus::wire
