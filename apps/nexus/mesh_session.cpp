#include "apps/nexus/mesh_session.hpp"

#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/inbox_store.hpp"
#include "apps/nexus/output.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <set>

namespace nexus::cli {
namespace {

constexpr const char* default_broker = "ws://127.0.0.1:7900/ws";

/// Broker error codes that mean "no such thing" or "not allowed" (exit 4).
bool not_found_code(const std::string& code) {
  static const std::set<std::string> codes = {"not_found", "task_not_found", "forbidden",
                                              "unauthorized", "revoked", "banned", "kicked",
                                              "peer_not_found"};
  return codes.count(code) > 0;
}

} // namespace

client::broker_url broker_for(const context& ctx, const mesh_record* mesh) {
  std::string text = ctx.global.broker.value_or("");
  if (text.empty() && mesh)
    text = mesh->broker;
  if (text.empty() && ctx.home.initialised())
    text = ctx.home.load_config().broker;
  if (text.empty())
    text = default_broker;
  std::string error;
  auto url = client::parse_broker_url(text, &error);
  if (!url)
    throw cli_error(exit_usage, "bad broker URL " + error, "use --broker ws://HOST:PORT/ws");
  return *url;
}

mesh_session::mesh_session(context& ctx) : ctx_(ctx) {
  me_ = ctx.home.load_identity();
  mesh_ = ctx.home.select_mesh(ctx.global.mesh);
  url_ = broker_for(ctx, &mesh_);
  cfg_ = std::make_unique<caf::actor_system_config>();
  cfg_->set("scheduler.max-threads", 2);
  cfg_->set("logger.verbosity", caf::atom("quiet"));
  sys_ = std::make_unique<caf::actor_system>(*cfg_);
  self_ = std::make_unique<caf::scoped_actor>(*sys_);
  client::link_config lc;
  lc.url = url_;
  lc.identity.mesh_id = mesh_.mesh_id;
  lc.identity.member_id = mesh_.member_id;
  lc.identity.member_pubkey = me_.pubkey_hex;
  lc.identity.member_secret = me_.secret;
  lc.identity.display_name = mesh_.display_name;
  lc.settings = ctx.settings;
  lc.subscribers = {caf::actor_cast<caf::actor>(*self_)};
  link_ = client::spawn_broker_link(*sys_, std::move(lc));
  // The status and summary this home keeps are the person's, not this
  // process's: they go first on every connection.
  try {
    if (!mesh_.status.empty())
      call(client::presence_op{set_status_frame{mesh_.status}});
    if (!mesh_.summary.empty())
      call(client::presence_op{set_summary_frame{mesh_.summary}});
  } catch (...) {
    shutdown(); // ~actor_system would wait for the link forever
    throw;
  }
}

mesh_session::~mesh_session() {
  shutdown();
}

void mesh_session::shutdown() {
  if (!sys_)
    return;
  try {
    (*self_)->request(link_, std::chrono::milliseconds(ctx_.settings.connect_timeout_ms * 2),
                      client::link_stop_atom::value)
        .receive([](bool) {}, [](caf::error&) {});
    pump(0);
    store_unshown();
  } catch (...) {
    // Never throw from here (a destructor calls it); the messages are lost
    // to the inbox file only, the broker recorded them delivered already.
  }
  self_.reset();
  link_ = nullptr;
  sys_.reset();
}

void mesh_session::store_unshown() {
  inbox_append(ctx_.home, mesh_.mesh_id, received_, ctx_.settings.inbox_messages_max);
  received_.clear();
}

client::link_reply mesh_session::call(client::link_op op) {
  spinner spin("waiting for " + url_.ws_url());
  client::link_reply reply{client::link_failure{client::link_errc::not_connected, "", "no reply"}};
  (*self_)->request(link_, caf::infinite, client::link_request{std::move(op)})
      .receive([&](client::link_reply& r) { reply = std::move(r); },
               [&](caf::error& e) {
                 reply.result = client::link_failure{client::link_errc::not_connected, "",
                                                     "the link failed: " + to_string(e)};
               });
  const auto* f = reply.failure();
  if (!f)
    return reply;
  using client::link_errc;
  switch (f->code) {
    case link_errc::timeout:
    case link_errc::not_connected:
      throw cli_error(exit_not_connected, f->message,
                      "is the broker at " + url_.ws_url() + " running? nexus doctor checks");
    case link_errc::denied:
      throw cli_error(exit_not_found, "the broker refused this identity: " + f->message,
                      "this home's key is not (or no longer) a member of mesh " + mesh_.mesh_name);
    case link_errc::invalid:
      throw cli_error(exit_usage, f->message);
    case link_errc::rejected:
      break;
  }
  throw cli_error(not_found_code(f->broker_code) ? exit_not_found : exit_failure,
                  f->broker_code.empty() ? f->message : f->broker_code + ": " + f->message);
}

void mesh_session::throw_unexpected() {
  throw cli_error(exit_failure, "the broker answered with an unexpected reply",
                  "is " + url_.ws_url() + " a Nexus node of a compatible version?");
}

void mesh_session::on_state(const client::link_state&) {}

void mesh_session::pump(int64_t wait_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    bool idle = false;
    (*self_)->receive([&](client::inbound_message& m) { received_.push_back(std::move(m)); },
                      [&](client::inbound_event&) {},
                      [&](client::link_state& s) { on_state(s); },
                      caf::after(std::max(left, std::chrono::milliseconds(0))) >> [&] { idle = true; });
    if (idle || (wait_ms > 0 && !received_.empty()))
      return;
  }
}

std::vector<client::inbound_message> mesh_session::collect(int64_t wait_ms) {
  pump(0);
  if (received_.empty() && wait_ms > 0) {
    spinner spin("waiting for messages");
    pump(wait_ms);
    pump(0); // whatever arrived in the same instant
  }
  auto out = std::move(received_);
  received_.clear();
  return out;
}

std::vector<peer_entry> mesh_session::peers() {
  auto list = expect<peers_list_frame>(client::presence_op{list_peers_frame{}});
  peers_remember(ctx_.home, mesh_.mesh_id, list.peers);
  return list.peers;
}

} // namespace nexus::cli
