// schedule_frames: the client's view of scheduled messages and reminders
// (PROTOCOL.md §5.6) — requests it sends and replies it reads. Plain values.
//
// Thread-safety: plain values; copy freely between threads and actors.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace nexus::client {

/// `schedule`: a one-shot at deliverAt_ms, or a cron entry (deliverAt 0).
struct schedule_frame {
  std::string to;                     ///< targetSpec, verbatim (§5.6: no name resolution)
  std::string message;                ///< plaintext
  int64_t deliverAt_ms = 0;
  std::optional<std::string> subtype; ///< "reminder"
  std::optional<std::string> cron;    ///< 5-field expression
};
struct list_scheduled_frame {};
struct cancel_scheduled_frame {
  std::string scheduledId;
};

using schedule_op = std::variant<schedule_frame, list_scheduled_frame, cancel_scheduled_frame>;

struct scheduled_ack_frame {
  std::string scheduledId;
  int64_t deliverAt_ms = 0;
  std::optional<std::string> cron;
};

struct scheduled_entry {
  std::string id, to, message;
  int64_t deliverAt_ms = 0;
  int64_t createdAt_ms = 0;
  std::optional<std::string> cron;
  std::optional<int64_t> firedCount;
};

struct scheduled_list_frame {
  std::vector<scheduled_entry> messages;
};

struct cancel_scheduled_ack_frame {
  std::string scheduledId;
  bool ok = false;
};

} // namespace nexus::client
