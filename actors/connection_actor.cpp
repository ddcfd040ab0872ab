#include "actors/connection_actor.hpp"

#include "transport/wire_codec.hpp"

#include <caf/all.hpp>

#include <chrono>

namespace nexus {
namespace {

void touch(connection_state& st) {
  ++st.handled;
  st.last_activity_ms = unix_now_ms();
}

} // namespace

caf::behavior connection_actor(caf::stateful_actor<connection_state>* self,
                               std::shared_ptr<transport::frame_sink> sink,
                               transport::connection_info info) {
  self->state.sink = std::move(sink);
  self->state.info = std::move(info);
  self->state.last_activity_ms = unix_now_ms();
  return {
      // Spec §1.3: nothing but hello is understood before authentication,
      // and no_hello carries neither _reqId nor id (§1.5).
      [self](const wire::inbound& in) {
        auto& st = self->state;
        touch(st);
        ++st.frames_in;
        st.sink->consumed(1);
        auto* err = std::get_if<frame_error>(&in.payload);
        if (err != nullptr && in.type.empty()) // not even a frame (no type, too deep, ...)
          st.sink->send(wire::encode_error(*err, in.req_id));
        else
          st.sink->send(wire::encode_error("no_hello", "must send hello first"));
      },
      [self](const transport::connection_closed&) {
        touch(self->state);
        self->quit();
      },
      // Not counted as activity: the inspector asking is not the peer acting.
      [self](status_atom) {
        auto& st = self->state;
        actor_status s;
        s.kind = "connection";
        s.id = std::to_string(st.info.id);
        s.mailbox = self->mailbox().size();
        s.handled = st.handled;
        s.last_activity_ms = st.last_activity_ms;
        s.figures["frames_in"] = static_cast<int64_t>(st.frames_in);
        s.figures["remote_port"] = st.info.remote_port;
        return s;
      },
  };
}

transport::connection_factory make_connection_factory(caf::actor_system& sys) {
  return [&sys](std::shared_ptr<transport::frame_sink> sink,
                const transport::connection_info& info) -> caf::actor {
    return sys.spawn(connection_actor, std::move(sink), info);
  };
}

} // namespace nexus
