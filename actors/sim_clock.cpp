#include "actors/sim_clock.hpp"

#include <algorithm>
#include <cmath>

namespace nexus {

double clock_speed(std::optional<double> requested, clock_speed_bounds bounds) {
  bool positive = requested && !std::isnan(*requested) && *requested > 0;
  return std::clamp(positive ? *requested : 1.0, bounds.min, bounds.max);
}

sim_clock make_clock(double speed, int64_t now_ms) {
  sim_clock c;
  c.speed = speed;
  c.sim_time_ms = now_ms;
  c.started_at_ms = now_ms;
  return c;
}

std::chrono::microseconds tick_period(double speed) {
  if (!std::isfinite(speed) || speed <= 0)
    speed = 1; // never divide by 0; the bounds were applied by set_clock
  return std::chrono::microseconds(std::llround(static_cast<double>(sim_minute_ms) * 1000.0 / speed));
}

void advance(sim_clock& c) {
  ++c.tick;
  c.sim_time_ms += sim_minute_ms;
}

clock_status_frame clock_status_of(const std::optional<sim_clock>& c, int64_t now_ms) {
  clock_status_frame f;
  if (!c) {
    f.speed = 0;
    f.paused = true;
    f.simTime_ms = now_ms;
    f.startedAt_ms = now_ms;
    return f;
  }
  f.speed = c->speed;
  f.paused = c->paused;
  f.tick = c->tick;
  f.simTime_ms = c->sim_time_ms;
  f.startedAt_ms = c->started_at_ms;
  return f;
}

} // namespace nexus
