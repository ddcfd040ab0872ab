#include "actors/status_engine.hpp"

namespace nexus {

bool is_fresh(int64_t updated_at_ms, int64_t now_ms, int64_t fresh_window_ms) {
  const int64_t elapsed_ms = now_ms - updated_at_ms;
  return elapsed_ms >= 0 && elapsed_ms <= fresh_window_ms;
}

write_outcome write_status(presence_status& p, peer_status new_status, status_source source,
                           int64_t now_ms, int64_t fresh_window_ms) {
  if (new_status != p.status) { // rule 1: a different status always wins
    p = presence_status{new_status, source, now_ms};
    return write_outcome::status_changed;
  }
  if (rank(source) >= rank(p.source)) { // rule 2
    p.source = source;
    p.updated_at_ms = now_ms;
    return write_outcome::source_refreshed;
  }
  // rule 3: a weaker source repeats what a stronger one said. While the
  // stronger report is fresh it keeps ownership; once stale the weaker one
  // takes over so the source reflects who actually still vouches for it.
  if (is_fresh(p.updated_at_ms, now_ms, fresh_window_ms)) {
    p.updated_at_ms = now_ms;
    return write_outcome::timestamp_bumped;
  }
  p.source = source;
  p.updated_at_ms = now_ms;
  return write_outcome::downgraded;
}

std::optional<write_outcome> write_hook_status(presence_status& p, peer_status new_status,
                                               int64_t now_ms, int64_t fresh_window_ms) {
  if (p.status == peer_status::dnd) return std::nullopt; // DND is sacred
  return write_status(p, new_status, status_source::hook, now_ms, fresh_window_ms);
}

bool sweep_working_ttl(presence_status& p, int64_t now_ms, int64_t working_ttl_ms) {
  if (p.status != peer_status::working || now_ms - p.updated_at_ms <= working_ttl_ms)
    return false;
  // Status differs (working → idle), so rule 1 applies and the window is moot.
  write_status(p, peer_status::idle, status_source::jsonl, now_ms, 0);
  return true;
}

drain_status effective_status_for_drain(presence_status& p, int64_t now_ms,
                                        int64_t fresh_window_ms) {
  if (p.status == peer_status::dnd) return {peer_status::dnd, false};
  if (p.source == status_source::hook && is_fresh(p.updated_at_ms, now_ms, fresh_window_ms))
    return {p.status, false};
  // Inference: the broker is not co-located with its peers' transcripts, so
  // it always infers idle (§11 item 40).
  constexpr peer_status inferred = peer_status::idle;
  write_status(p, inferred, status_source::jsonl, now_ms, fresh_window_ms);
  return {inferred, true};
}

bool deliverable(message_priority priority, peer_status status) {
  return status == peer_status::idle || priority == message_priority::now;
}

std::string_view to_string(peer_status s) {
  switch (s) {
    case peer_status::idle: return "idle";
    case peer_status::working: return "working";
    case peer_status::dnd: return "dnd";
  }
  return "idle";
}

std::string_view to_string(status_source s) {
  switch (s) {
    case status_source::jsonl: return "jsonl";
    case status_source::manual: return "manual";
    case status_source::hook: return "hook";
  }
  return "jsonl";
}

std::string_view to_string(message_priority p) {
  switch (p) {
    case message_priority::now: return "now";
    case message_priority::next: return "next";
    case message_priority::low: return "low";
  }
  return "next";
}

std::optional<peer_status> parse_peer_status(std::string_view s) {
  if (s == "idle") return peer_status::idle;
  if (s == "working") return peer_status::working;
  if (s == "dnd") return peer_status::dnd;
  return std::nullopt;
}

std::optional<status_source> parse_status_source(std::string_view s) {
  if (s == "jsonl") return status_source::jsonl;
  if (s == "manual") return status_source::manual;
  if (s == "hook") return status_source::hook;
  return std::nullopt;
}

std::optional<message_priority> parse_priority(std::string_view s) {
  if (s == "now") return message_priority::now;
  if (s == "next") return message_priority::next;
  if (s == "low") return message_priority::low;
  return std::nullopt;
}

} // namespace nexus
