// The mesh side of streams (§5.5) and mesh_info (§5.7), and the dispatch of
// every mesh_op (actors/mesh_ops.hpp). Stream names are rows of the mesh's
// storage actor; subscriber sets are this actor's memory.
#include "actors/mesh_ops.hpp"

#include "actors/audit.hpp"
#include "actors/audit_chain.hpp"
#include "config/log.hpp"
#include "crypto/sodium.hpp"
#include "storage/streams_sql.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <utility>

namespace nexus {
namespace {

namespace sql = storage::streams_sql;

/// Runs `req` on the storage actor and delivers what `then` makes of the
/// committed rows; a storage failure becomes error{unavailable}.
template <class Then>
caf::result<mesh_op_reply> with_rows(mesh_actor_t* self, db_request req, Then then) {
  auto& st = self->state;
  auto rp = self->make_response_promise<mesh_op_reply>();
  self->request(st.storage, storage_timeout(st), std::move(req))
      .then([=](db_reply& rows) mutable { rp.deliver(then(self, rows)); },
            [=](caf::error& err) mutable {
              log::warn("mesh") << self->state.mesh_id
                                << ": stream/mesh_info storage request failed: " << to_string(err);
              rp.deliver(mesh_op_reply{mesh_op_error{"unavailable", "storage unavailable, retry shortly"}});
            });
  return rp;
}

/// The caller's member display name, or "peer" (§5.5 publishedBy).
std::string member_name_of(const mesh_state& st, const std::string& presence_id) {
  if (const auto* e = st.table.find(presence_id))
    if (auto it = st.members.find(e->member_id); it != st.members.end())
      return it->second.display_name;
  return "peer";
}

int64_t subscriber_count(const mesh_state& st, const std::string& stream) {
  auto it = st.stream_subscribers.find(stream);
  return it == st.stream_subscribers.end() ? 0 : static_cast<int64_t>(it->second.size());
}

caf::result<mesh_op_reply> create_stream(mesh_actor_t* self, const mesh_op_request& req,
                                         const create_stream_frame& f) {
  auto& st = self->state;
  const auto* caller = st.table.find(req.presence_id);
  storage::param member = caller ? storage::param{caller->member_id} : storage::param{};
  // §8: stream_created {name}, appended only when the row is new.
  audit_event ev{"stream_created", member,
                 caller ? storage::param{caller->display_name} : storage::param{},
                 audit::payload_builder().string("name", f.name).str()};
  db_request q{{audited(db_call{&sql::upsert_stream,
                                {crypto::random_base62(32), st.mesh_id, f.name, member}},
                        st.mesh_id, ev)}};
  return with_rows(self, std::move(q), [req_id = req.req_id](mesh_actor_t*, db_reply& r) {
    auto row = storage::stream_from(r.results.at(0), 0);
    return mesh_op_reply{stream_created_frame{row.id, row.name, req_id}};
  });
}

mesh_op_reply subscribe(mesh_actor_t* self, const mesh_op_request& req, const subscribe_frame& f) {
  self->state.stream_subscribers[f.stream].insert(req.presence_id);
  return {subscribed_frame{f.stream, req.req_id}};
}

mesh_op_reply unsubscribe(mesh_actor_t* self, const mesh_op_request& req,
                          const unsubscribe_frame& f) {
  auto& subs = self->state.stream_subscribers;
  if (auto it = subs.find(f.stream); it != subs.end()) {
    it->second.erase(req.presence_id);
    if (it->second.empty())
      subs.erase(it);
  }
  return {};
}

/// Live fan-out only (no history): subscribers in their grace window have
/// no actor and miss it, as the reference drops pushes to them (§4.6).
mesh_op_reply publish(mesh_actor_t* self, const mesh_op_request& req, const publish_frame& f) {
  auto& st = self->state;
  // §6 metrics: publishes are routed messages of priority "stream".
  st.metrics->reg
      .get_counter("broker_messages_routed_total", "sends committed, by priority",
                   {{"priority", "stream"}})
      .inc();
  auto it = st.stream_subscribers.find(f.stream);
  if (it == st.stream_subscribers.end())
    return {};
  stream_data_frame data{f.stream, f.data_json, member_name_of(st, req.presence_id)};
  for (const auto& id : it->second) {
    if (id == req.presence_id)
      continue;
    if (auto p = st.presences.find(id); p != st.presences.end())
      self->send(p->second, data);
  }
  return {};
}

caf::result<mesh_op_reply> list_streams(mesh_actor_t* self, const mesh_op_request& req) {
  auto& st = self->state;
  return with_rows(self, db_request{{db_call{&sql::list_streams, {st.mesh_id}}}},
                   [req_id = req.req_id](mesh_actor_t* self, db_reply& r) {
                     stream_list_frame out;
                     out.req_id = req_id;
                     const auto& rs = r.results.at(0);
                     for (size_t i = 0; i < rs.rows.size(); ++i) {
                       auto row = storage::stream_from(rs, i);
                       auto count = subscriber_count(self->state, row.name);
                       out.streams.push_back(
                           {row.id, row.name, row.created_by_name, row.created_ms, count});
                     }
                     return mesh_op_reply{std::move(out)};
                   });
}

/// §5.7: the live half (peers, groups, the caller) from the connection
/// table when the rows arrive, so both halves describe the same moment.
caf::result<mesh_op_reply> mesh_info(mesh_actor_t* self, const mesh_op_request& req) {
  auto& st = self->state;
  return with_rows(
      self, db_request{{db_call{&sql::mesh_info_counts, {st.mesh_id}}}},
      [req](mesh_actor_t* self, db_reply& r) {
        const auto& st = self->state;
        auto row = storage::mesh_info_from(r.results.at(0));
        mesh_info_result_frame out;
        out.req_id = req.req_id;
        out.mesh = st.mesh_id;
        out.peers = static_cast<int64_t>(st.table.size());
        for (const auto& [id, e] : st.table.entries())
          for (const auto& g : e.groups) {
            auto name = "@" + g.name;
            if (std::find(out.groups.begin(), out.groups.end(), name) == out.groups.end())
              out.groups.push_back(std::move(name));
          }
        out.stateKeys = std::move(row.state_keys);
        out.memoryCount = row.memory_count;
        out.fileCount = 0; // no file area on this broker (§5.11 not implemented)
        out.tasks = {row.tasks_open, row.tasks_claimed, row.tasks_done};
        out.streams = std::move(row.streams);
        if (const auto* caller = st.table.find(req.presence_id)) {
          out.yourName = caller->display_name;
          for (const auto& g : caller->groups)
            out.yourGroups.push_back({g.name, g.role});
        }
        return mesh_op_reply{std::move(out)};
      });
}

} // namespace

caf::result<mesh_op_reply> handle_mesh_op(mesh_actor_t* self, mesh_op_request& req) {
  const auto& op = req.op;
  if (const auto* f = std::get_if<create_stream_frame>(&op))
    return create_stream(self, req, *f);
  if (const auto* f = std::get_if<subscribe_frame>(&op))
    return subscribe(self, req, *f);
  if (const auto* f = std::get_if<unsubscribe_frame>(&op))
    return unsubscribe(self, req, *f);
  if (const auto* f = std::get_if<publish_frame>(&op))
    return publish(self, req, *f);
  if (std::holds_alternative<list_streams_frame>(op))
    return list_streams(self, req);
  if (std::holds_alternative<mesh_info_frame>(op))
    return mesh_info(self, req);
  return handle_clock_op(self, op, req.req_id);
}

void on_presence_evicted(mesh_actor_t* self, const std::string& presence_id) {
  auto& subs = self->state.stream_subscribers;
  for (auto it = subs.begin(); it != subs.end();) {
    it->second.erase(presence_id);
    it = it->second.empty() ? subs.erase(it) : std::next(it);
  }
  pause_clock_if_idle(self);
}

} // namespace nexus
