// frames_collab: typed frames of a mesh's collaboration areas (PROTOCOL.md
// §5.1 shared state, §5.2 memory, §5.3 tasks, §5.4 contexts), client →
// broker and broker → client. Decoded by frame_decode_collab.cpp (same rule
// set as frames.hpp: unknown fields ignored, absent/null optional → nullopt,
// another wrong type or a missing required field → frame_error; strings may
// not hold NUL, which PostgreSQL text cannot store), encoded by
// frame_encoders_collab.cpp.
//
// Arbitrary JSON values (a state value) travel as *JSON text*: the decoder
// re-serializes the value it parsed (so it is valid and already bounded by
// frame_bytes_max and json_depth_max), and the encoders embed the text as is.
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

/// `set_state` (§5.1). `value` absent or null → "null" (deviation 36).
struct set_state_frame {
  std::string key;
  std::string value_json = "null";
};
struct get_state_frame {
  std::string key;
};
struct list_state_frame {};

/// `remember` (§5.2). tags absent/null → [].
struct remember_frame {
  std::string content;
  std::vector<std::string> tags;
};
struct recall_frame {
  std::string query;
};
struct forget_frame {
  std::string memoryId;
};

/// `create_task` (§5.3). priority absent/null → "normal"; tags → [].
struct create_task_frame {
  std::string title;
  std::optional<std::string> assignee;
  std::string priority = "normal";
  std::vector<std::string> tags;
};
struct claim_task_frame {
  std::string taskId;
};
struct complete_task_frame {
  std::string taskId;
  std::optional<std::string> result;
};
/// `list_tasks`: exact-match filters, nullopt = no filter.
struct list_tasks_frame {
  std::optional<std::string> status;
  std::optional<std::string> assignee;
};

/// `share_context` (§5.4). summary absent/null → ""; arrays → [].
struct share_context_frame {
  std::string summary;
  std::vector<std::string> filesRead;
  std::vector<std::string> keyFindings;
  std::vector<std::string> tags;
};
struct get_context_frame {
  std::string query;
};
struct list_contexts_frame {};

using collab_request =
    std::variant<set_state_frame, get_state_frame, list_state_frame, remember_frame, recall_frame,
                 forget_frame, create_task_frame, claim_task_frame, complete_task_frame,
                 list_tasks_frame, share_context_frame, get_context_frame, list_contexts_frame>;

/// One collaboration request; a single alternative of frame_payload
/// (frames.hpp) so the core codec needs one line per area, not per type.
struct collab_frame {
  collab_request request;
};

// --- broker → client ---------------------------------------------------------

/// `state_change` (§5.1, §5.4): to every other connection of the mesh.
struct state_change_frame {
  std::string key;
  std::string value_json = "null";
  /// When set, `value` is this string (share_context's summary) and
  /// value_json is unused: the actor never has to write JSON itself.
  std::optional<std::string> value_text;
  std::string updatedBy;
};

struct state_entry {
  std::string key;
  std::string value_json = "null";
  std::string updatedBy;
  int64_t updatedAt_ms = 0;
};

/// `state_result`: nullopt entry = missing key → value null, updatedBy ""
/// and updatedAt "" (§5.1).
struct state_result_frame {
  std::string key;
  std::optional<state_entry> entry;
  std::optional<std::string> req_id;
};

struct state_list_frame {
  std::vector<state_entry> entries;
  std::optional<std::string> req_id;
};

/// `memory_stored`: `id` and, additively, `memoryId` (deviation 28).
struct memory_stored_frame {
  std::string id;
  std::optional<std::string> req_id;
};

struct memory_entry {
  std::string id, content;
  std::vector<std::string> tags;
  std::string rememberedBy;
  int64_t rememberedAt_ms = 0;
};

struct memory_results_frame {
  std::vector<memory_entry> memories;
  std::optional<std::string> req_id;
};

/// `forget`'s reply: {"type":"ack","id":memoryId,"messageId":memoryId,"queued":false,"_reqId"?}.
struct forget_ack_frame {
  std::string memoryId;
  std::optional<std::string> req_id;
};

struct task_created_frame {
  std::string id;
  std::optional<std::string> req_id;
};

/// A task object (§5.3); nullopt fields go out as null. `result` is
/// additive and omitted while unset.
struct task_entry {
  std::string id, title;
  std::optional<std::string> assignee, claimedBy;
  std::string status, priority;
  std::optional<std::string> createdBy;
  std::vector<std::string> tags;
  std::optional<std::string> result;
  int64_t createdAt_ms = 0;
};

struct task_list_frame {
  std::vector<task_entry> tasks;
  std::optional<std::string> req_id;
};

/// `context_shared`: never carries _reqId (§12).
struct context_shared_frame {
  std::string id;
};

struct context_entry {
  std::string peerName, summary;
  std::vector<std::string> filesRead, keyFindings, tags;
  int64_t updatedAt_ms = 0;
};

/// `context_results` (full entries) or `context_list` (peerName, summary,
/// tags, updatedAt only), by `full`.
struct context_list_frame {
  bool full = false;
  std::vector<context_entry> contexts;
  std::optional<std::string> req_id;
};

} // namespace nexus
