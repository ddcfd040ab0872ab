// Appending helpers and the audit_query / audit_verify handlers; see audit.hpp.
#include "actors/audit.hpp"

#include "actors/audit_chain.hpp"
#include "config/log.hpp"
#include "storage/audit_sql.hpp"
#include "transport/frame_encoders_audit.hpp"
#include "transport/wire_codec.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace nexus {
namespace {

namespace sql = storage::audit_sql;

void add_event(std::vector<storage::param>& params, const std::string& mesh_id,
               const audit_event& ev) {
  params.emplace_back(mesh_id);
  params.emplace_back(ev.event_type);
  params.emplace_back(ev.actor_member_id);
  params.emplace_back(ev.actor_display_name);
  // The SQL hashes this text as given: make sure it is the canonical form
  // (a no-op for payload_builder output; cheap next to the round trip).
  params.emplace_back(audit::canonical_json(ev.payload).value_or("{}"));
}

int64_t int_of(const std::optional<std::string>& v) { return v ? std::stoll(*v) : 0; }

struct reply_ctx {
  presence_actor_t* self;
  std::optional<std::string> req_id;
  std::function<void()> done;

  void send(std::string frame) const { self->state.sink->send(std::move(frame)); }
  void fail(const char* code, const caf::error& err) const {
    log::warn("audit") << self->state.mesh_id << ": " << code << ": " << to_string(err);
    send(wire::encode_error(code, "audit log unavailable, retry shortly", req_id));
    done();
  }
};

void query(const reply_ctx& c, const audit_query_frame& f) {
  auto& st = c.self->state;
  int64_t limit = std::clamp<int64_t>(f.limit, 0, st.cfg->audit_query_limit_max);
  int64_t offset = std::max<int64_t>(f.offset, 0);
  db_request req{{db_call{&sql::query_total, {st.mesh_id, f.eventType}},
                  db_call{&sql::query_page,
                          {st.mesh_id, f.eventType, std::to_string(limit), std::to_string(offset)}}}};
  c.self->request(st.storage, storage_timeout(st), std::move(req))
      .then(
          [c](db_reply& r) {
            audit_result_frame out;
            out.req_id = c.req_id;
            out.total = int_of(r.results.at(0).at(0, "total"));
            const auto& rs = r.results.at(1);
            for (size_t i = 0; i < rs.rows.size(); ++i)
              out.entries.push_back({int_of(rs.at(i, "id")), rs.at(i, "event_type").value_or(""),
                                     rs.at(i, "actor").value_or("system"),
                                     rs.at(i, "payload").value_or("{}"), rs.at(i, "hash").value_or(""),
                                     int_of(rs.at(i, "created_ms"))});
            c.send(wire::encode_audit_result(out));
            c.done();
          },
          [c](caf::error& err) { c.fail("audit_query_error", err); });
}

/// One walk of a mesh's chain, page by page, up to the id that was newest
/// when it started (appends made meanwhile are the next verify's).
struct verify_walk {
  reply_ctx c;
  audit::chain_verifier verifier;
  int64_t total = 0, max_id = 0, after = 0;
};

void next_page(std::shared_ptr<verify_walk> w) {
  auto& st = w->c.self->state;
  auto finish = [w] {
    audit_verify_result_frame out;
    out.req_id = w->c.req_id;
    out.entries = w->total;
    out.brokenAt = w->verifier.broken_at();
    out.valid = !out.brokenAt;
    w->c.send(wire::encode_audit_verify_result(out));
    w->c.done();
  };
  if (w->after >= w->max_id || w->verifier.broken_at()) {
    finish();
    return;
  }
  db_request req{{db_call{&sql::chain_page,
                          {st.mesh_id, std::to_string(w->after), std::to_string(w->max_id),
                           std::to_string(audit_verify_page)}}}};
  w->c.self->request(st.storage, storage_timeout(st), std::move(req))
      .then(
          [w, finish](db_reply& r) {
            const auto& rs = r.results.at(0);
            if (rs.rows.empty()) { // rows deleted under us: nothing more to read
              finish();
              return;
            }
            for (size_t i = 0; i < rs.rows.size(); ++i) {
              audit::stored_entry e;
              e.id = int_of(rs.at(i, "id"));
              e.event_type = rs.at(i, "event_type").value_or("");
              e.actor_member_id = rs.at(i, "actor_member_id");
              e.payload_json = rs.at(i, "payload").value_or("");
              e.prev_hash = rs.at(i, "prev_hash").value_or("");
              e.hash = rs.at(i, "hash").value_or("");
              e.created_ms = int_of(rs.at(i, "created_ms"));
              w->after = e.id;
              if (!w->verifier.feed(e))
                break;
            }
            next_page(w);
          },
          [w](caf::error& err) { w->c.fail("audit_verify_error", err); });
}

void verify(const reply_ctx& c) {
  auto& st = c.self->state;
  c.self->request(st.storage, storage_timeout(st),
                  db_request{{db_call{&sql::chain_bounds, {st.mesh_id}}}})
      .then(
          [c](db_reply& r) {
            auto w = std::make_shared<verify_walk>(
                verify_walk{c, audit::chain_verifier(c.self->state.mesh_id)});
            w->total = int_of(r.results.at(0).at(0, "total"));
            w->max_id = int_of(r.results.at(0).at(0, "max_id"));
            next_page(w);
          },
          [c](caf::error& err) { c.fail("audit_verify_error", err); });
}

} // namespace

db_call audited(db_call mutation, const std::string& mesh_id, const audit_event& ev) {
  size_t k = sql::mutation_params(*mutation.stmt);
  if (mutation.params.size() > k)
    throw std::logic_error(std::string("too many parameters for ") + mutation.stmt->name);
  mutation.params.resize(k); // trailing NULLs, so the audit parameters start at $k+1
  add_event(mutation.params, mesh_id, ev);
  mutation.stmt = &sql::audited(*mutation.stmt);
  return mutation;
}

db_call audit_append(const std::string& mesh_id, const audit_event& ev) {
  db_call call{&sql::append(), {}};
  add_event(call.params, mesh_id, ev);
  return call;
}

void handle_audit(presence_actor_t* self, const audit_frame& frame,
                  const std::optional<std::string>& req_id, std::function<void()> done) {
  reply_ctx c{self, req_id, std::move(done)};
  if (const auto* q = std::get_if<audit_query_frame>(&frame.request))
    query(c, *q);
  else
    verify(c);
}

} // namespace nexus
