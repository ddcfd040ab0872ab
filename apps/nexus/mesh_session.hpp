// mesh_session: a command's connection to its mesh — the CLI as a remote
// actor client. It runs a small actor system, spawns the broker_link for
// the selected mesh (client/broker_link.hpp) and lets the command's thread
// ask it typed requests and block for typed replies. Pushes that arrive
// meanwhile queue in the session's mailbox; whatever a command does not
// show itself is kept in the mesh's inbox file for `nexus inbox`.
//
// Status and summary kept in mesh.json are re-applied on every hello_ack
// the session sees, so they survive between commands.
//
// Not thread-safe: one per command, used from the command's thread.
#pragma once

#include "apps/nexus/commands.hpp"
#include "apps/nexus/home.hpp"
#include "client/broker_link.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nexus::cli {

class mesh_session {
public:
  /// Loads the identity and the selected mesh, then starts connecting.
  explicit mesh_session(context& ctx);
  /// Flushes what is queued, closes, and stores unshown messages.
  ~mesh_session();

  const mesh_record& mesh() const { return mesh_; }
  const identity& me() const { return me_; }
  const client::broker_url& url() const { return url_; }
  /// Our routing pubkey (the member key: the CLI declares no session key).
  const std::string& routing_pubkey() const { return me_.pubkey_hex; }

  /// Sends `op` and blocks until its reply; throws cli_error mapping the
  /// failure to an exit code (timeout/not connected → 3, denied or
  /// not_found-like broker codes → 4, other refusals → 1).
  client::link_reply call(client::link_op op);
  template <class T>
  T expect(client::link_op op) {
    auto r = call(std::move(op));
    if (auto* v = r.get<T>())
      return *v;
    throw_unexpected();
  }

  /// Messages received so far plus those arriving within `wait_ms` — the
  /// wait ends early once at least one message is there (wait_ms 0: none).
  std::vector<client::inbound_message> collect(int64_t wait_ms);

  /// The peers list, also cached in peers.json for offline name lookups.
  std::vector<peer_entry> peers();

private:
  [[noreturn]] void throw_unexpected();
  void shutdown();
  void pump(int64_t wait_ms);
  void on_state(const client::link_state& s);
  void store_unshown();

  context& ctx_;
  mesh_record mesh_;
  identity me_;
  client::broker_url url_;
  std::unique_ptr<caf::actor_system_config> cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  std::unique_ptr<caf::scoped_actor> self_;
  client::broker_link link_;
  std::vector<client::inbound_message> received_;
  bool applied_presence_ = false;
};

/// The broker URL for `mesh`: --broker, else the mesh's, else config.json's,
/// else ws://127.0.0.1:7900/ws. Throws cli_error (exit 2) when malformed.
client::broker_url broker_for(const context& ctx, const mesh_record* mesh);

} // namespace nexus::cli
