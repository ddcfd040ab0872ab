// sim_clock: the per-mesh simulation clock of PROTOCOL.md §5.8 as a pure
// value — speed rules, tick period, one tick's advance and the clock_status
// it reports. The mesh actor owns one (actors/mesh_clock.cpp) and drives it
// with delayed_send timers; nothing here knows about actors or time sources.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include "transport/frames_mesh_ops.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace nexus {

/// Each tick is one simulated minute and comes every 60 000 / speed real ms.
inline constexpr int64_t sim_minute_ms = 60'000;

/// The speed clamp: §5.8's [1, 100] unless configured otherwise
/// (clock_speed_min, clock_speed_max). REQUIRES: 0 < min <= max.
struct clock_speed_bounds {
  double min = 1;
  double max = 100;
};

struct sim_clock {
  double speed = 1;
  bool paused = false;
  int64_t tick = 0;
  int64_t sim_time_ms = 0;
  int64_t started_at_ms = 0;
};

/// set_clock's speed: Number(speed), or 1 when that is not a positive
/// number (absent, NaN, ≤ 0), then clamped to [bounds.min, bounds.max].
double clock_speed(std::optional<double> requested, clock_speed_bounds bounds = {});

/// A fresh clock (tick 0, simTime = startedAt = now, running).
sim_clock make_clock(double speed, int64_t now_ms);

/// Real time between two ticks at `speed` (microseconds, so speeds like 7
/// do not drift by a rounded millisecond per tick). A speed that is not a
/// finite positive number counts as 1 (never a division by zero).
std::chrono::microseconds tick_period(double speed);

/// One timer tick: tick += 1, simTime += one simulated minute.
void advance(sim_clock& c);

/// clock_status for `c`, or get_clock's defaults without a clock
/// ({speed 0, paused, tick 0, simTime = startedAt = now}).
clock_status_frame clock_status_of(const std::optional<sim_clock>& c, int64_t now_ms);

} // namespace nexus
