// targetSpec classification (PROTOCOL.md §3.2), group matching for live
// fan-out (§3.5.2 with deviation §11 item 39) and the drain target set
// (§3.6 step 3). Pure, lexical string logic: no lookups, no validation of
// pubkeys or topic ids (unknown direct targets are rejected by the caller).
//
// Thread-safety: free functions over values; safe from any thread.
//
// Group hierarchy, one rule for both paths: the "ancestors" of a group name g
// are the prefixes of g that end right before a '/' (so "a/b/c" has "a" and
// "a/b"; "ab" has none; "a//b" has "a" and "a/"). A presence in g receives
// "@n" iff n == g or n is an ancestor of g, both at live fan-out
// (group_matches) and at drain time (drain_target_set): the two never
// disagree. Segments compare exactly and case-sensitively.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nexus {

/// The four classes of §3.2.
enum class target_class : uint8_t { broadcast, group, topic, direct };

struct classified_target {
  target_class kind;
  /// group: the name after '@' (may be empty for "@"); topic: the id after
  /// '#' (may be empty for "#"); direct: the whole spec; broadcast: the whole
  /// spec ("*" or "@all", stored verbatim). Views into the argument.
  std::string_view name;
};

/// §3.2, in this order: "*" broadcast, "@all" broadcast, "@<group>" group,
/// "#<topicId>" topic, anything else (including "") direct.
classified_target classify_target(std::string_view spec);

/// True iff a presence in group `presence_group` receives "@<target_group>":
/// exact match, or target_group is an ancestor of presence_group (item 39).
bool group_name_matches(std::string_view presence_group, std::string_view target_group);

/// Live group fan-out (§3.5.2 + item 39): any of the presence's groups matches.
bool group_matches(const std::vector<std::string>& presence_groups, std::string_view target_group);

/// §3.6 step 3, in this order, duplicates removed (first occurrence kept):
/// member_pubkey, "*", session_pubkey (when present and non-empty), "@all",
/// for each group g: "@g" then "@"+each ancestor (longest first), then
/// "#"+id for each topic id (ids are passed WITHOUT the '#').
std::vector<std::string> drain_target_set(std::string_view member_pubkey,
                                          std::optional<std::string_view> session_pubkey,
                                          const std::vector<std::string>& group_names,
                                          const std::vector<std::string>& topic_ids);

} // namespace nexus
