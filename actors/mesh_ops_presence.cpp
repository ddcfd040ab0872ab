// The presence side of streams, mesh_info and the clock (actors/mesh_ops.hpp):
// forward the frame to the mesh, write its reply; write the mesh's pushes.
#include "actors/mesh_ops.hpp"

#include "config/log.hpp"
#include "transport/frame_encoders_mesh_ops.hpp"
#include "transport/wire_codec.hpp"

#include <caf/all.hpp>

#include <utility>

namespace nexus {
namespace {

struct reply_encoder {
  const std::optional<std::string>& req_id;

  std::optional<std::string> operator()(std::monostate) const { return std::nullopt; }
  std::optional<std::string> operator()(const stream_created_frame& f) const {
    return wire::encode_stream_created(f);
  }
  std::optional<std::string> operator()(const subscribed_frame& f) const {
    return wire::encode_subscribed(f);
  }
  std::optional<std::string> operator()(const stream_list_frame& f) const {
    return wire::encode_stream_list(f);
  }
  std::optional<std::string> operator()(const mesh_info_result_frame& f) const {
    return wire::encode_mesh_info_result(f);
  }
  std::optional<std::string> operator()(const clock_status_frame& f) const {
    return wire::encode_clock_status(f);
  }
  std::optional<std::string> operator()(const mesh_op_error& e) const {
    return wire::encode_error(e.code, e.message, req_id);
  }
};

} // namespace

void handle_mesh_op(presence_actor_t* self, const mesh_op_frame& frame,
                    const std::optional<std::string>& req_id, std::function<void()> done) {
  auto& st = self->state;
  // Storage-backed ops (create_stream, list_streams, mesh_info) wait for one
  // storage round trip inside the mesh: allow the mesh that plus its queue.
  self->request(st.mesh, storage_timeout(st) * 2,
                mesh_op_request{st.me.presence_id, frame.request, req_id})
      .then(
          [self, req_id, done](mesh_op_reply& reply) {
            if (auto text = std::visit(reply_encoder{req_id}, reply.frame))
              self->state.sink->send(std::move(*text));
            done();
          },
          [self, req_id, done](caf::error& err) {
            auto& st = self->state;
            log::warn("presence") << st.mesh_id << ": mesh request failed: " << to_string(err);
            st.sink->send(wire::encode_error("unavailable", "broker busy, retry shortly", req_id));
            done();
          });
}

void push_stream_data(presence_actor_t* self, const stream_data_frame& f) {
  auto& st = self->state;
  if (st.phase == presence_phase::online)
    st.sink->send(wire::encode_stream_data(f));
}

void push_tick(presence_actor_t* self, const tick_push_frame& f) {
  auto& st = self->state;
  if (st.phase == presence_phase::online)
    st.sink->send(wire::encode_tick_push(f));
}

} // namespace nexus
