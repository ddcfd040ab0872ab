#include "actors/connection_table.hpp"

#include "actors/target_spec.hpp"

#include <algorithm>

namespace nexus {
namespace {

const std::optional<grants_map>& grants_of(
    const std::map<std::string, std::optional<grants_map>>& grants_by_member,
    const std::string& member_id) {
  static const std::optional<grants_map> none;
  auto it = grants_by_member.find(member_id);
  return it == grants_by_member.end() ? none : it->second;
}

std::optional<std::string_view> session_of(const connection_entry& e) {
  if (e.session_pubkey.empty())
    return std::nullopt;
  return std::string_view(e.session_pubkey);
}

} // namespace

std::vector<std::string> connection_entry::group_names() const {
  std::vector<std::string> out;
  out.reserve(groups.size());
  for (const auto& g : groups)
    out.push_back(g.name);
  return out;
}

connection_entry* connection_table::find(const std::string& presence_id) {
  auto it = entries_.find(presence_id);
  return it == entries_.end() ? nullptr : &it->second;
}

const connection_entry* connection_table::find(const std::string& presence_id) const {
  auto it = entries_.find(presence_id);
  return it == entries_.end() ? nullptr : &it->second;
}

connection_entry* connection_table::reattach_candidate(bool via_session_hello,
                                                       const std::string& member_pubkey,
                                                       const std::string& session_pubkey,
                                                       const std::string& session_id) {
  for (auto& [id, e] : entries_) {
    if (via_session_hello) {
      if (!session_pubkey.empty() && e.session_pubkey == session_pubkey &&
          e.member_pubkey == member_pubkey)
        return &e;
      continue;
    }
    if (e.member_pubkey != member_pubkey)
      continue;
    bool both_keyed = !session_pubkey.empty() && !e.session_pubkey.empty();
    bool neither_keyed = session_pubkey.empty() && e.session_pubkey.empty();
    // Same member and same session key: the same client object reconnecting,
    // possibly before its old socket's close reached us — take it over.
    if (both_keyed && e.session_pubkey == session_pubkey)
      return &e;
    if (!e.online && neither_keyed && e.session_id == session_id)
      return &e;
  }
  return nullptr;
}

bool connection_table::session_pubkey_held_by_other(const std::string& session_pubkey,
                                                    const std::string& member_pubkey) const {
  if (session_pubkey.empty())
    return false;
  for (const auto& [id, e] : entries_)
    if (e.session_pubkey == session_pubkey && e.member_pubkey != member_pubkey)
      return true;
  return false;
}

std::vector<std::string> connection_table::same_session_id(const std::string& member_id,
                                                           const std::string& session_id) const {
  std::vector<std::string> out;
  for (const auto& [id, e] : entries_)
    if (e.member_id == member_id && e.session_id == session_id)
      out.push_back(id);
  return out;
}

void connection_table::index(const connection_entry& e) {
  by_key_[e.member_pubkey].insert(e.presence_id);
  if (!e.session_pubkey.empty())
    by_key_[e.session_pubkey].insert(e.presence_id);
}

void connection_table::unindex(const connection_entry& e) {
  for (const auto* key : {&e.member_pubkey, &e.session_pubkey}) {
    auto it = by_key_.find(*key);
    if (it == by_key_.end())
      continue;
    it->second.erase(e.presence_id);
    if (it->second.empty())
      by_key_.erase(it);
  }
}

void connection_table::insert(connection_entry e) {
  if (auto old = entries_.find(e.presence_id); old != entries_.end())
    unindex(old->second);
  index(e);
  std::string id = e.presence_id;
  entries_[id] = std::move(e);
}

uint64_t connection_table::detach(const std::string& presence_id, int64_t now_ms,
                                  int64_t grace_ms) {
  auto* e = find(presence_id);
  if (e == nullptr)
    return 0;
  e->online = false;
  e->lease_until_ms = now_ms + grace_ms;
  return ++e->epoch;
}

uint64_t connection_table::attach(const std::string& presence_id) {
  auto* e = find(presence_id);
  if (e == nullptr)
    return 0;
  e->online = true;
  e->lease_until_ms = 0;
  return ++e->epoch;
}

std::optional<connection_entry> connection_table::evict(const std::string& presence_id) {
  auto it = entries_.find(presence_id);
  if (it == entries_.end())
    return std::nullopt;
  unindex(it->second);
  auto e = std::move(it->second);
  entries_.erase(it);
  return e;
}

std::vector<const connection_entry*> connection_table::peers_for(
    const connection_entry& caller) const {
  std::vector<const connection_entry*> out;
  for (const auto& [id, e] : entries_)
    if (e.visible || e.member_id == caller.member_id)
      out.push_back(&e);
  std::sort(out.begin(), out.end(), [](const connection_entry* a, const connection_entry* b) {
    return a->connected_at_ms != b->connected_at_ms ? a->connected_at_ms < b->connected_at_ms
                                                    : a->presence_id < b->presence_id;
  });
  return out;
}

std::vector<std::string> connection_table::multicast_recipients(
    const connection_entry& sender, const std::optional<std::string>& group,
    const std::map<std::string, std::optional<grants_map>>& grants_by_member,
    size_t& dropped) const {
  std::vector<std::string> out;
  for (const auto& [id, e] : entries_) {
    if (!e.online || !e.visible || e.member_pubkey == sender.member_pubkey)
      continue;
    if (group && !group_matches(e.group_names(), *group))
      continue;
    if (!allowed(grants_of(grants_by_member, e.member_id), capability::broadcast,
                 sender.member_pubkey, session_of(sender))) {
      ++dropped;
      continue;
    }
    out.push_back(id);
  }
  return out;
}

direct_plan connection_table::plan_direct(
    const connection_entry& sender, const std::string& target,
    const std::optional<std::string>& target_member_id,
    const std::map<std::string, std::optional<grants_map>>& grants_by_member) const {
  direct_plan plan;
  std::vector<const connection_entry*> candidates;
  if (auto keyed = by_key_.find(target); keyed != by_key_.end())
    for (const auto& id : keyed->second)
      if (id != sender.presence_id)
        candidates.push_back(&entries_.at(id));
  bool own_key = target == sender.member_pubkey || target == sender.session_pubkey;
  if (candidates.empty() && (!target_member_id || own_key)) {
    plan.refusal = send_refusal::no_recipient;
    return plan;
  }
  plan.recipient_member_id =
      candidates.empty() ? *target_member_id : candidates.front()->member_id;
  if (!allowed(grants_of(grants_by_member, plan.recipient_member_id), capability::dm,
               sender.member_pubkey, session_of(sender))) {
    plan.refusal = send_refusal::blocked_by_grants;
    return plan;
  }
  for (const auto* e : candidates)
    if (e->online)
      plan.presence_ids.push_back(e->presence_id);
  return plan;
}

} // namespace nexus
