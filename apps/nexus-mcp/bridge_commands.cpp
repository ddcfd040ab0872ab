#include "apps/nexus-mcp/bridge_commands.hpp"

#include "client/broker_link.hpp"
#include "config/log.hpp"
#include "crypto/private_file.hpp"
#include "crypto/sodium.hpp"
#include "mcp/bearer_token.hpp"
#include "mcp/channel_hub.hpp"
#include "mcp/claude_install.hpp"
#include "mcp/hook_client.hpp"
#include "mcp/http_transport.hpp"
#include "mcp/json_file.hpp"
#include "mcp/link_backend.hpp"
#include "mcp/stdio_transport.hpp"
#include "transport/version.hpp"

#include <caf/all.hpp>

#include <cctype>
#include <chrono>
#include <cstring>
#include <sodium.h>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <limits.h>
#include <poll.h>
#include <unistd.h>

namespace nexus::mcp_app {
namespace {

const char* bridge_instructions =
    "You are connected to a Nexus mesh: other agents and people you can message and share "
    "state, memory, tasks and reminders with. Messages for you arrive as <channel> "
    "notifications (from the nexus server) while you work and are kept for check_messages. "
    "Reply with send_message when a message asks for something; call list_peers to see who is "
    "there.";

std::string self_exe() {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string("nexus-mcp");
}

int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::shared_ptr<const crypto::secret_buffer> to_secret(const crypto::bytes& b) {
  return std::make_shared<const crypto::secret_buffer>(b.data(), b.size());
}

/// The link identity from the flags: the member key from its 0600 file, a
/// fresh session key per process (as the SDK makes one per launch).
client::link_identity load_identity(const bridge_identity_args& a) {
  std::string hex = crypto::read_private_file(a.member_key_file, 4096);
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back())))
    hex.pop_back();
  auto secret = crypto::from_hex(hex);
  if (!secret || secret->size() != 64)
    throw usage_error(a.member_key_file +
                      " must hold an ed25519 secret key: 128 hex characters (seed and public key)");
  client::link_identity id;
  id.mesh_id = a.mesh_id;
  id.member_id = a.member_id;
  id.member_pubkey = crypto::to_hex(secret->data() + 32, 32);
  id.member_secret = to_secret(*secret);
  sodium_memzero(secret->data(), secret->size());
  auto [session_secret, session_public] = crypto::ed25519_generate();
  id.session_pubkey = crypto::to_hex(session_public);
  id.session_secret = to_secret(session_secret);
  sodium_memzero(session_secret.data(), session_secret.size());
  id.display_name = a.name;
  id.peer_type = "ai";
  id.channel = "nexus-mcp";
  return id;
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
  std::string url_error;
  auto url = client::parse_broker_url(args.identity.broker, &url_error);
  if (!url)
    throw usage_error("--broker: " + url_error);
  client::link_identity identity;
  try {
    identity = load_identity(args.identity);
  } catch (const crypto::private_file_error& e) {
    std::cerr << "nexus-mcp: " << e.what() << "\n";
    return 1;
  }
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
    auto colon = args.http->rfind(':');
    if (colon == std::string::npos)
      throw usage_error("--http needs HOST:PORT");
    mcp::http_options o;
    o.host = args.http->substr(0, colon);
    if (o.host.size() > 2 && o.host.front() == '[')
      o.host = o.host.substr(1, o.host.size() - 2);
    o.port = static_cast<uint16_t>(std::atoi(args.http->c_str() + colon + 1));
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

int run_install(const bridge_args& args, const config::node_config& cfg) {
  mcp::install_options o;
  const char* home_env = std::getenv("HOME");
  o.user_home = args.claude_home.value_or(home_env != nullptr ? home_env : "");
  if (o.user_home.empty())
    throw usage_error("no home directory: set HOME or pass --claude-home DIR");
  o.nexus_home = cfg.home;
  o.command = self_exe();
  if (args.command == "install") {
    require_identity(args.identity);
    o.args = args.identity.as_flags();
    o.args.insert(o.args.end(), {"--home", cfg.home});
    o.hooks = args.hooks;
    o.hook_command = o.command + " hook --broker " + args.identity.broker;
  }
  try {
    auto rep = args.command == "install" ? mcp::install_claude_code(o)
                                         : mcp::uninstall_claude_code(o);
    for (const auto& n : rep.notes)
      std::cout << n << "\n";
    for (const auto& b : rep.backups)
      std::cout << "backup: " << b << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "nexus-mcp: " << e.what() << "\n";
    return 1;
  }
}

int run_hook(const bridge_args& args) {
  std::string input;
  if (!::isatty(0)) {
    // Claude Code writes the hook input and closes stdin; bounded in size
    // and time so a stuck writer cannot hold the session.
    char buf[4096];
    while (input.size() < 64 * 1024) {
      pollfd p{0, POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0)
        break;
      ssize_t n = ::read(0, buf, sizeof buf);
      if (n <= 0)
        break;
      input.append(buf, static_cast<size_t>(n));
    }
  }
  char cwd[PATH_MAX];
  std::string fallback = ::getcwd(cwd, sizeof cwd) != nullptr ? cwd : "";
  auto report = mcp::hook_report_from(args.hook_status, input, fallback);
  std::string url_error;
  auto url = client::parse_broker_url(args.identity.broker, &url_error);
  if (!url) {
    std::cerr << "nexus-mcp hook: --broker: " << url_error << "\n";
    return 0;
  }
  auto out = mcp::post_hook_status(*url, report, 3000);
  if (out.status == 0)
    std::cerr << "nexus-mcp hook: " << out.error << "\n";
  else if (out.status != 200 || out.body.find("\"ok\":true") == std::string::npos)
    std::cerr << "nexus-mcp hook: the node answered " << out.status << " " << out.body << "\n";
  return 0;
}

} // namespace nexus::mcp_app
