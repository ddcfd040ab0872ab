#include "actors/storage_merge.hpp"

#include "storage/broker_sql.hpp"

#include <map>
#include <optional>
#include <set>

namespace nexus {

namespace {

using storage::broker_sql::mark_delivered;

/// The mesh and ids of a request that is one mark_delivered call, else nullopt.
std::optional<std::pair<std::string, std::vector<std::string>>> mark_of(const db_request& req) {
  if (req.calls.size() != 1 || req.calls[0].stmt != &mark_delivered)
    return std::nullopt;
  const auto& params = req.calls[0].params; // $1 mesh, $2 ids text[]
  if (params.size() != 2 || !params[0] || !params[1])
    return std::nullopt;
  auto ids = storage::parse_pg_text_array(*params[1]);
  if (!ids)
    return std::nullopt;
  return std::make_pair(*params[0], std::move(*ids));
}

/// The rows of `rs` whose `id` is one of `ids`.
storage::result_set rows_of(const storage::result_set& rs, const std::vector<std::string>& ids) {
  storage::result_set out;
  out.columns = rs.columns;
  const std::set<std::string> wanted(ids.begin(), ids.end());
  const size_t id_col = rs.column("id");
  for (const auto& row : rs.rows)
    if (row[id_col] && wanted.count(*row[id_col]))
      out.rows.push_back(row);
  out.affected = static_cast<int64_t>(out.rows.size());
  return out;
}

} // namespace

merged_batch merge_batch(const std::vector<const db_request*>& batch) {
  merged_batch plan;
  plan.ids.resize(batch.size());
  // Which requests merge: those of a mesh that has at least two.
  std::map<std::string, std::vector<size_t>> by_mesh;
  for (size_t i = 0; i < batch.size(); ++i)
    if (auto mark = mark_of(*batch[i])) {
      by_mesh[mark->first].push_back(i);
      plan.ids[i] = std::move(mark->second);
    }
  std::map<size_t, const std::vector<size_t>*> group_at; // first index → its group
  for (const auto& [mesh, group] : by_mesh)
    if (group.size() > 1)
      group_at[group.front()] = &group;
  std::vector<bool> folded(batch.size(), false);
  for (const auto& [first, group] : group_at)
    for (size_t i : *group)
      folded[i] = true;

  for (size_t i = 0; i < batch.size(); ++i) {
    if (!folded[i]) {
      plan.ids[i].clear();
      plan.run.push_back(batch[i]);
      plan.answers.push_back({i});
      continue;
    }
    auto at = group_at.find(i);
    if (at == group_at.end())
      continue; // runs with the first of its group
    std::vector<std::string> all;
    for (size_t k : *at->second)
      all.insert(all.end(), plan.ids[k].begin(), plan.ids[k].end());
    const auto& mesh = batch[i]->calls[0].params[0];
    plan.merged.push_back(db_request{{db_call{&mark_delivered, {mesh, storage::pg_text_array(all)}}}});
    plan.run.push_back(&plan.merged.back());
    plan.answers.push_back(*at->second);
    plan.any = true;
  }
  return plan;
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
    for (size_t i : answers) {
      auto& o = out.requests[i];
      o.error = r.error;
      o.message = r.message;
      if (r.error == storage::storage_errc::none)
        o.reply.results.push_back(rows_of(r.reply.results.at(0), plan.ids[i]));
    }
  }
  return out;
}

} // namespace nexus
