// Tools for talking to peers and for how this session appears to them
// (PROTOCOL.md §3, §4).
#include "mcp/tool_args.hpp"
#include "mcp/tool_format.hpp"
#include "mcp/tool_table.hpp"

namespace nexus::mcp {

std::vector<tool_spec> messaging_tools() {
  using rapidjson::Value;
  return {
      {"send_message",
       "Send a message to other agents or people in your mesh. Use it to hand off work, ask "
       "a question, or tell others what you changed. `to` is a peer's display name, a public "
       "key (or a unique prefix of one), `@group` for everyone in a group, or `*` for everyone. "
       "Direct messages are end-to-end encrypted. Returns the broker's messageId (use it with "
       "message_status) and whether it was queued.",
       R"js({"type":"object","properties":{
          "to":{"type":"string","minLength":1,"description":"display name, pubkey or prefix, @group, or *"},
          "message":{"type":"string","minLength":1,"description":"the text to send"},
          "priority":{"type":"string","enum":["now","next","low"],"description":"now: interrupt even if busy; next (default): when the peer is not busy; low: when it has nothing else"}},
          "required":["to","message"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         outgoing_message m;
         m.to = args::str(a, "to");
         m.text = args::str(a, "message");
         m.priority = args::opt_str(a, "priority").value_or("next");
         return from_outcome(ctx.backend.send_message(m), format::sent);
       }},
      {"list_peers",
       "List who is connected to your mesh right now: display name, public key, status "
       "(idle, working, dnd), summary of what they are doing, groups. Use it before messaging "
       "someone to find the right name, or to see who is available. Returns {count, peers}.",
       R"js({"type":"object","properties":{},"additionalProperties":false})js",
       +[](const Value&, tool_context& ctx) {
         return from_outcome(ctx.backend.list_peers(), format::peers);
       }},
      {"check_messages",
       "Return the messages that arrived for you since the last check (they are also pushed "
       "to you as channel notifications as they arrive) and clear them. Use it when you are "
       "waiting for a reply or at the start of a task. Returns {count, messages} with sender, "
       "kind, priority, sentAt and text, oldest first.",
       R"js({"type":"object","properties":{},"additionalProperties":false})js",
       +[](const Value&, tool_context& ctx) { return tool_ok(format::inbox(ctx.take_inbox())); }},
      {"message_status",
       "Check whether a message you sent was delivered, and to whom. Use it after "
       "send_message when a reply is overdue. Returns delivered, deliveredAt and each "
       "recipient's status (delivered, held, disconnected).",
       R"js({"type":"object","properties":{
          "message_id":{"type":"string","minLength":1,"description":"the messageId send_message returned"}},
          "required":["message_id"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         return from_outcome(ctx.backend.message_status(args::str(a, "message_id")),
                             format::message_status);
       }},
      {"set_status",
       "Tell the mesh whether you are idle, working or do-not-disturb. While you are `dnd`, "
       "only `now` messages reach you; others wait until you are idle again. Returns ok.",
       R"js({"type":"object","properties":{
          "status":{"type":"string","enum":["idle","working","dnd"]}},
          "required":["status"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         return from_outcome(ctx.backend.set_status({args::str(a, "status")}),
                             [](done) { return format::ok(); });
       }},
      {"set_summary",
       "Set the one-line summary others see next to your name in list_peers (what you are "
       "working on). Update it when your focus changes. Returns ok.",
       R"js({"type":"object","properties":{
          "summary":{"type":"string","description":"e.g. 'refactoring the scheduler'"}},
          "required":["summary"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         return from_outcome(ctx.backend.set_summary({args::str(a, "summary")}),
                             [](done) { return format::ok(); });
       }},
      {"set_visible",
       "Show or hide yourself in other peers' lists and from broadcasts and group messages. "
       "Hidden peers still receive direct messages. Returns ok.",
       R"js({"type":"object","properties":{"visible":{"type":"boolean"}},
          "required":["visible"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         set_visible_frame f;
         f.visible = args::opt_bool(a, "visible").value_or(true);
         return from_outcome(ctx.backend.set_visible(f), [](done) { return format::ok(); });
       }},
      {"set_profile",
       "Describe yourself to the mesh: avatar (an emoji), title, a short bio and a list of "
       "capabilities (e.g. [\"review\",\"sql\"]). Only the fields you give change. Returns ok.",
       R"js({"type":"object","properties":{
          "avatar":{"type":"string"},"title":{"type":"string"},"bio":{"type":"string"},
          "capabilities":{"type":"array","items":{"type":"string"}}},
          "additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         set_profile_frame f;
         f.avatar = args::opt_str(a, "avatar");
         f.title = args::opt_str(a, "title");
         f.bio = args::opt_str(a, "bio");
         f.capabilities = args::opt_strings(a, "capabilities");
         return from_outcome(ctx.backend.set_profile(f), [](done) { return format::ok(); });
       }},
      {"join_group",
       "Join a group so that messages to `@name` reach you; groups may be nested with `/` "
       "(a member of eng/backend also receives @eng). Optionally give your role in it. "
       "Returns ok.",
       R"js({"type":"object","properties":{
          "name":{"type":"string","minLength":1,"description":"group name without the @"},
          "role":{"type":"string","description":"e.g. lead, reviewer"}},
          "required":["name"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         join_group_frame f;
         f.name = args::str(a, "name");
         f.role = args::opt_str(a, "role");
         if (f.role && f.role->empty())
           f.role.reset();
         return from_outcome(ctx.backend.join_group(f), [](done) { return format::ok(); });
       }},
      {"leave_group",
       "Leave a group you joined; `@name` messages stop reaching you. Returns ok.",
       R"js({"type":"object","properties":{
          "name":{"type":"string","minLength":1,"description":"group name without the @"}},
          "required":["name"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         return from_outcome(ctx.backend.leave_group({args::str(a, "name")}),
                             [](done) { return format::ok(); });
       }},
  };
}

} // namespace nexus::mcp
