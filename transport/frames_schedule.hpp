// frames_schedule: typed frames of scheduled messages and reminders
// (PROTOCOL.md §5.6), client → broker and broker → client. Decoded by
// frame_decode_schedule.cpp (unknown fields ignored, `recurring` is
// informational and dropped; a required string missing, a field of the
// wrong type, or a NUL in a string → frame_error), encoded by
// frame_encoders_schedule.cpp. Times are Unix ms and go out as JSON numbers
// (§5.6), not ISO strings.
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

/// `schedule` (§5.6). One-shot: `deliverAt` (ms epoch; past → at once) or,
/// as an additive convenience, `delayMs` (relative to the broker's now;
/// `deliverAt` wins when both are set). `cron` set (non-empty) makes it
/// recurring and both times are ignored (the CLI sends deliverAt 0). A
/// one-shot without either time is a frame_error.
struct schedule_request_frame {
  std::string to;                       ///< targetSpec, verbatim
  std::string message;                  ///< plaintext
  std::optional<int64_t> deliverAt;
  std::optional<int64_t> delayMs;
  /// Only "reminder" is meaningful (§5.6) and only it is kept: any other
  /// value is dropped, so a scheduled push can never pose as "system".
  std::optional<std::string> subtype;
  std::optional<std::string> cron;      ///< absent, null or "" → one-shot
};
struct list_scheduled_frame {};
struct cancel_scheduled_frame {
  std::string scheduledId;              ///< absent or null → "" (never matches)
};

/// One request of the schedules area; a single alternative of frame_payload.
struct schedule_frame {
  std::variant<schedule_request_frame, list_scheduled_frame, cancel_scheduled_frame> request;
};

// --- broker → client ---------------------------------------------------------

struct scheduled_ack_frame {
  std::string scheduledId;
  int64_t deliverAt_ms = 0;             ///< the first fire
  std::optional<std::string> cron;
  std::optional<std::string> req_id;
};

struct scheduled_entry {
  std::string id, to, message;
  int64_t deliverAt_ms = 0, createdAt_ms = 0;
  std::optional<std::string> cron;      ///< cron entries only,
  std::optional<int64_t> firedCount;    ///< with their fire count
};

struct scheduled_list_frame {
  std::vector<scheduled_entry> messages;
  std::optional<std::string> req_id;
};

struct cancel_scheduled_ack_frame {
  std::string scheduledId;
  bool ok = false;
  std::optional<std::string> req_id;
};

} // namespace nexus
