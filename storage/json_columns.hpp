// json_columns: the jsonb columns of the core broker's tables (groups,
// grants, profile, stats) to and from plain C++ values. Row mapping, not
// wire protocol: these shapes are our storage format. Pure functions.
// Malformed stored JSON maps to the empty value (never throws): a bad row
// must not take a mesh down.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace nexus::storage {

using group_list = std::vector<std::pair<std::string, std::optional<std::string>>>; ///< {name, role?}
using string_map = std::map<std::string, std::string>;
using number_map = std::map<std::string, int64_t>;

/// `[{"name":"a","role":"lead"},{"name":"b"}]`
group_list groups_from_json(const std::string& json);
std::string groups_to_json(const group_list& groups);

/// `{"<pubkey>":["dm","read"], ...}`; nullopt for `{}`-less / null / not an object.
std::optional<std::map<std::string, std::vector<std::string>>> grants_from_json(const std::string& json);

/// A JSON array of strings (a text[] selected as to_json, or a json_agg);
/// non-string elements are skipped, NULL / malformed / not an array → empty.
std::vector<std::string> strings_from_json_array(const std::optional<std::string>& json);

/// Flat objects of strings (profile; `capabilities` kept as a JSON array
/// text under its key) and of integers (cumulative stats).
string_map strings_from_json(const std::string& json);
std::string strings_to_json(const string_map& values);
number_map numbers_from_json(const std::string& json);
std::string numbers_to_json(const number_map& values);

} // namespace nexus::storage
