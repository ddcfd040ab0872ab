// Pure logic of storage errors: SQLSTATE mapping, secret scrubbing, and the
// caf::error "storage" category.
#include "actors/readiness_probe.hpp"
#include "actors/storage_messages.hpp"
#include "storage/sqlstate.hpp"

#include <caf/all.hpp>
#include <doctest/doctest.h>

using namespace nexus;
using storage::storage_errc;

TEST_CASE("SQLSTATE codes map to storage_errc") {
  CHECK(storage::errc_from_sqlstate("23505") == storage_errc::unique_violation);
  CHECK(storage::errc_from_sqlstate("23503") == storage_errc::constraint_violation); // FK
  CHECK(storage::errc_from_sqlstate("23502") == storage_errc::constraint_violation); // not null
  CHECK(storage::errc_from_sqlstate("23514") == storage_errc::constraint_violation); // check
  CHECK(storage::errc_from_sqlstate("40001") == storage_errc::serialization_failure);
  CHECK(storage::errc_from_sqlstate("40P01") == storage_errc::serialization_failure);
  CHECK(storage::errc_from_sqlstate("22P02") == storage_errc::invalid_input);
  CHECK(storage::errc_from_sqlstate("22001") == storage_errc::invalid_input);
  CHECK(storage::errc_from_sqlstate("08006") == storage_errc::connection_lost);
  CHECK(storage::errc_from_sqlstate("57P01") == storage_errc::connection_lost);
  CHECK(storage::errc_from_sqlstate("57P03") == storage_errc::connection_lost);
  CHECK(storage::errc_from_sqlstate("42P01") == storage_errc::query_failed);
  CHECK(storage::errc_from_sqlstate("57014") == storage_errc::query_failed);
  CHECK(storage::errc_from_sqlstate("") == storage_errc::query_failed);
  CHECK(storage::errc_from_sqlstate("235") == storage_errc::query_failed);
}

TEST_CASE("scrub_secret removes every occurrence of the password") {
  CHECK(storage::scrub_secret("password s3cret for s3cret", "s3cret") == "password *** for ***");
  CHECK(storage::scrub_secret("nothing here", "s3cret") == "nothing here");
  CHECK(storage::scrub_secret("keep", "") == "keep");
  CHECK(storage::scrub_secret("aaaa", "aa") == "******");
}

TEST_CASE("every storage_errc has a name") {
  for (int i = 0; i <= static_cast<int>(storage_errc::shutting_down); ++i)
    CHECK(std::string(storage::to_string(static_cast<storage_errc>(i))) != "unknown");
  CHECK(std::string(storage::to_string(storage_errc::connection_lost)) == "connection_lost");
}

TEST_CASE("storage errors round-trip through caf::error and render readably") {
  auto err = storage::make_error(storage_errc::unique_violation, "insert member");
  CHECK(storage_errc_of(err) == storage_errc::unique_violation);
  CHECK(storage_error_context(err) == "insert member");
  CHECK(storage_errc_of(caf::error{}) == storage_errc::none);
  CHECK(storage_errc_of(caf::make_error(caf::sec::request_timeout)) == storage_errc::none);

  caf::actor_system_config cfg;
  register_storage_errors(cfg);
  caf::actor_system sys{cfg};
  CHECK(sys.render(err) == "storage: unique_violation (insert member)");
  CHECK(sys.render(storage::make_error(storage_errc::unavailable)) == "storage: unavailable");
}

TEST_CASE("the readiness probe tells 'database down' from 'query failed'") {
  CHECK(probe_error_means_db_down(storage::make_error(storage_errc::connection_lost)));
  CHECK(probe_error_means_db_down(storage::make_error(storage_errc::unavailable)));
  CHECK(probe_error_means_db_down(caf::make_error(caf::sec::request_timeout)));
  CHECK_FALSE(probe_error_means_db_down(storage::make_error(storage_errc::query_failed)));
}
