// hook_client: what `nexus hook <status>` does when Claude Code runs it as
// a hook — POST /hook/set-status (PROTOCOL.md §6.4) to the broker with the
// session's cwd, so the broker can hold `next`/`low` messages while the
// agent works. Claude Code passes the hook input as JSON on stdin
// ({"session_id","cwd","hook_event_name",...}); its cwd wins over ours.
// No pid is sent: the hook runs in a shell whose pid is not the session's,
// and without one the broker matches the newest presence with that cwd.
//
// A hook must never break the session it reports on (exit code 2 would
// block the user's prompt), so the caller exits 0 whatever happens here
// and only logs on stderr.
//
// Functions only; thread-safe.
#pragma once

#include "client/broker_url.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nexus::mcp {

struct hook_report {
  std::string cwd;
  std::string status;                    ///< idle | working | dnd
  std::optional<std::string> session_id; ///< from Claude Code's input; unused by the broker
};

/// Fills cwd/session_id from Claude Code's stdin JSON when it parses;
/// otherwise cwd stays `fallback_cwd`.
hook_report hook_report_from(std::string_view status, std::string_view stdin_json,
                             const std::string& fallback_cwd);

/// {"cwd":…,"status":…,"session_id"?:…}
std::string hook_body_json(const hook_report& r);

/// POSTs the report; returns the HTTP status and body, or an error line.
struct hook_outcome {
  int status = 0; ///< 0: no HTTP answer (see error)
  std::string body;
  std::string error;
};
/// `to` is the node (client/broker_url.hpp: ws:// or http:// or host:port).
hook_outcome post_hook_status(const client::broker_url& to, const hook_report& r,
                              int64_t timeout_ms);

} // namespace nexus::mcp
