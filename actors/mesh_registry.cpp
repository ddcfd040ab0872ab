#include "actors/mesh_registry.hpp"

#include "actors/broker_messages.hpp"
#include "actors/mesh_actor.hpp"
#include "actors/status.hpp"
#include "actors/storage_messages.hpp"
#include "config/log.hpp"
#include "storage/broker_sql.hpp"

#include <caf/all.hpp>

#include <map>

namespace nexus {
namespace {

struct registry_state {
  static inline const char* name = "mesh_registry";
  config::node_config cfg;
  metrics::node_metrics* metrics = nullptr;
  std::vector<caf::actor> storage;                 ///< the pool, routed like storage_pool::route
  std::map<std::string, caf::actor> meshes;
  std::map<caf::actor_addr, std::string> mesh_by_addr;
  std::map<std::string, std::vector<caf::typed_response_promise<caf::actor>>> loading;
  uint64_t handled = 0;
  int64_t last_activity_ms = 0;
};

using registry_actor_t = caf::stateful_actor<registry_state>;

const caf::actor& storage_for(registry_state& st, const std::string& mesh_id) {
  return st.storage[route_index(mesh_id, st.storage.size())];
}

void fail_waiters(registry_state& st, const std::string& mesh_id, const caf::error& err) {
  auto waiters = std::move(st.loading[mesh_id]);
  st.loading.erase(mesh_id);
  for (auto& rp : waiters)
    rp.deliver(err);
}

void load_mesh(registry_actor_t* self, const std::string& mesh_id) {
  auto& st = self->state;
  using namespace storage::broker_sql;
  db_request req{{db_call{&select_mesh, {mesh_id}}, db_call{&list_members, {mesh_id}}}};
  auto storage = storage_for(st, mesh_id);
  self->request(storage, std::chrono::milliseconds(st.cfg.storage_request_timeout_ms), std::move(req))
      .then(
          [=](db_reply& rows) {
            auto& st = self->state;
            if (rows.results.size() != 2 || rows.results[0].rows.empty()) {
              fail_waiters(st, mesh_id,
                           caf::make_error(caf::sec::invalid_argument, "no mesh " + mesh_id));
              return;
            }
            auto mesh = storage::mesh_from(rows.results[0], 0);
            std::vector<storage::member_row> members;
            for (size_t i = 0; i < rows.results[1].rows.size(); ++i) {
              auto m = storage::member_from(rows.results[1], i);
              if (!m.revoked())
                members.push_back(std::move(m));
            }
            auto actor = spawn_mesh(self->system(), st.cfg, std::move(mesh), std::move(members),
                                    storage, *st.metrics);
            self->link_to(actor);
            st.meshes[mesh_id] = actor;
            st.mesh_by_addr[actor.address()] = mesh_id;
            auto waiters = std::move(st.loading[mesh_id]);
            st.loading.erase(mesh_id);
            for (auto& rp : waiters)
              rp.deliver(actor);
            log::debug("registry") << "mesh " << mesh_id << " active";
          },
          [=](caf::error& err) { fail_waiters(self->state, mesh_id, err); });
}

caf::behavior registry(registry_actor_t* self, config::node_config cfg,
                       metrics::node_metrics* metrics) {
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.metrics = metrics;
  // A mesh actor that fails is forgotten (the next hello spawns it again);
  // the registry's own exit still takes every mesh with it (link).
  self->set_exit_handler([=](const caf::exit_msg& msg) {
    auto& st = self->state;
    auto it = st.mesh_by_addr.find(msg.source);
    if (it == st.mesh_by_addr.end()) {
      self->quit(msg.reason);
      return;
    }
    log::warn("registry") << "mesh actor " << it->second << " ended: " << to_string(msg.reason);
    st.meshes.erase(it->second);
    st.mesh_by_addr.erase(it);
  });
  return {
      [=](get_mesh_atom, const std::string& mesh_id) -> caf::result<caf::actor> {
        auto& st = self->state;
        ++st.handled;
        st.last_activity_ms = unix_now_ms();
        if (mesh_id.empty() || mesh_id.size() > mesh_id_bytes_max)
          return caf::make_error(caf::sec::invalid_argument, "no such mesh");
        if (st.storage.empty())
          return caf::make_error(caf::sec::request_timeout, "storage not ready");
        if (auto it = st.meshes.find(mesh_id); it != st.meshes.end())
          return it->second;
        auto rp = self->make_response_promise<caf::actor>();
        bool first = st.loading.find(mesh_id) == st.loading.end();
        st.loading[mesh_id].push_back(rp);
        if (first)
          load_mesh(self, mesh_id);
        return rp;
      },
      [=](storage_ready_atom, std::vector<caf::actor> storage) {
        self->state.storage = std::move(storage);
      },
      [=](status_atom) {
        auto& st = self->state;
        actor_status s;
        s.kind = "mesh_registry";
        s.id = "mesh_registry";
        s.mailbox = self->mailbox().size();
        s.handled = st.handled;
        s.last_activity_ms = st.last_activity_ms;
        s.figures = {{"meshes", static_cast<int64_t>(st.meshes.size())},
                     {"loading", static_cast<int64_t>(st.loading.size())}};
        return s;
      },
  };
}

} // namespace

caf::actor spawn_mesh_registry(caf::actor_system& sys, const config::node_config& cfg,
                               metrics::node_metrics& metrics) {
  return sys.spawn(registry, cfg, &metrics);
}

} // namespace nexus
