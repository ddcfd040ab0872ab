// tool_format: typed mesh results → the JSON text a tool returns to the
// model. Field names are chosen for a reader, not for the wire (times as
// ISO-8601, `name` rather than `displayName`), and every list says how many
// entries it has, so "nothing found" is explicit.
//
// Pure functions; thread-safe.
#pragma once

#include "mcp/mesh_backend.hpp"

#include <optional>
#include <string>
#include <vector>

namespace nexus::mcp::format {

std::string peers(const std::vector<peer_entry>& peers);
std::string message_status(const message_status_result_frame& s);
std::string sent(const sent_message& s);
std::string inbox(const std::vector<inbound_message>& messages);
std::string state_value(const std::string& key, const std::optional<state_entry>& e);
std::string state_list(const std::vector<state_entry>& entries);
std::string memories(const std::vector<memory_entry>& memories);
std::string contexts(const std::vector<context_entry>& contexts);
std::string tasks(const std::vector<task_entry>& tasks);
std::string scheduled(const scheduled_ack& ack);
std::string scheduled_list(const std::vector<scheduled_entry>& entries);
std::string streams(const std::vector<stream_entry>& streams);
std::string stream_created(const stream_created_frame& f);
std::string mesh_info(const mesh_info_result_frame& info);
/// {"ok":true,<key>:<value>} for calls that return one id or flag.
std::string ok_with(const char* key, const std::string& value);
std::string ok();

} // namespace nexus::mcp::format
