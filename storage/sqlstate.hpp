// sqlstate: pure mapping from PostgreSQL SQLSTATE codes to storage_errc, and
// scrubbing of secrets out of driver messages. No libpq here, so the rules can
// be unit-tested without a server.
//
// Free functions without state; safe to call from any thread.
#pragma once

#include "storage/pg_connection.hpp"

#include <string>
#include <string_view>

namespace nexus::storage {

/// Maps a five-character SQLSTATE to our error enum. Class 08 (connection
/// exception) and the 57P0x shutdown codes mean the session is gone, so they
/// map to connection_lost; anything unknown (or empty) is query_failed.
storage_errc errc_from_sqlstate(std::string_view sqlstate);

/// Replaces every occurrence of `secret` in `text` by "***". An empty secret
/// leaves the text unchanged.
std::string scrub_secret(std::string text, const std::string& secret);

} // namespace nexus::storage
