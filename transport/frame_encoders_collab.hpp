// frame_encoders_collab: broker → client frames of the collaboration areas
// (§5.1–§5.4) as JSON text, one function per frame type, from the typed
// structs of transport/frames_collab.hpp. `_reqId` is echoed where §12 says
// so (never on context_shared or state_change); optional fields are
// omitted when unset, except where the spec sends null (§0.4).
//
// REQUIRES: strings are valid UTF-8; every `value_json` is valid JSON text
// (it comes from the decoder or from a PostgreSQL json column, both of which
// validate it) and is embedded verbatim.
// Pure functions, no shared state: safe from any thread.
#pragma once

#include "transport/frames_collab.hpp"

#include <string>

namespace nexus::wire {

std::string encode_state_change(const state_change_frame& f);
std::string encode_state_result(const state_result_frame& f);
std::string encode_state_list(const state_list_frame& f);
std::string encode_memory_stored(const memory_stored_frame& f);
std::string encode_memory_results(const memory_results_frame& f);
/// `forget`'s reply, an `ack` (§5.2).
std::string encode_forget_ack(const forget_ack_frame& f);
std::string encode_task_created(const task_created_frame& f);
std::string encode_task_list(const task_list_frame& f);
std::string encode_context_shared(const context_shared_frame& f);
/// `context_results` when f.full, else `context_list`.
std::string encode_context_list(const context_list_frame& f);

} // namespace nexus::wire
