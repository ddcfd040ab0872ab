#include "mcp/channel.hpp"

#include "mcp/jsonrpc.hpp"
#include "transport/json_writer.hpp"

namespace nexus::mcp {

bool valid_meta_key(std::string_view key) {
  if (key.empty())
    return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(key[0]))
    return false;
  for (char c : key.substr(1))
    if (!alpha(c) && !(c >= '0' && c <= '9'))
      return false;
  return true;
}

std::string encode_channel_notification(const inbound_message& m) {
  wire::json_writer w;
  w.begin_object();
  // A nameless sender still needs a readable prefix for the model.
  const std::string& sender = m.from_name.empty() ? m.from_id : m.from_name;
  w.str_field("content", sender + ": " + m.text);
  w.key("meta");
  w.begin_object();
  w.str_field("from_id", m.from_id);
  w.str_field("from_name", m.from_name);
  w.str_field("priority", m.priority);
  w.time_field("sent_at", m.sent_at_ms);
  w.str_field("mesh_id", m.mesh_id);
  w.str_field("kind", m.kind);
  w.str_field("message_id", m.message_id);
  w.end_object();
  w.end_object();
  return rpc::encode_notification(channel_method, w.take());
}

} // namespace nexus::mcp
