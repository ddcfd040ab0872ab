// storage_merge: which requests of a batch fold into one mark_delivered,
// where the merged one runs, and how its result is handed back.
#include "actors/storage_merge.hpp"
#include "storage/broker_sql.hpp"

#include <doctest/doctest.h>

using namespace nexus;
using storage::pg_text_array;
using storage::broker_sql::mark_delivered;

namespace {

const storage::statement other{"test_merge_other", "SELECT 1"};

db_request mark(const std::string& mesh, const std::vector<std::string>& ids) {
  return db_request{{db_call{&mark_delivered, {mesh, pg_text_array(ids)}}}};
}

db_request plain() { return db_request{{db_call{&other, {}}}}; }

/// What the UPDATE … RETURNING id of a run request answered.
request_outcome returned(const std::vector<std::string>& ids) {
  request_outcome r;
  storage::result_set rs;
  rs.columns = {"id"};
  for (const auto& id : ids)
    rs.rows.push_back({id});
  rs.affected = static_cast<int64_t>(ids.size());
  r.reply.results.push_back(rs);
  return r;
}

std::vector<std::string> ids_of(const request_outcome& r) {
  std::vector<std::string> out;
  for (const auto& row : r.reply.results.at(0).rows)
    out.push_back(row.at(0).value_or("?"));
  return out;
}

} // namespace

TEST_CASE("marks of one mesh fold into one UPDATE where the first stood; others keep their place") {
  std::vector<db_request> reqs = {plain(), mark("M1", {"a", "b"}), plain(), mark("M2", {"x"}),
                                  mark("M1", {"c"}), mark("M1", {"d", "a"})};
  std::vector<const db_request*> batch;
  for (const auto& r : reqs)
    batch.push_back(&r);
  auto plan = merge_batch(batch);
  REQUIRE(plan.any);
  REQUIRE(plan.run.size() == 4);
  CHECK(plan.run[0] == batch[0]);
  CHECK(plan.run[2] == batch[2]);
  CHECK(plan.run[3] == batch[3]); // alone in its mesh: runs as it was
  const auto& merged = *plan.run[1];
  REQUIRE(merged.calls.size() == 1);
  CHECK(merged.calls[0].stmt == &mark_delivered);
  CHECK(merged.calls[0].params.at(0) == std::optional<std::string>("M1"));
  CHECK(merged.calls[0].params.at(1) == std::optional<std::string>(pg_text_array({"a", "b", "c", "d", "a"})));
  CHECK(plan.answers[1] == std::vector<size_t>{1, 4, 5});

  // The merged UPDATE reports each row once (a was already delivered by
  // the time the last request's copy of it came up: still its own id).
  batch_outcome ran;
  ran.requests = {returned({"p"}), returned({"a", "b", "d"}), returned({"q"}), returned({"x"})};
  auto out = split(plan, ran, batch.size());
  REQUIRE(out.requests.size() == 6);
  CHECK(ids_of(out.requests[0]) == std::vector<std::string>{"p"});
  CHECK(ids_of(out.requests[1]) == std::vector<std::string>{"a", "b"});
  CHECK(ids_of(out.requests[2]) == std::vector<std::string>{"q"});
  CHECK(ids_of(out.requests[3]) == std::vector<std::string>{"x"});
  CHECK(ids_of(out.requests[4]).empty()); // c was delivered before: not newly marked
  CHECK(out.requests[4].reply.results.at(0).affected == 0);
  CHECK(ids_of(out.requests[5]) == std::vector<std::string>{"a", "d"});
}

TEST_CASE("a merged UPDATE's failure fails every request it answers, and only those") {
  std::vector<db_request> reqs = {mark("M1", {"a"}), plain(), mark("M1", {"b"})};
  std::vector<const db_request*> batch{&reqs[0], &reqs[1], &reqs[2]};
  auto plan = merge_batch(batch);
  REQUIRE(plan.run.size() == 2);
  batch_outcome ran;
  ran.requests.resize(2);
  ran.requests[0].error = storage::storage_errc::query_failed;
  ran.requests[0].message = "boom";
  ran.requests[1] = returned({"r"});
  auto out = split(plan, ran, 3);
  CHECK(out.requests[0].error == storage::storage_errc::query_failed);
  CHECK(out.requests[0].message == "boom");
  CHECK(out.requests[2].error == storage::storage_errc::query_failed);
  CHECK(out.requests[1].error == storage::storage_errc::none);
  CHECK(ids_of(out.requests[1]) == std::vector<std::string>{"r"});
}

TEST_CASE("nothing merges without two single-call marks of one mesh") {
  std::vector<db_request> reqs = {mark("M1", {"a"}), mark("M2", {"b"}), plain(),
                                  // two calls in one request: must stay atomic, never split up
                                  db_request{{db_call{&mark_delivered, {std::string("M1"), pg_text_array({"c"})}},
                                              db_call{&other, {}}}},
                                  // an array that is not ours: left alone
                                  db_request{{db_call{&mark_delivered, {std::string("M2"), std::string("{b}")}}}}};
  std::vector<const db_request*> batch;
  for (const auto& r : reqs)
    batch.push_back(&r);
  auto plan = merge_batch(batch);
  CHECK_FALSE(plan.any);
  CHECK(plan.run == batch);
}
