// Tools for the mesh's shared memory: key/value state, notes with
// full-text recall, per-member contexts and the task board
// (PROTOCOL.md §5.1–§5.4).
#include "mcp/tool_args.hpp"
#include "mcp/tool_format.hpp"
#include "mcp/tool_table.hpp"

namespace nexus::mcp {

std::vector<tool_spec> collab_tools() {
  using rapidjson::Value;
  return {
      {"set_state",
       "Write a value to the mesh's shared key/value state, visible to every peer (they are "
       "notified of the change). Use it for facts others need: build status, the current "
       "release branch, who owns what. The value may be any JSON. Returns ok.",
       R"js({"type":"object","properties":{
          "key":{"type":"string","minLength":1},
          "value":{"description":"any JSON value; null clears it"}},
          "required":["key","value"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         set_state_frame f;
         f.key = args::str(a, "key");
         f.value_json = args::opt_json(a, "value").value_or("null");
         return from_outcome(ctx.backend.set_state(f), [](done) { return format::ok(); });
       }},
      {"get_state",
       "Read one key of the mesh's shared state. Returns {found, key, value, updatedBy, "
       "updatedAt}; found is false and value null when the key was never set.",
       R"js({"type":"object","properties":{"key":{"type":"string","minLength":1}},
          "required":["key"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         std::string key = args::str(a, "key");
         return from_outcome(ctx.backend.get_state({key}),
                             [&](const std::optional<state_entry>& e) {
                               return format::state_value(key, e);
                             });
       }},
      {"list_state",
       "List every key of the mesh's shared state with its value, who set it and when. "
       "Returns {count, entries}.",
       R"js({"type":"object","properties":{},"additionalProperties":false})js",
       +[](const Value&, tool_context& ctx) {
         return from_outcome(ctx.backend.list_state(), format::state_list);
       }},
      {"remember",
       "Store a note in the mesh's long-term memory so that you and other agents can find it "
       "later with recall (decisions, gotchas, where things are). Tags make it easier to find. "
       "Returns the memory's id.",
       R"js({"type":"object","properties":{
          "content":{"type":"string","minLength":1},
          "tags":{"type":"array","items":{"type":"string"}}},
          "required":["content"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         remember_frame f{args::str(a, "content"), args::strings(a, "tags")};
         return from_outcome(ctx.backend.remember(f),
                             [](const std::string& id) { return format::ok_with("id", id); });
       }},
      {"recall",
       "Search the mesh's memory by words (full-text, ranked, tags included). Use it before "
       "starting work someone may have done or decided before. Returns {count, memories}.",
       R"js({"type":"object","properties":{"query":{"type":"string","minLength":1}},
          "required":["query"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         return from_outcome(ctx.backend.recall({args::str(a, "query")}), format::memories);
       }},
      {"forget",
       "Delete a memory by id (from recall) when it is wrong or obsolete. Returns ok.",
       R"js({"type":"object","properties":{"id":{"type":"string","minLength":1}},
          "required":["id"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         return from_outcome(ctx.backend.forget({args::str(a, "id")}),
                             [](done) { return format::ok(); });
       }},
      {"share_context",
       "Publish a snapshot of what you are working on: a summary, the files you read and "
       "your key findings, so that other agents can pick up where you are without asking. "
       "Replaces your previous snapshot. Returns the context's id.",
       R"js({"type":"object","properties":{
          "summary":{"type":"string","minLength":1},
          "files_read":{"type":"array","items":{"type":"string"}},
          "key_findings":{"type":"array","items":{"type":"string"}},
          "tags":{"type":"array","items":{"type":"string"}}},
          "required":["summary"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         share_context_frame f;
         f.summary = args::str(a, "summary");
         f.filesRead = args::strings(a, "files_read");
         f.keyFindings = args::strings(a, "key_findings");
         f.tags = args::strings(a, "tags");
         return from_outcome(ctx.backend.share_context(f),
                             [](const std::string& id) { return format::ok_with("id", id); });
       }},
      {"get_context",
       "Search the snapshots other agents shared: summaries containing the query, or an exact tag. Use it "
       "to find who already looked at a file or problem. Returns {count, contexts}.",
       R"js({"type":"object","properties":{"query":{"type":"string","minLength":1}},
          "required":["query"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         return from_outcome(ctx.backend.get_context({args::str(a, "query")}), format::contexts);
       }},
      {"list_contexts",
       "List the latest context snapshot of every member: who is working on what. "
       "Returns {count, contexts}.",
       R"js({"type":"object","properties":{},"additionalProperties":false})js",
       +[](const Value&, tool_context& ctx) {
         return from_outcome(ctx.backend.list_contexts(), format::contexts);
       }},
      {"create_task",
       "Put a task on the mesh's shared task board for someone (or anyone) to claim. "
       "Returns the task's id.",
       R"js({"type":"object","properties":{
          "title":{"type":"string","minLength":1},
          "assignee":{"type":"string","description":"display name of who should do it"},
          "priority":{"type":"string","description":"free text, default normal (e.g. low, high, urgent)"},
          "tags":{"type":"array","items":{"type":"string"}}},
          "required":["title"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         create_task_frame f;
         f.title = args::str(a, "title");
         f.assignee = args::opt_str(a, "assignee");
         f.priority = args::opt_str(a, "priority").value_or("normal");
         f.tags = args::strings(a, "tags");
         return from_outcome(ctx.backend.create_task(f),
                             [](const std::string& id) { return format::ok_with("id", id); });
       }},
      {"claim_task",
       "Claim an open task so nobody else works on it. Only one claimant wins; if someone "
       "was faster you get an error. Returns the task.",
       R"js({"type":"object","properties":{"id":{"type":"string","minLength":1}},
          "required":["id"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         return from_outcome(ctx.backend.claim_task({args::str(a, "id")}), format::tasks);
       }},
      {"complete_task",
       "Mark a task done, optionally with a short result (what was done, where to look). "
       "Returns the task.",
       R"js({"type":"object","properties":{
          "id":{"type":"string","minLength":1},"result":{"type":"string"}},
          "required":["id"],"additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         complete_task_frame f{args::str(a, "id"), args::opt_str(a, "result")};
         return from_outcome(ctx.backend.complete_task(f), format::tasks);
       }},
      {"list_tasks",
       "List tasks on the board, optionally only those with a status (open, claimed, done) "
       "or a given assignee. Returns {count, tasks}.",
       R"js({"type":"object","properties":{
          "status":{"type":"string","enum":["open","claimed","done"]},
          "assignee":{"type":"string"}},
          "additionalProperties":false})js",
       +[](const Value& a, tool_context& ctx) {
         list_tasks_frame f{args::opt_str(a, "status"), args::opt_str(a, "assignee")};
         return from_outcome(ctx.backend.list_tasks(f), format::tasks);
       }},
  };
}

} // namespace nexus::mcp
