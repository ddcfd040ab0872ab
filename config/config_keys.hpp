// The table of configuration keys: the single place a key is declared.
#pragma once

#include "config/node_config.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace nexus::config {

enum class key_kind {
  text,      ///< free string
  choice,    ///< one of `choices` (|-separated)
  integer,   ///< int64 within [min, max]
  address,   ///< HOST:PORT
  path,      ///< filesystem path, `~` expanded
};

struct key_spec {
  const char* name;          ///< snake_case; env NEXUS_<NAME>, flag --<name-with-dashes>
  key_kind kind;
  std::string default_value; ///< as text, parsed like any other source
  const char* help;          ///< one line for --help
  int64_t min = 0;           ///< integer keys only
  int64_t max = 0;
  const char* choices = "";  ///< choice keys only
  bool secret = false;       ///< redacted by --print-config
  std::string node_config::*text_field = nullptr;
  int64_t node_config::*int_field = nullptr;
  listen_address node_config::*address_field = nullptr;
};

/// Every key, in --help order.
const std::vector<key_spec>& all_keys();

/// Key by snake_case name, or nullptr.
const key_spec* find_key(const std::string& name);

} // namespace nexus::config
