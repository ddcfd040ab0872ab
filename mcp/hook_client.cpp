#include "mcp/hook_client.hpp"

#include "transport/json_bounded.hpp"
#include "transport/json_fields.hpp"
#include "transport/json_writer.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace nexus::mcp {

hook_report hook_report_from(std::string_view status, std::string_view stdin_json,
                             const std::string& fallback_cwd) {
  hook_report r{fallback_cwd, std::string(status), std::nullopt};
  rapidjson::Document doc;
  if (stdin_json.empty() ||
      wire::parse_bounded(stdin_json, 32, doc) != wire::json_parse_status::ok || !doc.IsObject())
    return r;
  wire::field_reader f(doc, "hook input");
  if (auto cwd = f.optional_nonempty_string("cwd"))
    r.cwd = *cwd;
  r.session_id = f.optional_nonempty_string("session_id");
  return r;
}

std::string hook_body_json(const hook_report& r) {
  wire::json_writer w;
  w.begin_object();
  w.str_field("cwd", r.cwd);
  w.str_field("status", r.status);
  w.opt_str_field("session_id", r.session_id);
  w.end_object();
  return w.take();
}

hook_outcome post_hook_status(const client::broker_url& to, const hook_report& r,
                              int64_t timeout_ms) {
  hook_outcome out;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(to.port);
  if (int rc = ::getaddrinfo(to.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    out.error = "cannot resolve " + to.host + ": " + ::gai_strerror(rc);
    return out;
  }
  int fd = -1;
  for (auto* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0)
      continue;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout_ms / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout_ms % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    if (::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      out.error = "cannot connect to " + to.host + ":" + port + ": " + std::strerror(errno);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0)
    return out;
  out.error.clear();

  std::string body = hook_body_json(r);
  std::string request = "POST /hook/set-status HTTP/1.1\r\nHost: " + to.host_port() +
                        "\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  for (size_t sent = 0; sent < request.size();) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      out.error = std::string("cannot send the hook: ") + std::strerror(errno);
      ::close(fd);
      return out;
    }
    sent += static_cast<size_t>(n);
  }
  std::string response;
  char buf[4096];
  // The reply is small and the server closes after it (Connection: close);
  // the bound keeps a misbehaving peer from feeding us forever.
  while (response.size() < 64 * 1024) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    response.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody"
  if (response.compare(0, 5, "HTTP/") != 0 || response.size() < 12) {
    out.error = "no HTTP answer from " + to.host + ":" + port;
    return out;
  }
  out.status = std::atoi(response.c_str() + 9);
  if (auto split = response.find("\r\n\r\n"); split != std::string::npos)
    out.body = response.substr(split + 4);
  return out;
}

} // namespace nexus::mcp
