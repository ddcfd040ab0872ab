// Refuses a handshake signature that was already accepted recently
// (PROTOCOL.md §2.2 "Replay note", §11 item 14): the protocol has no server
// challenge, so a captured `hello`/`session_hello` would otherwise be
// accepted again for as long as its timestamp is within the skew window.
// Remembering every accepted signature for that long closes the hole for
// the common case without touching the wire protocol.
//
// Use: after check_hello/check_session_hello passed (so only signatures
// that verified are remembered — unverified junk cannot fill the guard),
// call check_and_remember(frame.signature, now_ms); false → reject with
// reject_replayed(kind) from actors/handshake.hpp, i.e. code `bad_signature`,
// message "hello rejected: replayed signature" (or "session_hello rejected:
// ..."), close 1008 `bad_signature`. Why bad_signature: the spec lists no
// replay code; a replayed signature is not a valid proof from this client;
// every client already handles it (SDK logs and reconnects with a fresh
// timestamp and signature, §10.1; the CLI treats it as a failed handshake);
// and the close reason stays within §1.6's list.
// Attestation signatures are NOT guarded: an attestation is meant to be
// reused for its whole TTL.
//
// Retention: a signature accepted at time t carries a timestamp in
// [t − skew, t + skew], so a replay passes the skew check until at most
// t + 2·skew. Entries are therefore kept for 2·skew_window_ms after they were
// first seen (inclusive), then forgotten.
//
// Bound: at most max_entries signatures. When full, the OLDEST entry is
// evicted to make room. Trade-off: under a flood of valid handshakes (only
// members can produce them) an evicted signature becomes replayable for the
// rest of its window; the alternative — refusing new handshakes when full —
// would let the same flood lock every client out. The oldest entry is also
// the one closest to expiry. Size it as peak handshakes/s × 2·skew.
//
// False positive: ed25519 is deterministic, so the same member key signing
// the same canonical string in the same millisecond (two processes of one
// member connecting at once) yields the same signature; the second is
// refused and reconnects with a new timestamp (§10.1 step 5).
//
// Signatures are compared case-insensitively (verification accepts either
// case, so "ABC…" must not slip past a remembered "abc…"). libsodium rejects
// non-canonical (malleable) ed25519 signatures, so a valid signature cannot
// be re-encoded into a different valid one.
//
// Thread-safety: a plain value; one actor owns it (per node — not shared
// across nodes). The clock is the caller's (wall-clock ms, the same one the
// skew check uses); a clock stepping back only delays forgetting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace nexus {

class replay_guard {
public:
  /// REQUIRES: skew_window_ms >= 0, max_entries >= 1.
  replay_guard(int64_t skew_window_ms, size_t max_entries);

  /// True (and remembered) when the signature was not seen in the last
  /// 2·skew_window_ms; false for a replay (the original sighting stays).
  bool check_and_remember(std::string_view signature_hex, int64_t now_ms);

  size_t size() const { return seen_.size(); }
  size_t max_entries() const { return max_entries_; }
  int64_t retention_ms() const { return retention_ms_; }

private:
  /// Forgets entries first seen more than retention_ms_ before now_ms.
  void expire(int64_t now_ms);
  /// Drops the oldest sighting (and its map entry if still current).
  void pop_oldest();

  struct sighting {
    std::string signature;  ///< lowercase hex
    int64_t seen_ms;
  };

  int64_t retention_ms_;
  size_t max_entries_;
  std::deque<sighting> order_;                    ///< insertion order; size ≤ max_entries_
  std::unordered_map<std::string, int64_t> seen_; ///< signature → its current seen_ms
};

} // namespace nexus
