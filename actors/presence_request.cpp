#include "actors/presence_request.hpp"

#include "config/log.hpp"
#include "transport/wire_codec.hpp"

#include <caf/all.hpp>

namespace nexus {

void request_ctx::error(std::string_view code, std::string_view message) const {
  reply(wire::encode_error(code, message, req_id));
}

db_call request_ctx::audited(db_call mutation, std::string event, std::string payload) const {
  const auto& me = st().me;
  return nexus::audited(std::move(mutation), st().mesh_id,
                        {std::move(event), me.member_id, me.display_name, std::move(payload)});
}

void run(const request_ctx& c, db_request req, on_rows then) {
  auto& st = c.st();
  c.self->request(st.storage, storage_timeout(st), std::move(req))
      .then(
          [c, then](db_reply& rows) {
            then(c.self, rows);
            c.done();
          },
          [c](caf::error& err) {
            log::warn(c.area) << c.st().mesh_id << ": storage request failed: " << to_string(err);
            c.error("unavailable", "storage unavailable, retry shortly");
            c.done();
          });
}

} // namespace nexus
