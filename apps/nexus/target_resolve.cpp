#include "apps/nexus/target_resolve.hpp"

#include <algorithm>
#include <cctype>

namespace nexus::cli {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool all_hex(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c); });
}

bool passes_through(const std::string& to) {
  return to == "*" || (!to.empty() && (to[0] == '@' || to[0] == '#'));
}

/// Matches keep one entry per routing key, in list order.
void add(std::vector<target_candidate>& out, const std::string& name, const std::string& pubkey) {
  if (std::none_of(out.begin(), out.end(), [&](const target_candidate& c) { return c.pubkey == pubkey; }))
    out.push_back({name, pubkey});
}

bool matches(const std::string& to, const std::string& name, const std::string& pubkey,
             const std::string& member_pubkey) {
  if (lower(name) == lower(to))
    return true;
  const std::string p = lower(to);
  return p.size() >= 4 && all_hex(p) &&
         (pubkey.rfind(p, 0) == 0 || member_pubkey.rfind(p, 0) == 0);
}

target_resolution decide(std::vector<target_candidate> hits) {
  target_resolution r;
  if (hits.size() == 1) {
    r.result = target_resolution::outcome::resolved;
    r.target = hits[0].pubkey;
    r.name = hits[0].name;
  } else if (hits.size() > 1) {
    r.result = target_resolution::outcome::ambiguous;
    r.candidates = std::move(hits);
  }
  return r;
}

} // namespace

bool needs_peer_list(const std::string& to) {
  return !passes_through(to) && !(to.size() == 64 && all_hex(to));
}

target_resolution resolve_target(const std::string& to, const std::vector<peer_entry>& live,
                                 const std::vector<known_peer>& known,
                                 const std::string& self_pubkey) {
  if (!needs_peer_list(to)) {
    target_resolution r;
    r.result = target_resolution::outcome::resolved;
    r.target = passes_through(to) ? to : lower(to);
    return r;
  }
  std::vector<target_candidate> hits;
  for (const auto& p : live)
    if (p.pubkey != self_pubkey && p.memberPubkey != self_pubkey &&
        matches(to, p.displayName, p.pubkey, p.memberPubkey))
      add(hits, p.displayName, p.pubkey);
  if (!hits.empty())
    return decide(std::move(hits));
  for (const auto& k : known)
    if (k.pubkey == k.member_pubkey && k.member_pubkey != self_pubkey &&
        matches(to, k.name, k.pubkey, k.member_pubkey))
      add(hits, k.name, k.member_pubkey);
  return decide(std::move(hits));
}

} // namespace nexus::cli
