// Tools for timed messages, live streams and an overview of the mesh
// (PROTOCOL.md §5.5–§5.7).
#include "mcp/tool_args.hpp"
#include "mcp/tool_format.hpp"
#include "mcp/tool_table.hpp"

namespace nexus::mcp {

std::vector<tool_spec> mesh_tools() {
  using rapidjson::Value;
  return {
      {"schedule_reminder",
       "Schedule a message for later: a reminder to yourself (default) or a message to others, "
       "after a delay (in_seconds), at a time (at, Unix milliseconds) or repeatedly (cron, 5 "
       "fields, UTC, e.g. \"0 9 * * 1-5\"). Give exactly one of in_seconds, at, cron. It arrives "
       "like any message (a channel notification, and in check_messages). Returns the "
       "scheduledId and the first delivery time.",
       R"js({"type":"object","properties":{
          "message":{"type":"string","minLength":1},
          "in_seconds":{"type":"integer","minimum":0},
          "at":{"type":"integer","minimum":0,"description":"Unix time in milliseconds"},
          "cron":{"type":"string","minLength":1},
          "to":{"type":"string","minLength":1,"description":"pubkey, @group or *; default: yourself"}},
          "required":["message"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         reminder_request r;
         r.message = args::str(a, "message");
         r.to = args::opt_str(a, "to");
         auto in = args::opt_int(a, "in_seconds");
         auto at = args::opt_int(a, "at");
         r.cron = args::opt_str(a, "cron");
         if (int(in.has_value()) + int(at.has_value()) + int(r.cron.has_value()) != 1)
           return tool_error("give exactly one of in_seconds, at, cron");
         if (in)
           r.deliverAt_ms = ctx.now_ms() + *in * 1000;
         else if (at)
           r.deliverAt_ms = *at;
         return from_outcome(ctx.backend.schedule_reminder(r), format::scheduled);
       }},
      {"list_scheduled",
       "List the reminders and timed messages you scheduled that are still pending (cron "
       "entries with how often they fired). Returns {count, scheduled}.",
       R"js({"type":"object","properties":{},"additionalProperties":false})js",
       +[](const Value&, tool_context& ctx) {
         return from_outcome(ctx.backend.list_scheduled(), format::scheduled_list);
       }},
      {"cancel_scheduled",
       "Cancel one of your scheduled messages by id (from list_scheduled or "
       "schedule_reminder). Returns ok, or an error when there is no such entry of yours.",
       R"js({"type":"object","properties":{"id":{"type":"string","minLength":1}},
          "required":["id"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         auto id = args::str(a, "id");
         auto o = ctx.backend.cancel_scheduled(id);
         if (auto* err = std::get_if<backend_error>(&o))
           return tool_error(err->message);
         if (!std::get<bool>(o))
           return tool_error("no scheduled message " + id + " of yours");
         return tool_ok(format::ok_with("cancelled", id));
       }},
      {"create_stream",
       "Create a named live stream (pub/sub, no history) for a flow of updates such as build "
       "logs or test progress. Creating an existing name is harmless. Returns its id.",
       R"js({"type":"object","properties":{"name":{"type":"string","minLength":1}},
          "required":["name"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         return from_outcome(ctx.backend.create_stream({args::str(a, "name")}),
                             format::stream_created);
       }},
      {"publish",
       "Publish an item (any JSON) to a stream; every current subscriber but you receives it "
       "at once. Nothing is stored. Returns ok.",
       R"js({"type":"object","properties":{
          "stream":{"type":"string","minLength":1},
          "data":{"description":"any JSON value"}},
          "required":["stream","data"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         publish_frame f{args::str(a, "stream"), args::opt_json(a, "data")};
         return from_outcome(ctx.backend.publish(f), [](done) { return format::ok(); });
       }},
      {"subscribe",
       "Subscribe to a stream: its items then arrive as channel notifications (kind "
       "\"stream\") and in check_messages until this session ends. Returns ok.",
       R"js({"type":"object","properties":{"stream":{"type":"string","minLength":1}},
          "required":["stream"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         return from_outcome(ctx.backend.subscribe({args::str(a, "stream")}),
                             [](done) { return format::ok(); });
       }},
      {"list_streams",
       "List the mesh's streams with who created them and how many subscribers each has. "
       "Returns {count, streams}.",
       R"js({"type":"object","properties":{},"additionalProperties":false})js",
       +[](const Value&, tool_context& ctx) {
         return from_outcome(ctx.backend.list_streams(), format::streams);
       }},
      {"mesh_info",
       "An overview of the mesh in one call: its id, your name and groups, how many peers are "
       "online, the groups in use, the shared state keys, memory count, task counts and "
       "streams. A good first call in a new session.",
       R"js({"type":"object","properties":{},"additionalProperties":false})js",
       +[](const Value&, tool_context& ctx) {
         return from_outcome(ctx.backend.mesh_info(), format::mesh_info);
       }},
  };
}

} // namespace nexus::mcp
