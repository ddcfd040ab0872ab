// frame_encoders_mesh_ops: broker → client frames of streams (§5.5),
// mesh_info (§5.7) and the simulation clock (§5.8, §4.7 `tick`) as JSON
// text, one function per frame type, from transport/frames_mesh_ops.hpp.
// `_reqId` is echoed where §12 says so (never on stream_data or a push).
//
// REQUIRES: strings are valid UTF-8; `data_json` is valid JSON text (it
// comes from the decoder) and is embedded verbatim.
// Pure functions, no shared state: safe from any thread.
#pragma once

#include "transport/frames_mesh_ops.hpp"

#include <string>

namespace nexus::wire {

std::string encode_stream_created(const stream_created_frame& f);
std::string encode_subscribed(const subscribed_frame& f);
std::string encode_stream_data(const stream_data_frame& f);
std::string encode_stream_list(const stream_list_frame& f);
std::string encode_mesh_info_result(const mesh_info_result_frame& f);
std::string encode_clock_status(const clock_status_frame& f);
/// The §3.7.3 system push envelope with event "tick".
std::string encode_tick_push(const tick_push_frame& f);

} // namespace nexus::wire
