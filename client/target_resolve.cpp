#include "client/target_resolve.hpp"

#include <algorithm>
#include <cctype>

namespace nexus::client {
namespace {

/// Shorter hex is too likely to fit several keys by chance to mean one.
constexpr std::size_t key_prefix_chars_min = 4;
constexpr std::size_t key_hex_chars = 64;

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

/// One searchable peer, live or remembered.
struct searchable {
  const std::string& name;
  const std::string& routing; ///< what a message to it is addressed to
  const std::string& member;
};

/// Matches keep one entry per routing key, in list order: several sessions
/// of one routing key are one recipient.
void add(std::vector<target_candidate>& out, const searchable& p) {
  if (std::none_of(out.begin(), out.end(), [&](const target_candidate& c) { return c.pubkey == p.routing; }))
    out.push_back({p.name, p.routing});
}

/// Exact names if any, else key prefixes.
std::vector<target_candidate> search(const std::string& to, const std::vector<searchable>& peers,
                                     const std::string& self_pubkey) {
  const std::string want = lower(to);
  const bool prefix = want.size() >= key_prefix_chars_min && all_hex(want);
  std::vector<target_candidate> by_name, by_prefix;
  for (const auto& p : peers) {
    if (p.routing == self_pubkey || p.member == self_pubkey)
      continue;
    if (lower(p.name) == want)
      add(by_name, p);
    else if (prefix && (p.routing.rfind(want, 0) == 0 || p.member.rfind(want, 0) == 0))
      add(by_prefix, p);
  }
  return by_name.empty() ? by_prefix : by_name;
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
  return !to.empty() && !passes_through(to) && !(to.size() == key_hex_chars && all_hex(to));
}

target_resolution resolve_target(const std::string& to, const std::vector<peer_entry>& live,
                                  const std::vector<known_peer>& known,
                                  const std::string& self_pubkey) {
  if (to.empty())
    return {};
  if (!needs_peer_list(to)) {
    target_resolution r;
    r.result = target_resolution::outcome::resolved;
    r.target = passes_through(to) ? to : lower(to);
    return r;
  }
  std::vector<searchable> peers;
  for (const auto& p : live)
    peers.push_back({p.displayName, p.pubkey, p.memberPubkey});
  auto hits = search(to, peers, self_pubkey);
  if (!hits.empty())
    return decide(std::move(hits));
  // Offline peers that route by member key still receive (queued) messages;
  // one routing by a session key would not, so it is not offered.
  peers.clear();
  for (const auto& k : known)
    if (k.pubkey == k.member_pubkey)
      peers.push_back({k.name, k.member_pubkey, k.member_pubkey});
  return decide(search(to, peers, self_pubkey));
}

} // namespace nexus::client
