#include "storage/sqlstate.hpp"

namespace nexus::storage {

storage_errc errc_from_sqlstate(std::string_view s) {
  if (s.size() != 5)
    return storage_errc::query_failed;
  const std::string_view cls = s.substr(0, 2);
  if (s == "23505")
    return storage_errc::unique_violation;
  if (cls == "23")
    return storage_errc::constraint_violation;
  if (s == "40001" || s == "40P01")
    return storage_errc::serialization_failure;
  if (cls == "22")
    return storage_errc::invalid_input;
  if (cls == "08")
    return storage_errc::connection_lost;
  // admin_shutdown (pg_terminate_backend, fast shutdown), crash_shutdown,
  // cannot_connect_now (server starting or stopping): the session is over.
  if (s == "57P01" || s == "57P02" || s == "57P03")
    return storage_errc::connection_lost;
  return storage_errc::query_failed;
}

std::string scrub_secret(std::string text, const std::string& secret) {
  if (secret.empty())
    return text;
  for (size_t pos = 0; (pos = text.find(secret, pos)) != std::string::npos;) {
    text.replace(pos, secret.size(), "***");
    pos += 3;
  }
  return text;
}

} // namespace nexus::storage
