// PROTOCOL.md §4.2 (writeStatus and its writers) and §3.6 steps 1–2 (drain
// status refresh and priority gating), one case per rule.
#include "actors/status_engine.hpp"

#include <doctest/doctest.h>

using namespace nexus;

namespace {

constexpr int64_t fresh_ms = 30'000;
constexpr int64_t ttl_ms = 60'000;
constexpr int64_t t0 = 1'700'000'000'000;

presence_status make(peer_status s, status_source src, int64_t at) { return {s, src, at}; }

void check_is(const presence_status& p, peer_status s, status_source src, int64_t at) {
  CHECK(p.status == s);
  CHECK(p.source == src);
  CHECK(p.updated_at_ms == at);
}

} // namespace

TEST_CASE("status_engine: source ranks are hook 3 > manual 2 > jsonl 1") {
  CHECK(rank(status_source::hook) == 3);
  CHECK(rank(status_source::manual) == 2);
  CHECK(rank(status_source::jsonl) == 1);
  presence_status fresh_presence;
  check_is(fresh_presence, peer_status::idle, status_source::jsonl, 0);
}

TEST_CASE("status_engine: freshness is 0 <= elapsed <= window, both edges inclusive") {
  CHECK(is_fresh(t0, t0, fresh_ms));                // elapsed 0
  CHECK(is_fresh(t0, t0 + fresh_ms, fresh_ms));     // exactly the window
  CHECK_FALSE(is_fresh(t0, t0 + fresh_ms + 1, fresh_ms));
  CHECK_FALSE(is_fresh(t0, t0 - 1, fresh_ms));      // negative elapsed
  CHECK(is_fresh(t0, t0, 0));
  CHECK_FALSE(is_fresh(t0, t0 + 1, 0));
}

TEST_CASE("status_engine rule 1: a different status always wins, whatever the rank") {
  auto p = make(peer_status::working, status_source::hook, t0);
  CHECK(write_status(p, peer_status::idle, status_source::jsonl, t0 + 1, fresh_ms) ==
        write_outcome::status_changed);
  check_is(p, peer_status::idle, status_source::jsonl, t0 + 1);
}

TEST_CASE("status_engine rule 2: same status, equal rank sets source and timestamp") {
  auto p = make(peer_status::working, status_source::manual, t0);
  CHECK(write_status(p, peer_status::working, status_source::manual, t0 + 5, fresh_ms) ==
        write_outcome::source_refreshed);
  check_is(p, peer_status::working, status_source::manual, t0 + 5);
}

TEST_CASE("status_engine rule 2: same status, higher rank takes the source") {
  auto p = make(peer_status::idle, status_source::jsonl, t0);
  CHECK(write_status(p, peer_status::idle, status_source::hook, t0 + 7, fresh_ms) ==
        write_outcome::source_refreshed);
  check_is(p, peer_status::idle, status_source::hook, t0 + 7);
}

TEST_CASE("status_engine rule 3: lower rank, same status, fresh → timestamp only") {
  SUBCASE("elapsed 0") {
    auto p = make(peer_status::working, status_source::hook, t0);
    CHECK(write_status(p, peer_status::working, status_source::manual, t0, fresh_ms) ==
          write_outcome::timestamp_bumped);
    check_is(p, peer_status::working, status_source::hook, t0);
  }
  SUBCASE("elapsed exactly the window") {
    auto p = make(peer_status::working, status_source::hook, t0);
    CHECK(write_status(p, peer_status::working, status_source::jsonl, t0 + fresh_ms, fresh_ms) ==
          write_outcome::timestamp_bumped);
    check_is(p, peer_status::working, status_source::hook, t0 + fresh_ms);
  }
}

TEST_CASE("status_engine rule 3: lower rank, same status, stale → honest downgrade") {
  SUBCASE("one ms past the window") {
    auto p = make(peer_status::idle, status_source::hook, t0);
    CHECK(write_status(p, peer_status::idle, status_source::jsonl, t0 + fresh_ms + 1, fresh_ms) ==
          write_outcome::downgraded);
    check_is(p, peer_status::idle, status_source::jsonl, t0 + fresh_ms + 1);
  }
  SUBCASE("negative elapsed is not fresh") {
    auto p = make(peer_status::idle, status_source::manual, t0);
    CHECK(write_status(p, peer_status::idle, status_source::jsonl, t0 - 1, fresh_ms) ==
          write_outcome::downgraded);
    check_is(p, peer_status::idle, status_source::jsonl, t0 - 1);
  }
}

TEST_CASE("status_engine hook writer: DND is sacred") {
  auto p = make(peer_status::dnd, status_source::manual, t0);
  CHECK_FALSE(write_hook_status(p, peer_status::idle, t0 + 1, fresh_ms).has_value());
  CHECK_FALSE(write_hook_status(p, peer_status::dnd, t0 + 2, fresh_ms).has_value());
  check_is(p, peer_status::dnd, status_source::manual, t0);
}

TEST_CASE("status_engine hook writer: otherwise writeStatus with source hook") {
  auto p = make(peer_status::idle, status_source::manual, t0);
  auto r = write_hook_status(p, peer_status::working, t0 + 3, fresh_ms);
  REQUIRE(r.has_value());
  CHECK(*r == write_outcome::status_changed);
  check_is(p, peer_status::working, status_source::hook, t0 + 3);
  r = write_hook_status(p, peer_status::dnd, t0 + 4, fresh_ms); // a hook may set dnd
  REQUIRE(r.has_value());
  check_is(p, peer_status::dnd, status_source::hook, t0 + 4);
}

TEST_CASE("status_engine TTL sweep: working older than the TTL becomes idle via jsonl") {
  auto p = make(peer_status::working, status_source::hook, t0);
  CHECK_FALSE(sweep_working_ttl(p, t0 + ttl_ms, ttl_ms)); // exactly the TTL: not older
  check_is(p, peer_status::working, status_source::hook, t0);
  CHECK(sweep_working_ttl(p, t0 + ttl_ms + 1, ttl_ms));
  check_is(p, peer_status::idle, status_source::jsonl, t0 + ttl_ms + 1);
}

TEST_CASE("status_engine TTL sweep: idle and dnd are never swept") {
  auto idle = make(peer_status::idle, status_source::manual, t0);
  auto dnd = make(peer_status::dnd, status_source::manual, t0);
  CHECK_FALSE(sweep_working_ttl(idle, t0 + 10 * ttl_ms, ttl_ms));
  CHECK_FALSE(sweep_working_ttl(dnd, t0 + 10 * ttl_ms, ttl_ms));
  check_is(idle, peer_status::idle, status_source::manual, t0);
  check_is(dnd, peer_status::dnd, status_source::manual, t0);
}

TEST_CASE("status_engine drain step 1: dnd stays dnd and is not written") {
  auto p = make(peer_status::dnd, status_source::jsonl, t0);
  auto d = effective_status_for_drain(p, t0 + 10 * fresh_ms, fresh_ms);
  CHECK(d.effective == peer_status::dnd);
  CHECK_FALSE(d.written);
  check_is(p, peer_status::dnd, status_source::jsonl, t0);
}

TEST_CASE("status_engine drain step 1: a fresh hook status is kept (edges 0 and window)") {
  for (int64_t elapsed : {int64_t{0}, fresh_ms}) {
    auto p = make(peer_status::working, status_source::hook, t0);
    auto d = effective_status_for_drain(p, t0 + elapsed, fresh_ms);
    CHECK(d.effective == peer_status::working);
    CHECK_FALSE(d.written);
    check_is(p, peer_status::working, status_source::hook, t0);
  }
}

TEST_CASE("status_engine drain step 1: a stale hook status is inferred idle via jsonl") {
  auto p = make(peer_status::working, status_source::hook, t0);
  auto d = effective_status_for_drain(p, t0 + fresh_ms + 1, fresh_ms);
  CHECK(d.effective == peer_status::idle);
  CHECK(d.written);
  check_is(p, peer_status::idle, status_source::jsonl, t0 + fresh_ms + 1);
}

TEST_CASE("status_engine drain step 1: a hook timestamp in the future is not fresh") {
  auto p = make(peer_status::working, status_source::hook, t0);
  auto d = effective_status_for_drain(p, t0 - 1, fresh_ms);
  CHECK(d.effective == peer_status::idle);
  check_is(p, peer_status::idle, status_source::jsonl, t0 - 1);
}

TEST_CASE("status_engine drain step 1: manual working is overwritten even when recent") {
  auto p = make(peer_status::working, status_source::manual, t0);
  auto d = effective_status_for_drain(p, t0, fresh_ms);
  CHECK(d.effective == peer_status::idle);
  CHECK(d.written);
  check_is(p, peer_status::idle, status_source::jsonl, t0);
}

TEST_CASE("status_engine drain step 1: recent manual idle keeps its source (rule 3 bump)") {
  auto p = make(peer_status::idle, status_source::manual, t0);
  auto d = effective_status_for_drain(p, t0 + 10, fresh_ms);
  CHECK(d.effective == peer_status::idle);
  CHECK(d.written);
  check_is(p, peer_status::idle, status_source::manual, t0 + 10);
}

TEST_CASE("status_engine drain step 2: idle takes now/next/low, working and dnd only now") {
  for (auto pr : {message_priority::now, message_priority::next, message_priority::low})
    CHECK(deliverable(pr, peer_status::idle));
  for (auto st : {peer_status::working, peer_status::dnd}) {
    CHECK(deliverable(message_priority::now, st));
    CHECK_FALSE(deliverable(message_priority::next, st));
    CHECK_FALSE(deliverable(message_priority::low, st));
  }
}

TEST_CASE("status_engine: enum strings round-trip and bad input is rejected") {
  for (auto s : {peer_status::idle, peer_status::working, peer_status::dnd})
    CHECK(parse_peer_status(to_string(s)) == s);
  for (auto s : {status_source::jsonl, status_source::manual, status_source::hook})
    CHECK(parse_status_source(to_string(s)) == s);
  for (auto p : {message_priority::now, message_priority::next, message_priority::low})
    CHECK(parse_priority(to_string(p)) == p);
  CHECK(to_string(peer_status::working) == "working");
  CHECK(to_string(message_priority::low) == "low");
  CHECK(to_string(status_source::hook) == "hook");
  CHECK_FALSE(parse_peer_status("Idle").has_value());
  CHECK_FALSE(parse_peer_status("").has_value());
  CHECK_FALSE(parse_peer_status("busy").has_value());
  CHECK_FALSE(parse_priority("NOW").has_value());
  CHECK_FALSE(parse_priority("urgent").has_value());
  CHECK_FALSE(parse_status_source("auto").has_value());
}
