// frames_mesh_ops: typed frames of the mesh-actor areas of issue 5 —
// streams (PROTOCOL.md §5.5), mesh_info (§5.7) and the simulation clock
// (§5.8) — client → broker and broker → client. Decoded by
// frame_decode_mesh_ops.cpp with frames_collab.hpp's rule set (unknown fields
// ignored, a missing required string or a wrong type → frame_error, no NUL
// in names), encoded by frame_encoders_mesh_ops.cpp.
//
// A published `data` is any JSON value and travels as JSON text (re-serialized
// by the decoder, so valid and bounded by frame_bytes_max / json_depth_max),
// embedded verbatim by the encoder.
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

struct create_stream_frame {
  std::string name;
};
/// `subscribe` (§5.5): no existence check.
struct subscribe_frame {
  std::string stream;
};
struct unsubscribe_frame {
  std::string stream;
};
/// `publish`: data absent → nullopt (stream_data then has no `data`, as a
/// JavaScript `undefined` would serialize); JSON null → "null".
struct publish_frame {
  std::string stream;
  std::optional<std::string> data_json;
};
struct list_streams_frame {};
struct mesh_info_frame {};

/// `set_clock` (§5.8): `speed` as JavaScript's Number(speed) would read it —
/// a JSON number, or a numeric string; anything else (absent, null, bool,
/// object, unparsable string) → nullopt. Never a frame_error: the spec maps
/// every non-positive-number to speed 1 (sim_clock.hpp clock_speed()).
struct set_clock_frame {
  std::optional<double> speed;
};
struct pause_clock_frame {};
struct resume_clock_frame {};
struct get_clock_frame {};

using mesh_op =
    std::variant<create_stream_frame, subscribe_frame, unsubscribe_frame, publish_frame,
                 list_streams_frame, mesh_info_frame, set_clock_frame, pause_clock_frame,
                 resume_clock_frame, get_clock_frame>;

/// One request the mesh actor answers; a single alternative of frame_payload
/// (frames.hpp), as collab_frame is.
struct mesh_op_frame {
  mesh_op request;
};

// --- broker → client ---------------------------------------------------------

struct stream_created_frame {
  std::string id, name;
  std::optional<std::string> req_id;
};

struct subscribed_frame {
  std::string stream;
  std::optional<std::string> req_id;
};

/// `stream_data` to every subscriber but the publisher (§5.5); no _reqId.
struct stream_data_frame {
  std::string stream;
  std::optional<std::string> data_json; ///< nullopt → no `data` field
  std::string publishedBy;
};

struct stream_entry {
  std::string id, name, createdBy;
  int64_t createdAt_ms = 0;
  int64_t subscriberCount = 0;
};

struct stream_list_frame {
  std::vector<stream_entry> streams; ///< by creation
  std::optional<std::string> req_id;
};

/// One entry of `yourGroups` (a hello_group's fields; frames.hpp includes
/// this header, so it cannot use hello_group itself).
struct group_ref {
  std::string name;
  std::optional<std::string> role;
};

struct task_counts {
  int64_t open = 0, claimed = 0, done = 0;
};

/// `mesh_info_result` (§5.7). `tables` and `collections` are always [] here
/// (no per-mesh SQL schema, no vector store).
struct mesh_info_result_frame {
  std::string mesh;
  int64_t peers = 0;
  std::vector<std::string> groups;    ///< "@name", distinct, first-seen order
  std::vector<std::string> stateKeys; ///< ascending
  int64_t memoryCount = 0;
  int64_t fileCount = 0;
  task_counts tasks;
  std::vector<std::string> streams;   ///< names, by creation
  std::string yourName = "unknown";
  std::vector<group_ref> yourGroups;
  std::optional<std::string> req_id;
};

/// `clock_status` (§5.8). speed is an integer for whole speeds on the wire.
struct clock_status_frame {
  double speed = 0;
  bool paused = true;
  int64_t tick = 0;
  int64_t simTime_ms = 0;
  int64_t startedAt_ms = 0;
  std::optional<std::string> req_id;
};

/// The §4.7 `tick` system push: eventData {tick, simTime, speed}, priority low.
struct tick_push_frame {
  int64_t tick = 0;
  int64_t simTime_ms = 0;
  double speed = 1;
  std::string messageId; ///< UUID v4
  std::string meshId;
  int64_t createdAt_ms = 0;
};

} // namespace nexus
