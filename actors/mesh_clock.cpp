// The mesh side of the simulation clock (§5.8): set/pause/resume/get, the
// tick timer and the §4.7 `tick` push. The clock value is pure
// (actors/sim_clock.hpp); this file only drives it.
//
// Timing: one delayed_send per tick, aimed at an absolute due time
// (clock_next_due += period) rather than "period after the previous one",
// so a busy mailbox delays a tick but never makes the clock drift.
#include "actors/mesh_ops.hpp"

#include "actors/status.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace nexus {
namespace {

using steady = std::chrono::steady_clock;

void arm(mesh_actor_t* self, steady::duration delay) {
  self->delayed_send(self, std::max(delay, steady::duration::zero()), clock_tick_atom::value,
                     self->state.clock_generation);
}

/// (Re)starts the timer: the first tick one period from now.
void start_timer(mesh_actor_t* self) {
  auto& st = self->state;
  ++st.clock_generation; // retires any timer still in flight
  auto period = tick_period(st.clock->speed);
  st.clock_next_due = steady::now() + period;
  arm(self, period);
}

void stop_timer(mesh_actor_t* self) { ++self->state.clock_generation; }

mesh_op_reply status_reply(const mesh_state& st, const std::optional<std::string>& req_id) {
  auto f = clock_status_of(st.clock, unix_now_ms());
  f.req_id = req_id;
  return {std::move(f)};
}

mesh_op_reply no_clock() {
  return {mesh_op_error{"no_clock", "No clock running for this mesh"}};
}

} // namespace

mesh_op_reply handle_clock_op(mesh_actor_t* self, const mesh_op& op,
                              const std::optional<std::string>& req_id) {
  auto& st = self->state;
  if (const auto* f = std::get_if<set_clock_frame>(&op)) {
    auto speed = clock_speed(f->speed, {static_cast<double>(st.cfg.clock_speed_min),
                                        static_cast<double>(st.cfg.clock_speed_max)});
    if (st.clock)
      st.clock->speed = speed;
    else
      st.clock = make_clock(speed, unix_now_ms());
    if (!st.clock->paused)
      start_timer(self);
    return status_reply(st, req_id);
  }
  if (std::holds_alternative<pause_clock_frame>(op)) {
    if (!st.clock)
      return no_clock();
    st.clock->paused = true;
    stop_timer(self);
    return status_reply(st, req_id);
  }
  if (std::holds_alternative<resume_clock_frame>(op)) {
    if (!st.clock)
      return no_clock();
    st.clock->paused = false;
    start_timer(self);
    return status_reply(st, req_id);
  }
  return status_reply(st, req_id); // get_clock
}

void on_clock_tick(mesh_actor_t* self, uint64_t generation) {
  auto& st = self->state;
  if (generation != st.clock_generation || !st.clock || st.clock->paused)
    return;
  advance(*st.clock);
  tick_push_frame push;
  push.tick = st.clock->tick;
  push.simTime_ms = st.clock->sim_time_ms;
  push.speed = st.clock->speed;
  push.meshId = st.mesh_id;
  push.createdAt_ms = unix_now_ms();
  for (const auto& [id, presence] : st.presences) { // every connection that can receive it
    push.messageId = uuid_v4();
    self->send(presence, push);
  }
  st.clock_next_due += tick_period(st.clock->speed);
  arm(self, st.clock_next_due - steady::now());
}

void pause_clock_if_idle(mesh_actor_t* self) {
  auto& st = self->state;
  if (st.table.size() == 0 && st.clock && !st.clock->paused) {
    st.clock->paused = true;
    stop_timer(self);
  }
}

} // namespace nexus
