// Commands over the mesh's shared areas: state, memory, tasks, info
// (PROTOCOL.md §5.1–§5.3, §5.7).
#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/commands.hpp"
#include "apps/nexus/mesh_session.hpp"
#include "apps/nexus/output.hpp"
#include "actors/status.hpp"

#include <rapidjson/document.h>

#include <iostream>
#include <sstream>

namespace nexus::cli {
namespace {

/// VALUE as JSON text: itself when it parses as JSON, else a JSON string.
std::string json_value_of(const std::string& v) {
  rapidjson::Document d;
  d.Parse(v.c_str(), v.size());
  if (!d.HasParseError())
    return v;
  wire::json_writer w;
  w.begin_array();
  w.str(v);
  w.end_array();
  std::string arr = w.take(); // ["..."] → "..."
  return arr.substr(1, arr.size() - 2);
}

std::vector<std::string> split_tags(const std::optional<std::string>& csv) {
  std::vector<std::string> out;
  if (!csv)
    return out;
  std::stringstream in(*csv);
  std::string t;
  while (std::getline(in, t, ','))
    if (!t.empty())
      out.push_back(t);
  return out;
}

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : sep) + s;
  return out;
}

void state_entry_json(wire::json_writer& w, const state_entry& e) {
  w.begin_object();
  w.str_field("key", e.key);
  w.raw_field("value", e.value_json);
  w.str_field("updatedBy", e.updatedBy);
  w.time_field("updatedAt", e.updatedAt_ms);
  w.end_object();
}

void print_tasks(context& ctx, const std::vector<task_entry>& tasks) {
  if (ctx.global.json) {
    json_out j;
    j.w.key("tasks");
    j.w.begin_array();
    for (const auto& t : tasks) {
      j.w.begin_object();
      j.w.str_field("id", t.id);
      j.w.str_field("title", t.title);
      j.w.str_field("status", t.status);
      j.w.str_or_null_field("assignee", t.assignee);
      j.w.str_or_null_field("claimedBy", t.claimedBy);
      j.w.str_field("priority", t.priority);
      j.w.str_or_null_field("createdBy", t.createdBy);
      j.w.strings_field("tags", t.tags);
      j.w.opt_str_field("result", t.result);
      j.w.time_field("createdAt", t.createdAt_ms);
      j.w.end_object();
    }
    j.w.end_array();
    j.done();
    return;
  }
  if (tasks.empty()) {
    std::cout << "No tasks.\n";
    return;
  }
  table t({"ID", "STATUS", "TITLE", "ASSIGNEE", "CLAIMED BY", "PRIORITY"});
  for (const auto& x : tasks)
    t.row({x.id, x.status, x.title, x.assignee.value_or("-"), x.claimedBy.value_or("-"), x.priority});
  t.print();
}

} // namespace

int run_state_get(context& ctx) {
  mesh_session s(ctx);
  auto r = s.expect<state_result_frame>(collab_request{get_state_frame{ctx.args.at(0)}});
  if (!r.entry)
    throw cli_error(exit_not_found, "no state key \"" + ctx.args[0] + "\"", "nexus state list shows the keys");
  if (ctx.global.json) {
    json_out j;
    j.w.key("entry");
    state_entry_json(j.w, *r.entry);
    j.done();
  } else {
    std::cout << r.entry->value_json << "\n";
  }
  return exit_ok;
}

int run_state_set(context& ctx) {
  mesh_session s(ctx);
  const std::string value = json_value_of(ctx.args.at(1));
  s.call(collab_request{set_state_frame{ctx.args.at(0), value}});
  // set_state has no reply (§5.1); reading it back proves it was applied.
  auto r = s.expect<state_result_frame>(collab_request{get_state_frame{ctx.args[0]}});
  if (ctx.global.json) {
    json_out j;
    j.w.key("entry");
    state_entry_json(j.w, r.entry.value_or(state_entry{ctx.args[0], value, "", 0}));
    j.done();
  } else {
    std::cout << ctx.args[0] << " = " << (r.entry ? r.entry->value_json : value) << "\n";
  }
  return exit_ok;
}

int run_state_list(context& ctx) {
  mesh_session s(ctx);
  auto r = s.expect<state_list_frame>(collab_request{list_state_frame{}});
  if (ctx.global.json) {
    json_out j;
    j.w.key("entries");
    j.w.begin_array();
    for (const auto& e : r.entries)
      state_entry_json(j.w, e);
    j.w.end_array();
    j.done();
    return exit_ok;
  }
  if (r.entries.empty()) {
    std::cout << "No shared state.\n";
    return exit_ok;
  }
  table t({"KEY", "VALUE", "BY", "UPDATED"});
  const int64_t now = unix_now_ms();
  for (const auto& e : r.entries)
    t.row({e.key, e.value_json, e.updatedBy, relative_time(e.updatedAt_ms, now)});
  t.print();
  return exit_ok;
}

int run_remember(context& ctx) {
  mesh_session s(ctx);
  auto r = s.expect<memory_stored_frame>(
      collab_request{remember_frame{ctx.args.at(0), split_tags(ctx.option("tags"))}});
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("id", r.id);
    j.done();
  } else {
    std::cout << "Remembered: " << r.id << "\n";
  }
  return exit_ok;
}

int run_recall(context& ctx) {
  mesh_session s(ctx);
  auto r = s.expect<memory_results_frame>(collab_request{recall_frame{ctx.args.at(0)}});
  if (ctx.global.json) {
    json_out j;
    j.w.key("memories");
    j.w.begin_array();
    for (const auto& m : r.memories) {
      j.w.begin_object();
      j.w.str_field("id", m.id);
      j.w.str_field("content", m.content);
      j.w.strings_field("tags", m.tags);
      j.w.str_field("rememberedBy", m.rememberedBy);
      j.w.time_field("rememberedAt", m.rememberedAt_ms);
      j.w.end_object();
    }
    j.w.end_array();
    j.done();
    return exit_ok;
  }
  if (r.memories.empty()) {
    std::cout << "Nothing found.\n";
    return exit_ok;
  }
  const int64_t now = unix_now_ms();
  for (const auto& m : r.memories)
    std::cout << m.id << "  " << m.rememberedBy << " · " << relative_time(m.rememberedAt_ms, now)
              << (m.tags.empty() ? "" : " · " + join(m.tags)) << "\n  " << m.content << "\n";
  return exit_ok;
}

int run_forget(context& ctx) {
  mesh_session s(ctx);
  s.expect<forget_ack_frame>(collab_request{forget_frame{ctx.args.at(0)}});
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("id", ctx.args[0]);
    j.w.bool_field("forgotten", true);
    j.done();
  } else {
    std::cout << "Forgotten: " << ctx.args[0] << "\n";
  }
  return exit_ok;
}

int run_task_create(context& ctx) {
  mesh_session s(ctx);
  create_task_frame f;
  f.title = ctx.args.at(0);
  f.assignee = ctx.option("assignee");
  f.priority = ctx.option("priority").value_or("normal");
  f.tags = split_tags(ctx.option("tags"));
  auto r = s.expect<task_created_frame>(collab_request{f});
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("id", r.id);
    j.done();
  } else {
    std::cout << "Created task " << r.id << "\n";
  }
  return exit_ok;
}

int run_task_claim(context& ctx) {
  mesh_session s(ctx);
  auto r = s.expect<task_list_frame>(collab_request{claim_task_frame{ctx.args.at(0)}});
  if (!ctx.global.json)
    std::cout << "Claimed task " << ctx.args[0] << "\n";
  else
    print_tasks(ctx, r.tasks);
  return exit_ok;
}

int run_task_complete(context& ctx) {
  mesh_session s(ctx);
  auto r = s.expect<task_list_frame>(
      collab_request{complete_task_frame{ctx.args.at(0), ctx.option("result")}});
  if (!ctx.global.json)
    std::cout << "Completed task " << ctx.args[0] << "\n";
  else
    print_tasks(ctx, r.tasks);
  return exit_ok;
}

int run_task_list(context& ctx) {
  mesh_session s(ctx);
  auto r = s.expect<task_list_frame>(
      collab_request{list_tasks_frame{ctx.option("status"), ctx.option("assignee")}});
  print_tasks(ctx, r.tasks);
  return exit_ok;
}

int run_info(context& ctx) {
  mesh_session s(ctx);
  auto r = s.expect<mesh_info_result_frame>(mesh_op{mesh_info_frame{}});
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("meshId", r.mesh);
    j.w.str_field("meshName", s.mesh().mesh_name);
    j.w.int_field("peers", r.peers);
    j.w.strings_field("groups", r.groups);
    j.w.strings_field("stateKeys", r.stateKeys);
    j.w.int_field("memoryCount", r.memoryCount);
    j.w.key("tasks");
    j.w.begin_object();
    j.w.int_field("open", r.tasks.open);
    j.w.int_field("claimed", r.tasks.claimed);
    j.w.int_field("done", r.tasks.done);
    j.w.end_object();
    j.w.strings_field("streams", r.streams);
    j.w.str_field("yourName", r.yourName);
    j.done();
    return exit_ok;
  }
  print_fields({{"mesh", s.mesh().mesh_name + " (" + r.mesh + ")"},
                {"you", r.yourName},
                {"peers online", std::to_string(r.peers)},
                {"groups", r.groups.empty() ? "-" : join(r.groups)},
                {"state keys", r.stateKeys.empty() ? "-" : join(r.stateKeys)},
                {"memories", std::to_string(r.memoryCount)},
                {"tasks", std::to_string(r.tasks.open) + " open, " + std::to_string(r.tasks.claimed) +
                              " claimed, " + std::to_string(r.tasks.done) + " done"},
                {"streams", r.streams.empty() ? "-" : join(r.streams)}});
  return exit_ok;
}

} // namespace nexus::cli
