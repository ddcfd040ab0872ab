// Handlers of the collaboration requests (§5.1–§5.4); see collab.hpp.
// Each mutation kind is one statement of storage/collab_sql.hpp, issued
// from exactly one function here, wrapped by audited() (actors/audit.hpp) so
// its §8 entry commits in the same statement — and only if it changed a row.
#include "actors/collab.hpp"

#include "actors/audit.hpp"
#include "actors/audit_chain.hpp"
#include "actors/presence_request.hpp"
#include "actors/identity_ops.hpp"
#include "config/log.hpp"
#include "crypto/sodium.hpp"
#include "storage/broker_sql.hpp"
#include "storage/collab_sql.hpp"
#include "transport/frame_encoders_collab.hpp"
#include "transport/wire_codec.hpp"

#include <caf/all.hpp>

#include <utility>

namespace nexus {
namespace {

namespace sql = storage::collab_sql;
using storage::param;
using storage::pg_text_array;

using call_ctx = request_ctx;

std::string id_payload(const char* key, const std::string& id) {
  return audit::payload_builder().string(key, id).str();
}

void announce(presence_actor_t* self, state_change_frame change) {
  auto& st = self->state;
  self->send(st.mesh, state_change_request{st.me.presence_id, std::move(change)});
}

state_entry entry_of(const storage::state_row& r) {
  return {r.key, r.value_json, r.updated_by_name, r.updated_ms};
}

task_list_frame tasks_of(const storage::result_set& rs, const std::optional<std::string>& req_id) {
  task_list_frame f;
  f.req_id = req_id;
  for (size_t i = 0; i < rs.rows.size(); ++i) {
    auto t = storage::task_from(rs, i);
    f.tasks.push_back({t.id, t.title, t.assignee, t.claimed_by_name, t.status, t.priority,
                       t.created_by_name, t.tags, t.result, t.created_ms});
  }
  return f;
}

context_list_frame contexts_of(const storage::result_set& rs, bool full,
                               const std::optional<std::string>& req_id) {
  context_list_frame f;
  f.full = full;
  f.req_id = req_id;
  for (size_t i = 0; i < rs.rows.size(); ++i) {
    auto r = storage::context_from(rs, i);
    f.contexts.push_back({r.peer_name, r.summary, r.files_read, r.key_findings, r.tags, r.updated_ms});
  }
  return f;
}

db_call all_tasks(const presence_state& st) {
  return {&sql::list_tasks, {st.mesh_id, param{}, param{}, std::to_string(st.cfg->task_list_max)}};
}

// --- §5.1 shared state ---

void on(const call_ctx& c, const set_state_frame& f) {
  auto& st = c.st();
  run(c,
      {{c.audited({&sql::upsert_state,
                   {st.mesh_id, f.key, f.value_json, st.me.presence_id, st.me.member_id}},
                  "state_set",
                  audit::payload_builder()
                      .string("key", f.key)
                      .raw("value", audit::canonical_json(f.value_json).value_or("null"))
                      .str())}},
      [](presence_actor_t* self, db_reply& r) {
        // No reply to the setter (§1.5: never a state_result); the others
        // learn of it once it is durable.
        auto row = storage::state_from(r.results.at(0), 0);
        announce(self, {row.key, row.value_json, std::nullopt, row.updated_by_name});
      });
}

void on(const call_ctx& c, const get_state_frame& f) {
  run(c, {{{&sql::select_state, {c.st().mesh_id, f.key}}}},
      [c, key = f.key](presence_actor_t*, db_reply& r) {
        state_result_frame out;
        out.key = key;
        out.req_id = c.req_id;
        if (const auto& rs = r.results.at(0); !rs.rows.empty())
          out.entry = entry_of(storage::state_from(rs, 0));
        c.reply(wire::encode_state_result(out));
      });
}

void on(const call_ctx& c, const list_state_frame&) {
  run(c, {{{&sql::list_state, {c.st().mesh_id}}}}, [c](presence_actor_t*, db_reply& r) {
    state_list_frame out;
    out.req_id = c.req_id;
    const auto& rs = r.results.at(0);
    for (size_t i = 0; i < rs.rows.size(); ++i)
      out.entries.push_back(entry_of(storage::state_from(rs, i)));
    c.reply(wire::encode_state_list(out));
  });
}

// --- §5.2 memory ---

void on(const call_ctx& c, const remember_frame& f) {
  auto& st = c.st();
  auto id = crypto::random_base62(32);
  run(c,
      {{c.audited({&sql::insert_memory,
                   {id, st.mesh_id, f.content, pg_text_array(f.tags), st.me.member_id}},
                  "memory_stored", // the id and tags, not the note itself
                  audit::payload_builder().string("memoryId", id).strings("tags", f.tags).str())}},
      [c, id](presence_actor_t*, db_reply&) {
        c.reply(wire::encode_memory_stored({id, c.req_id}));
      });
}

void on(const call_ctx& c, const recall_frame& f) {
  auto limit = std::to_string(c.st().cfg->recall_results_max);
  run(c, {{{&sql::recall_memory, {c.st().mesh_id, f.query, limit}}}},
      [c](presence_actor_t*, db_reply& r) {
        memory_results_frame out;
        out.req_id = c.req_id;
        const auto& rs = r.results.at(0);
        for (size_t i = 0; i < rs.rows.size(); ++i) {
          auto m = storage::memory_from(rs, i);
          out.memories.push_back({m.id, m.content, m.tags, m.remembered_by_name, m.remembered_ms});
        }
        c.reply(wire::encode_memory_results(out));
      });
}

void on(const call_ctx& c, const forget_frame& f) {
  // Always acknowledged, known id or not (§5.2); scoped to the caller's mesh.
  run(c,
      {{c.audited({&sql::forget_memory, {c.st().mesh_id, f.memoryId}}, "memory_forgotten",
                  id_payload("memoryId", f.memoryId))}},
      [c, id = f.memoryId](presence_actor_t*, db_reply&) {
        c.reply(wire::encode_forget_ack({id, c.req_id}));
      });
}

// --- §5.3 tasks ---

void on(const call_ctx& c, const create_task_frame& f) {
  auto& st = c.st();
  auto id = crypto::random_base62(32);
  run(c,
      {{c.audited({&sql::insert_task,
                   {id, st.mesh_id, f.title, f.assignee, f.priority, pg_text_array(f.tags),
                    st.me.member_id}},
                  "task_created",
                  audit::payload_builder().string("taskId", id).string("priority", f.priority).str())}},
      [c, id](presence_actor_t*, db_reply&) {
        c.reply(wire::encode_task_created({id, c.req_id}));
      });
}

void on(const call_ctx& c, const claim_task_frame& f) {
  auto& st = c.st();
  // One unit of work: the atomic claim, then the board as it is after it.
  run(c,
      {{c.audited({&sql::claim_task, {st.mesh_id, f.taskId, st.me.presence_id, st.me.member_id}},
                  "task_claimed", id_payload("taskId", f.taskId)),
        all_tasks(st)}},
      [c](presence_actor_t*, db_reply& r) {
        if (r.results.at(0).rows.empty()) {
          c.error("task_not_claimable", "task is not open or does not exist");
          return;
        }
        c.reply(wire::encode_task_list(tasks_of(r.results.at(1), c.req_id)));
      });
}

void on(const call_ctx& c, const complete_task_frame& f) {
  auto& st = c.st();
  run(c,
      {{c.audited({&sql::complete_task, {st.mesh_id, f.taskId, f.result}}, "task_completed",
                  id_payload("taskId", f.taskId)),
        all_tasks(st)}},
      [c](presence_actor_t*, db_reply& r) {
        if (r.results.at(0).rows.empty()) {
          c.error("task_not_found", "task not found in this mesh");
          return;
        }
        c.reply(wire::encode_task_list(tasks_of(r.results.at(1), c.req_id)));
      });
}

void on(const call_ctx& c, const list_tasks_frame& f) {
  run(c,
      {{{&sql::list_tasks,
         {c.st().mesh_id, f.status, f.assignee, std::to_string(c.st().cfg->task_list_max)}}}},
      [c](presence_actor_t*, db_reply& r) {
        c.reply(wire::encode_task_list(tasks_of(r.results.at(0), c.req_id)));
      });
}

// --- §5.4 contexts ---

void on(const call_ctx& c, const share_context_frame& f) {
  auto& st = c.st();
  run(c,
      {{c.audited({&sql::upsert_context,
                   {crypto::random_base62(32), st.mesh_id, st.me.member_id, st.me.presence_id,
                    f.summary, pg_text_array(f.filesRead), pg_text_array(f.keyFindings),
                    pg_text_array(f.tags)}},
                  "context_shared", audit::payload_builder().strings("tags", f.tags).str())}},
      [c, summary = f.summary](presence_actor_t* self, db_reply& r) {
        const auto& rs = r.results.at(0);
        auto name = rs.at(0, "peer_name").value_or("unknown");
        c.reply(wire::encode_context_shared({rs.at(0, "id").value_or("")})); // no _reqId (§12)
        announce(self, {"_context:" + name, "null", summary, name});
      });
}

void on(const call_ctx& c, const get_context_frame& f) {
  run(c,
      {{{&sql::search_contexts,
         {c.st().mesh_id, f.query, std::to_string(c.st().cfg->context_search_results_max)}}}},
      [c](presence_actor_t*, db_reply& r) {
        c.reply(wire::encode_context_list(contexts_of(r.results.at(0), true, c.req_id)));
      });
}

void on(const call_ctx& c, const list_contexts_frame&) {
  run(c, {{{&sql::list_contexts, {c.st().mesh_id}}}}, [c](presence_actor_t*, db_reply& r) {
    c.reply(wire::encode_context_list(contexts_of(r.results.at(0), false, c.req_id)));
  });
}

} // namespace

void handle_collab(presence_actor_t* self, const collab_frame& frame,
                   const std::optional<std::string>& req_id, std::function<void()> done) {
  call_ctx c{self, req_id, std::move(done)};
  std::visit([&c](const auto& f) { on(c, f); }, frame.request);
}

void push_state_change(presence_actor_t* self, const state_change_frame& change) {
  auto& st = self->state;
  if (st.phase == presence_phase::online)
    st.sink->send(wire::encode_state_change(change));
}

void fan_out_state_change(mesh_actor_t* self, const state_change_request& req) {
  auto& st = self->state;
  const auto* writer = st.table.find(req.presence_id);
  int64_t dropped = 0;
  for (const auto& [presence_id, presence] : st.presences) {
    if (presence_id == req.presence_id)
      continue;
    // §3.5.5: a recipient whose grants deny `state-read` to the writer misses it.
    const auto* e = st.table.find(presence_id);
    if (writer != nullptr && e != nullptr && e->member_id != writer->member_id &&
        !mesh_allows(st, e->member_id, capability::state_read, *writer)) {
      ++dropped;
      continue;
    }
    self->send(presence, req.change);
  }
  if (dropped > 0)
    count_grant_drop(st, capability::state_read, dropped);
}

} // namespace nexus
