#include "actors/target_spec.hpp"

#include <algorithm>

namespace nexus {

classified_target classify_target(std::string_view spec) {
  if (spec == "*" || spec == "@all") return {target_class::broadcast, spec};
  if (!spec.empty() && spec.front() == '@') return {target_class::group, spec.substr(1)};
  if (!spec.empty() && spec.front() == '#') return {target_class::topic, spec.substr(1)};
  return {target_class::direct, spec};
}

bool group_name_matches(std::string_view presence_group, std::string_view target_group) {
  if (presence_group == target_group) return true;
  // Ancestor: target is a prefix of the presence group and the next character
  // is the separator, so "ab" never matches "@a" but "a/b" does.
  return presence_group.size() > target_group.size() &&
         presence_group.compare(0, target_group.size(), target_group) == 0 &&
         presence_group[target_group.size()] == '/';
}

bool group_matches(const std::vector<std::string>& presence_groups,
                   std::string_view target_group) {
  return std::any_of(presence_groups.begin(), presence_groups.end(),
                     [&](const std::string& g) { return group_name_matches(g, target_group); });
}

namespace {

void push_unique(std::vector<std::string>& out, std::string value) {
  if (std::find(out.begin(), out.end(), value) == out.end()) out.push_back(std::move(value));
}

} // namespace

std::vector<std::string> drain_target_set(std::string_view member_pubkey,
                                          std::optional<std::string_view> session_pubkey,
                                          const std::vector<std::string>& group_names,
                                          const std::vector<std::string>& topic_ids) {
  std::vector<std::string> out;
  push_unique(out, std::string(member_pubkey));
  push_unique(out, "*");
  if (session_pubkey && !session_pubkey->empty()) push_unique(out, std::string(*session_pubkey));
  push_unique(out, "@all");
  for (const std::string& g : group_names) {
    push_unique(out, "@" + g);
    // Every prefix ending right before a '/', longest first.
    for (std::size_t end = g.size(); end-- > 0;)
      if (g[end] == '/') push_unique(out, "@" + g.substr(0, end));
  }
  for (const std::string& t : topic_ids) push_unique(out, "#" + t);
  return out;
}

} // namespace nexus
