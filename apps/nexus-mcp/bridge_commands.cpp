#include "apps/nexus-mcp/bridge_commands.hpp"

#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/home.hpp"
#include "apps/nexus/mesh_session.hpp"
#include "client/broker_link.hpp"
#include "config/log.hpp"
#include "crypto/private_file.hpp"
#include "crypto/sodium.hpp"
#include "mcp/bearer_token.hpp"
#include "mcp/channel_hub.hpp"
#include "mcp/http_transport.hpp"
#include "mcp/link_backend.hpp"
#include "mcp/stdio_transport.hpp"
#include "transport/version.hpp"

#include <caf/all.hpp>

#include <sodium.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace nexus::mcp_app {
namespace {

const char* bridge_instructions =
    "You are connected to a Nexus mesh: other agents and people you can message and share "
    "state, memory, tasks and reminders with. Messages for you arrive as <channel> "
    "notifications (from the nexus server) while you work and are kept for check_messages. "
    "Reply with send_message when a message asks for something; call list_peers to see who is "
    "there.";

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<const crypto::secret_buffer> to_secret(const crypto::bytes& b) {
  return std::make_shared<const crypto::secret_buffer>(b.data(), b.size());
}

struct bridge_identity {
  client::link_identity id;
  client::broker_url url;
};

/// A fresh session key per process, as the SDK makes one per launch: the
/// routing key peers see and direct messages are sealed to.
void add_session_key(client::link_identity& id) {
  auto [session_secret, session_public] = crypto::ed25519_generate();
  id.session_pubkey = crypto::to_hex(session_public);
  id.session_secret = to_secret(session_secret);
  sodium_memzero(session_secret.data(), session_secret.size());
  id.peer_type = "ai";
  id.channel = "nexus-mcp";
}

client::broker_url parse_url(const std::string& text) {
  std::string error;
  auto url = client::parse_broker_url(text, &error);
  if (!url)
    throw usage_error("--broker: " + error);
  return *url;
}

/// Explicit mode: the member key from its 0600 file.
bridge_identity explicit_identity(const bridge_identity_args& a) {
  std::string hex = crypto::read_private_file(a.member_key_file, 4096);
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back())))
    hex.pop_back();
  auto secret = crypto::from_hex(hex);
  if (!secret || secret->size() != 64)
    throw usage_error(a.member_key_file +
                      " must hold an ed25519 secret key: 128 hex characters (seed and public key)");
  bridge_identity out{{}, parse_url(a.broker)};
  out.id.mesh_id = a.mesh_id;
  out.id.member_id = a.member_id;
  out.id.member_pubkey = crypto::to_hex(secret->data() + 32, 32);
  out.id.member_secret = to_secret(*secret);
  sodium_memzero(secret->data(), secret->size());
  out.id.display_name = a.name;
  return out;
}

/// Home mode: the identity and a joined mesh of the CLI's home, the broker
/// as `nexus` would pick it (--broker, the mesh's, config.json's, default).
bridge_identity home_identity(const bridge_identity_args& a, const std::string& home_dir) {
  cli::context ctx;
  ctx.home = cli::home(home_dir);
  if (!a.broker.empty())
    ctx.global.broker = a.broker;
  ctx.home.require_initialised();
  auto me = ctx.home.load_identity();
  auto mesh = ctx.home.select_mesh(a.mesh.empty() ? std::nullopt
                                                  : std::optional<std::string>(a.mesh));
  bridge_identity out{{}, cli::broker_for(ctx, &mesh)};
  out.id.mesh_id = mesh.mesh_id;
  out.id.member_id = mesh.member_id;
  out.id.member_pubkey = me.pubkey_hex;
  out.id.member_secret = me.secret;
  out.id.display_name = a.name.empty() ? mesh.display_name : a.name;
  return out;
}

/// "127.0.0.1:8080", "[::1]:0" → host and port of --http.
mcp::http_options parse_http_address(const std::string& text) {
  auto colon = text.rfind(':');
  std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(port) > 65535 || colon == 0)
    throw usage_error("--http needs HOST:PORT (PORT 0 picks a free one), not " + text);
  mcp::http_options o;
  o.host = text.substr(0, colon);
  if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']')
    o.host = o.host.substr(1, o.host.size() - 2);
  o.port = static_cast<uint16_t>(std::stoul(port));
  return o;
}

/// Blocks SIGINT/SIGTERM in every thread started after it, for sigwait.
sigset_t block_stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

} // namespace

int run_bridge(const bridge_args& args, const config::node_config& cfg) {
  std::signal(SIGPIPE, SIG_IGN);
  require_identity(args.identity);
  // Everything that can be a usage error is checked before an actor runs.
  mcp::http_options http_address;
  if (args.http)
    http_address = parse_http_address(*args.http);
  bridge_identity who;
  try {
    who = args.identity.explicit_keys() ? explicit_identity(args.identity)
                                        : home_identity(args.identity, cfg.home);
    add_session_key(who.id);
  } catch (const crypto::private_file_error& e) {
    std::cerr << "nexus-mcp: " << e.what() << "\n";
    return 1;
  } catch (const cli::cli_error& e) {
    std::cerr << "nexus-mcp: " << e.what() << (e.hint.empty() ? "" : " - " + e.hint) << "\n";
    return e.exit == cli::exit_usage ? 2 : 1;
  }
  const client::link_identity& identity = who.id;
  const client::broker_url* url = &who.url;
  sigset_t stop_set = block_stop_signals();

  caf::actor_system_config caf_cfg;
  caf::actor_system sys{caf_cfg};
  client::link_config link_cfg;
  link_cfg.url = *url;
  link_cfg.identity = identity;
  const std::string self_pubkey = *identity.session_pubkey;
  auto link = client::spawn_broker_link(sys, std::move(link_cfg));
  const auto reply_timeout =
      std::chrono::milliseconds(client::client_settings{}.request_timeout_ms + 5000);
  mcp::link_backend backend(sys, link, self_pubkey, reply_timeout);
  auto hub = mcp::spawn_channel_hub(sys, cfg.mcp_inbox_messages_max);
  backend.on_inbound([hub](mcp::inbound_message m) { caf::anon_send(hub, std::move(m)); });

  mcp::tool_table tools;
  mcp::server srv(tools,
                  mcp::tool_context{backend, [&] { return mcp::take_inbox(sys, hub); }, unix_ms},
                  mcp::server_info{"nexus-mcp", version, bridge_instructions}, cfg.json_depth_max);
  log::info("mcp") << "bridge for mesh " << identity.mesh_id << " via " << url->ws_url()
                   << ", session key " << self_pubkey.substr(0, 12);

  int status = 0;
  if (args.http) {
    mcp::http_options o = http_address;
    o.policy.allow_remote = args.allow_remote;
    o.connections_max = cfg.mcp_http_connections_max;
    o.idle_timeout_ms = cfg.mcp_http_idle_timeout_ms;
    o.body_bytes_max = cfg.mcp_line_bytes_max;
    o.header_bytes_max = cfg.http_header_bytes_max;
    o.sse_keepalive_ms = cfg.mcp_sse_keepalive_ms;
    try {
      o.policy.token = mcp::load_or_create_token(cfg.home);
      mcp::http_transport http(srv, sys, hub, o);
      uint16_t port = http.start();
      // One machine-readable line for scripts and tests; the token stays in its file.
      std::cerr << "nexus-mcp: http://" << o.host << ":" << port << "/mcp (token in "
                << mcp::token_path(cfg.home) << ")" << std::endl;
      int sig = 0;
      sigwait(&stop_set, &sig);
      log::info("mcp") << "received " << strsignal(sig) << ", stopping";
      http.stop();
    } catch (const std::exception& e) {
      std::cerr << "nexus-mcp: " << e.what() << "\n";
      status = 1;
    }
  } else {
    mcp::run_stdio(srv, sys, hub, mcp::stdio_options{0, 1, cfg.mcp_line_bytes_max});
    log::info("mcp") << "end of input, stopping";
  }

  caf::scoped_actor self{sys};
  self->request(link, std::chrono::seconds(5), client::link_stop_atom::value)
      .receive([](bool) {}, [](caf::error&) {});
  caf::anon_send_exit(hub, caf::exit_reason::user_shutdown);
  return status;
}

} // namespace nexus::mcp_app
