// The presence side of identity requests (actors/identity_ops.hpp): forward
// the frame with this connection's presence id, write the reply.
#include "actors/identity_ops.hpp"

#include "config/log.hpp"
#include "transport/frame_encoders_identity.hpp"
#include "transport/wire_codec.hpp"

#include <caf/all.hpp>

namespace nexus {
namespace {

struct reply_encoder {
  const std::optional<std::string>& req_id;

  std::optional<std::string> operator()(std::monostate) const { return std::nullopt; }
  std::optional<std::string> operator()(const mesh_created_frame& f) const { return wire::encode_mesh_created(f); }
  std::optional<std::string> operator()(const invite_created_frame& f) const { return wire::encode_invite_created(f); }
  std::optional<std::string> operator()(const invite_list_result_frame& f) const {
    return wire::encode_invite_list_result(f);
  }
  std::optional<std::string> operator()(const invite_revoked_frame& f) const { return wire::encode_invite_revoked(f); }
  std::optional<std::string> operator()(const member_list_result_frame& f) const {
    return wire::encode_member_list_result(f);
  }
  std::optional<std::string> operator()(const member_updated_frame& f) const { return wire::encode_member_updated(f); }
  std::optional<std::string> operator()(const mesh_policy_result_frame& f) const {
    return wire::encode_mesh_policy_result(f);
  }
  std::optional<std::string> operator()(const grants_result_frame& f) const { return wire::encode_grants_result(f); }
  std::optional<std::string> operator()(const kick_ack_frame& f) const { return wire::encode_kick_ack(f); }
  std::optional<std::string> operator()(const ban_ack_frame& f) const { return wire::encode_ban_ack(f); }
  std::optional<std::string> operator()(const unban_ack_frame& f) const { return wire::encode_unban_ack(f); }
  std::optional<std::string> operator()(const list_bans_result_frame& f) const {
    return wire::encode_list_bans_result(f);
  }
  std::optional<std::string> operator()(const identity_error& e) const {
    return wire::encode_error(e.code, e.message, req_id);
  }
};

} // namespace

void handle_identity(presence_actor_t* self, const identity_frame& frame,
                     const std::optional<std::string>& req_id, std::function<void()> done) {
  auto& st = self->state;
  caf::actor target = st.mesh;
  if (std::holds_alternative<create_mesh_frame>(frame.request)) // not about this mesh
    target = caf::actor_cast<caf::actor>(self->system().registry().get(identity_router_atom::value));
  if (!target) {
    st.sink->send(wire::encode_error("unavailable", "mesh creation is not available on this node", req_id));
    done();
    return;
  }
  // Some requests take two storage round trips (look up, then change).
  self->request(target, storage_timeout(st) * 3, identity_request{st.me.presence_id, frame.request, req_id})
      .then(
          [self, req_id, done](identity_reply& reply) {
            if (auto text = std::visit(reply_encoder{req_id}, reply.frame))
              self->state.sink->send(std::move(*text));
            done();
          },
          [self, req_id, done](caf::error& err) {
            auto& st = self->state;
            log::warn("presence") << st.mesh_id << ": identity request failed: " << to_string(err);
            st.sink->send(wire::encode_error("unavailable", "broker busy, retry shortly", req_id));
            done();
          });
}

} // namespace nexus
