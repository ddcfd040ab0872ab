#include "actors/storage_merge.hpp"

#include "actors/audit_chain.hpp"
#include "storage/audit_sql.hpp"
#include "storage/broker_sql.hpp"
#include "storage/message_batch_sql.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace nexus {

namespace {

using storage::broker_sql::insert_message;
using storage::broker_sql::mark_delivered;
namespace batch_sql = storage::message_batch_sql;

/// What a request contributes to a merge: the group it joins and the ids
/// of the result rows that answer it.
struct mergeable {
  std::string group; ///< kind and mesh: only requests of one group merge
  std::vector<std::string> ids;
};

/// A request that is one mark_delivered call: $1 mesh, $2 ids text[].
std::optional<mergeable> mark_of(const db_request& req) {
  if (req.calls.size() != 1 || req.calls[0].stmt != &mark_delivered)
    return std::nullopt;
  const auto& params = req.calls[0].params;
  if (params.size() != 2 || !params[0] || !params[1])
    return std::nullopt;
  auto ids = storage::parse_pg_text_array(*params[1]);
  if (!ids)
    return std::nullopt;
  return mergeable{"mark " + *params[0], std::move(*ids)};
}

// The audited insert_message's parameters (storage/broker_sql.hpp, then
// audit_sql.hpp's five audit parameters).
enum insert_param : size_t {
  p_id, p_mesh, p_sender, p_session, p_target, p_priority, p_nonce, p_ciphertext, p_cmid, p_fp,
  p_audit_mesh, p_event, p_actor, p_name, p_payload, insert_param_count
};

/// Whether `v` fits a pg_text_array element of insert_messages: no NUL
/// byte, and NULL (→ '') only where '' also stands for NULL.
bool representable(const storage::param& v, size_t index) {
  if (!v)
    return index == p_session || index == p_cmid || index == p_fp || index == p_actor ||
           index == p_name;
  if (v->find('\0') != std::string::npos)
    return false;
  // '' becomes NULL in these columns; the single form would have kept it.
  return !(v->empty() && (index == p_session || index == p_actor || index == p_name));
}

/// A request that is one audited insert_message call of one mesh.
std::optional<mergeable> insert_of(const db_request& req) {
  if (req.calls.size() != 1 || req.calls[0].stmt != &storage::audit_sql::audited(insert_message))
    return std::nullopt;
  const auto& params = req.calls[0].params;
  if (params.size() != insert_param_count || !params[p_mesh] || params[p_mesh] != params[p_audit_mesh])
    return std::nullopt;
  for (size_t i = 0; i < params.size(); ++i)
    if (!representable(params[i], i))
      return std::nullopt;
  return mergeable{"insert " + *params[p_mesh], {*params[p_id]}};
}

std::optional<mergeable> mergeable_of(const db_request& req) {
  if (auto mark = mark_of(req))
    return mark;
  return insert_of(req);
}

/// One mark_delivered over the union of the group's ids.
db_request merged_marks(const std::vector<const db_request*>& batch,
                        const std::vector<std::vector<std::string>>& ids,
                        const std::vector<size_t>& members) {
  std::vector<std::string> all;
  for (size_t k : members)
    all.insert(all.end(), ids[k].begin(), ids[k].end());
  const auto& mesh = batch[members.front()]->calls[0].params[0];
  return db_request{{db_call{&mark_delivered, {mesh, storage::pg_text_array(all)}}}};
}

/// The merged insert of the group's rows, in batch order: insert_chained
/// alone when the node links the chain, else lock_audit_head + insert_messages.
db_request merged_inserts(const std::vector<const db_request*>& batch,
                          const std::vector<size_t>& members, bool node_links) {
  std::vector<std::vector<std::string>> columns(insert_param_count);
  for (size_t k : members) {
    const auto& params = batch[k]->calls[0].params;
    for (size_t i = 0; i < insert_param_count; ++i)
      columns[i].push_back(params[i].value_or(""));
  }
  const auto& mesh = batch[members.front()]->calls[0].params[p_mesh];
  std::vector<storage::param> params{mesh};
  for (size_t i = 0; i < insert_param_count; ++i)
    if (i != p_mesh && i != p_audit_mesh)
      params.emplace_back(storage::pg_text_array(columns[i]));
  if (node_links)
    return db_request{{db_call{&batch_sql::insert_chained, std::move(params)}}};
  return db_request{{db_call{&batch_sql::lock_audit_head, {mesh}},
                     db_call{&batch_sql::insert_messages, std::move(params)}}};
}

/// The audit chains a batch has touched so far, in run order.
class touched_chains {
public:
  /// Whether a chain of `mesh` may have moved since BEGIN.
  bool moved(const std::string& mesh) const { return all_ || meshes_.count(mesh) != 0; }
  /// Every mesh named so far, sorted.
  const std::set<std::string>& meshes() const { return meshes_; }
  /// Records what `req`'s calls may append to.
  void add(const db_request& req) {
    for (const auto& call : req.calls) {
      if (!call.stmt)
        continue; // fails before it could append
      auto at = storage::audit_sql::chain_mesh_param(*call.stmt);
      if (at && *at < call.params.size() && call.params[*at])
        meshes_.insert(*call.params[*at]);
      else if (at || std::strstr(call.stmt->sql, "nexus.audit_"))
        all_ = true; // an append whose mesh we cannot tell (a spelling this
                     // misses is caught by insert_chained's head check)
    }
  }

private:
  std::set<std::string> meshes_;
  bool all_ = false;
};

/// Row indexes of a merged statement's result by their `id`, built once per
/// merged statement: looking each request's ids up in it keeps splitting a
/// batch linear (scanning every row for every request was O(n²), 8 % of the
/// storage thread at 512 sends a batch).
std::unordered_map<std::string_view, std::vector<size_t>> rows_by_id(const storage::result_set& rs) {
  std::unordered_map<std::string_view, std::vector<size_t>> index;
  index.reserve(rs.rows.size());
  const size_t id_col = rs.column("id");
  for (size_t r = 0; r < rs.rows.size(); ++r)
    if (const auto& id = rs.rows[r][id_col])
      index[*id].push_back(r);
  return index;
}

/// The rows of `rs` whose `id` is one of `ids`, in result order.
storage::result_set rows_of(const storage::result_set& rs,
                            const std::unordered_map<std::string_view, std::vector<size_t>>& index,
                            const std::vector<std::string>& ids) {
  std::vector<size_t> picked;
  for (const auto& id : ids)
    if (auto it = index.find(id); it != index.end())
      picked.insert(picked.end(), it->second.begin(), it->second.end());
  std::sort(picked.begin(), picked.end());
  picked.erase(std::unique(picked.begin(), picked.end()), picked.end());
  storage::result_set out;
  out.columns = rs.columns;
  out.rows.reserve(picked.size());
  for (size_t r : picked)
    out.rows.push_back(rs.rows[r]);
  out.affected = static_cast<int64_t>(out.rows.size());
  return out;
}

} // namespace

merged_batch merge_batch(const std::vector<const db_request*>& batch) {
  merged_batch plan;
  plan.ids.resize(batch.size());
  // Which requests merge: those of a group that has at least two.
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < batch.size(); ++i)
    if (auto m = mergeable_of(*batch[i])) {
      groups[m->group].push_back(i);
      plan.ids[i] = std::move(m->ids);
    }
  std::map<size_t, const std::vector<size_t>*> group_at; // first index → its group
  for (const auto& [key, group] : groups)
    if (group.size() > 1)
      group_at[group.front()] = &group;
  std::vector<bool> folded(batch.size(), false);
  for (const auto& [first, group] : group_at)
    for (size_t i : *group)
      folded[i] = true;

  touched_chains touched;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!folded[i]) {
      plan.ids[i].clear();
      plan.run.push_back(batch[i]);
      plan.answers.push_back({i});
      touched.add(*batch[i]);
      continue;
    }
    auto at = group_at.find(i);
    if (at == group_at.end())
      continue; // runs with the first of its group
    const auto& members = *at->second;
    if (batch[i]->calls[0].stmt == &mark_delivered) {
      plan.merged.push_back(merged_marks(batch, plan.ids, members));
    } else {
      const auto& mesh = *batch[i]->calls[0].params[p_mesh];
      // One group per mesh, so no later group can follow this one's appends.
      const bool node_links = !touched.moved(mesh);
      plan.merged.push_back(merged_inserts(batch, members, node_links));
      if (node_links) {
        chain_link link{mesh, &plan.merged.back(), {}};
        for (size_t k : members)
          link.rows.push_back(batch[k]);
        plan.links.push_back(std::move(link));
      }
    }
    plan.run.push_back(&plan.merged.back());
    plan.answers.push_back(members);
    plan.any = true;
  }
  if (!plan.links.empty()) {
    touched_chains all; // every request (the groups' sends among them), not only those before a group
    for (const auto* req : batch)
      all.add(*req);
    plan.head_locks.assign(all.meshes().begin(), all.meshes().end());
  }
  return plan;
}

void link_chain(const chain_link& link, const std::string& head, int64_t created_ms) {
  std::vector<std::string> prevs, hashes;
  prevs.reserve(link.rows.size());
  hashes.reserve(link.rows.size());
  std::string prev = head;
  for (const auto* row : link.rows) {
    const auto& params = row->calls[0].params;
    audit::link_fields f;
    f.prev_hash = prev;
    f.mesh_id = link.mesh;
    f.event_type = *params[p_event];
    if (params[p_actor])
      f.actor_member_id = *params[p_actor];
    f.canonical_payload = *params[p_payload];
    f.created_ms = created_ms;
    auto hash = audit::chain_hash(f);
    prevs.push_back(std::exchange(prev, hash));
    hashes.push_back(std::move(hash));
  }
  auto& params = link.request->calls[0].params;
  params.emplace_back(storage::pg_text_array(prevs));
  params.emplace_back(storage::pg_text_array(hashes));
  params.emplace_back(std::to_string(created_ms));
}

batch_outcome split(const merged_batch& plan, batch_outcome ran, size_t originals) {
  batch_outcome out;
  out.connection_lost = ran.connection_lost;
  out.nothing_attempted = ran.nothing_attempted;
  out.requests.resize(originals);
  for (size_t j = 0; j < plan.run.size(); ++j) {
    auto& r = ran.requests[j];
    const auto& answers = plan.answers[j];
    if (answers.size() == 1 && plan.ids[answers[0]].empty()) {
      out.requests[answers[0]] = std::move(r);
      continue;
    }
    const bool ok = r.error == storage::storage_errc::none;
    std::unordered_map<std::string_view, std::vector<size_t>> index;
    if (ok) // a merged request's rows are its last statement's
      index = rows_by_id(r.reply.results.back());
    for (size_t i : answers) {
      auto& o = out.requests[i];
      o.error = r.error;
      o.message = r.message;
      if (ok)
        o.reply.results.push_back(rows_of(r.reply.results.back(), index, plan.ids[i]));
    }
  }
  return out;
}

} // namespace nexus
