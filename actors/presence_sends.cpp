// The presence's send pipeline (spec §3.3, §3.4): up to send_pipeline_max
// sends of one connection are with the mesh at once, so a client writing
// many sends fills the group commit instead of waiting one commit per send;
// acks still go out in the order the sends arrived. No per-send CAF request
// timeout (each one is an entry in the clock thread's map and a wake-up):
// one sweep timer per connection answers a send the mesh has not answered
// by its deadline.
#include "actors/presence_state.hpp"
#include "actors/status.hpp"
#include "transport/frame_encoders.hpp"

#include <caf/all.hpp>

#include <algorithm>

namespace nexus {
namespace {

/// Writes the acks at the front that are answered; frees pipeline slots.
void write_ready_acks(presence_actor_t* self) {
  auto& st = self->state;
  bool freed = false;
  while (!st.sends.empty() && st.sends.front().ack) {
    const auto& ack = *st.sends.front().ack;
    if (!ack.queued && ack.id && !ack.id->empty()) // deviation 25
      st.sink->send(wire::encode_error("send_rejected", ack.error.value_or("rejected"), std::nullopt, ack.id));
    st.sink->send(wire::encode_send_ack(ack));
    st.sends.pop_front();
    freed = true;
  }
  if (freed)
    process_frames(self);
}

void answer(presence_actor_t* self, uint64_t seq, send_ack ack) {
  auto& st = self->state;
  if (st.sends.empty() || seq < st.sends.front().seq)
    return; // the sweep answered it already
  auto& slot = st.sends[seq - st.sends.front().seq];
  if (slot.ack)
    return;
  slot.ack = std::move(ack);
  write_ready_acks(self);
}

send_ack busy_ack(const std::string& id, const std::string& why) {
  send_ack ack;
  ack.id = id;
  ack.error = "broker busy, retry (" + why + ")";
  return ack;
}

void arm_sweep(presence_actor_t* self) {
  auto& st = self->state;
  if (st.send_sweep_queued || st.sends.empty())
    return;
  st.send_sweep_queued = true;
  int64_t due = st.sends.front().deadline_ms - unix_now_ms();
  self->delayed_send(self, std::chrono::milliseconds(std::max<int64_t>(due, 1)), send_sweep_atom::value);
}

} // namespace

bool send_order_allows(const presence_state& st, const wire::inbound& frame) {
  if (std::holds_alternative<send_frame>(frame.payload))
    return static_cast<int64_t>(st.sends.size()) < st.cfg->send_pipeline_max;
  return st.sends.empty(); // nothing overtakes a send
}

void start_send(presence_actor_t* self, send_frame frame) {
  auto& st = self->state;
  uint64_t seq = st.next_send_seq++;
  std::string id = frame.id.value_or("");
  st.sends.push_back({seq, id, unix_now_ms() + 2 * st.cfg->storage_request_timeout_ms, std::nullopt});
  arm_sweep(self);
  self->request(st.mesh, caf::infinite, send_request{st.me.presence_id, std::move(frame)})
      .then([=](send_ack& ack) { answer(self, seq, std::move(ack)); },
            [=](caf::error& err) { answer(self, seq, busy_ack(id, to_string(err))); });
}

void on_send_sweep(presence_actor_t* self) {
  auto& st = self->state;
  st.send_sweep_queued = false;
  int64_t now = unix_now_ms();
  for (auto& slot : st.sends) {
    if (slot.deadline_ms > now)
      break; // deadlines grow with seq
    if (!slot.ack)
      slot.ack = busy_ack(slot.id, "request_timeout");
  }
  write_ready_acks(self);
  arm_sweep(self);
}

} // namespace nexus
