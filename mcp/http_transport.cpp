#include "mcp/http_transport.hpp"

#include "config/log.hpp"
#include "mcp/channel_hub.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>

namespace nexus::mcp {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

struct http_transport::impl : std::enable_shared_from_this<impl> {
  impl(server& s, caf::actor_system& y, caf::actor h, http_options o)
      : srv(s), sys(y), hub(std::move(h)), opts(std::move(o)) {}

  server& srv;
  caf::actor_system& sys;
  caf::actor hub;
  http_options opts;

  net::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread accept_thread;
  std::atomic<bool> stopping{false};

  // Bookkeeping of connection threads (not domain state): which sockets to
  // shut down on stop, and how many threads are still running.
  std::mutex conn_mutex;
  std::condition_variable conn_done;
  std::set<int> open_fds;
  int64_t active = 0;

  void accept_next() {
    acceptor.async_accept([self = shared_from_this()](error_code ec, tcp::socket sock) {
      if (ec) {
        if (ec != net::error::operation_aborted)
          log::warn("mcp-http") << "accept: " << ec.message();
        if (self->stopping)
          return;
      } else {
        self->admit(std::move(sock));
      }
      self->accept_next();
    });
  }

  void admit(tcp::socket sock) {
    {
      std::lock_guard<std::mutex> lock(conn_mutex);
      if (active < opts.connections_max) {
        ++active;
        open_fds.insert(sock.native_handle());
        std::thread([self = shared_from_this(), s = std::move(sock)]() mutable {
          self->serve(s);
          self->release(s);
        }).detach();
        return;
      }
    }
    log::warn("mcp-http") << "connection refused: " << opts.connections_max << " already served";
    write_answer(sock, json_error(503, "too many connections"), false);
    error_code ignored;
    sock.shutdown(tcp::socket::shutdown_both, ignored);
  }

  void release(tcp::socket& sock) {
    std::lock_guard<std::mutex> lock(conn_mutex);
    open_fds.erase(sock.native_handle());
    error_code ignored;
    sock.close(ignored);
    --active;
    conn_done.notify_all();
  }

  static bool write_answer(tcp::socket& sock, const http_answer& a, bool keep_alive) {
    http::response<http::string_body> res{static_cast<http::status>(a.status), 11};
    res.set(http::field::server, "nexus-mcp");
    if (!a.content_type.empty())
      res.set(http::field::content_type, a.content_type);
    for (const auto& [name, value] : a.headers)
      res.set(name, value);
    res.body() = a.body;
    res.keep_alive(keep_alive);
    res.prepare_payload();
    error_code ec;
    http::write(sock, res, ec);
    return !ec;
  }

  /// Answers and closes without reading the request body: closing with
  /// unread bytes would reset the connection and lose the answer, so the
  /// peer's remaining bytes are read and dropped (bounded by the body limit
  /// and the idle timeout) after our side is shut down.
  void refuse_and_drain(tcp::socket& sock, const http_answer& a) {
    write_answer(sock, a, false);
    error_code ec;
    sock.shutdown(tcp::socket::shutdown_send, ec);
    char sink[4096];
    uint64_t left = static_cast<uint64_t>(opts.body_bytes_max) + 65536;
    while (!ec && left > 0) {
      size_t n = sock.read_some(net::buffer(sink), ec);
      left = n >= left ? 0 : left - n;
    }
  }

  void set_timeouts(tcp::socket& sock) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(opts.idle_timeout_ms / 1000);
    tv.tv_usec = static_cast<suseconds_t>((opts.idle_timeout_ms % 1000) * 1000);
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }

  void serve(tcp::socket& sock) {
    set_timeouts(sock);
    beast::flat_buffer buf;
    while (!stopping) {
      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<uint32_t>(opts.header_bytes_max));
      parser.body_limit(static_cast<uint64_t>(opts.body_bytes_max));
      error_code ec;
      http::read_header(sock, buf, parser, ec);
      if (ec == http::error::body_limit) { // a Content-Length above the limit
        refuse_and_drain(sock, json_error(413, "body larger than " +
                                                   std::to_string(opts.body_bytes_max) + " bytes"));
        return;
      }
      if (ec) {
        if (ec == http::error::header_limit)
          refuse_and_drain(sock, json_error(431, "request header too large"));
        return; // closed, timed out or garbage: nothing more to say
      }
      const auto& head = parser.get();
      http_request_in req;
      req.method = std::string(head.method_string());
      req.target = std::string(head.target());
      req.authorization = std::string(head[http::field::authorization]);
      req.origin = std::string(head[http::field::origin]);
      req.accept = std::string(head[http::field::accept]);
      req.content_type = std::string(head[http::field::content_type]);
      req.protocol_version = std::string(head["MCP-Protocol-Version"]);
      // Refuse before reading a body the sender may not send us.
      if (auto refusal = refuse_unauthenticated(req, opts.policy)) {
        log::info("mcp-http") << req.method << " " << req.target << " refused: no valid token";
        write_answer(sock, *refusal, false);
        return;
      }
      http::read(sock, buf, parser, ec);
      if (ec == http::error::body_limit) { // chunked bodies are only known too large while read
        refuse_and_drain(sock, json_error(413, "body larger than " +
                                                   std::to_string(opts.body_bytes_max) + " bytes"));
        return;
      }
      if (ec)
        return;
      req.body = std::move(parser.get().body());
      bool keep_alive = parser.get().keep_alive();
      http_answer a = answer(req, opts.policy, srv);
      if (a.open_event_stream) {
        stream_events(sock, a);
        return;
      }
      if (!write_answer(sock, a, keep_alive) || !keep_alive)
        return;
    }
  }

  /// Channel notifications as SSE until the peer goes away or we stop.
  void stream_events(tcp::socket& sock, const http_answer& a) {
    http::response<http::empty_body> res{http::status::ok, 11};
    res.set(http::field::server, "nexus-mcp");
    res.set(http::field::content_type, a.content_type);
    for (const auto& [name, value] : a.headers)
      res.set(name, value);
    res.chunked(true);
    http::response_serializer<http::empty_body> sr{res};
    error_code ec;
    http::write_header(sock, sr, ec);
    if (ec)
      return;

    caf::scoped_actor self{sys};
    auto me = caf::actor_cast<caf::actor>(self);
    self->send(hub, join_atom::value, me);
    auto send_chunk = [&](const std::string& text) {
      net::write(sock, http::make_chunk(net::buffer(text)), ec);
      return !ec;
    };
    using clock = std::chrono::steady_clock;
    const auto keepalive = std::chrono::milliseconds(opts.sse_keepalive_ms);
    auto last_write = clock::now();
    bool open = true;
    // The receive timeout is also how often `stopping` is looked at.
    const auto poll = std::min(keepalive, std::chrono::milliseconds(250));
    while (open && !stopping) {
      self->receive(
          [&](notify_atom, const std::string& line) {
            open = send_chunk("event: message\ndata: " + line + "\n\n");
            last_write = clock::now();
          },
          caf::after(poll) >> [&] {
            if (clock::now() - last_write >= keepalive) {
              open = send_chunk(": keepalive\n\n");
              last_write = clock::now();
            }
          });
    }
    self->send(hub, leave_atom::value, me);
    if (open)
      net::write(sock, http::make_chunk_last(), ec);
  }
};

http_transport::http_transport(server& srv, caf::actor_system& sys, caf::actor hub,
                               http_options opts)
    : impl_(std::make_shared<impl>(srv, sys, std::move(hub), std::move(opts))) {}

http_transport::~http_transport() { stop(); }

uint16_t http_transport::start() {
  auto& o = impl_->opts;
  if (!o.policy.allow_remote && !is_loopback_host(o.host))
    throw http_start_error("refusing to listen on " + o.host +
                           ": not a loopback address (pass --allow-remote to allow it)");
  error_code ec;
  auto address = net::ip::make_address(o.host == "localhost" ? "127.0.0.1" : o.host, ec);
  if (ec)
    throw http_start_error("cannot listen on " + o.host + ": not a numeric address");
  tcp::endpoint ep{address, o.port};
  auto& acc = impl_->acceptor;
  acc.open(ep.protocol(), ec);
  if (!ec)
    acc.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec)
    acc.bind(ep, ec);
  if (!ec)
    acc.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    throw http_start_error("cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
                           ec.message());
  uint16_t port = acc.local_endpoint().port();
  impl_->accept_next();
  impl_->accept_thread = std::thread([i = impl_] { i->ioc.run(); });
  log::info("mcp-http") << "listening on " << o.host << ":" << port << "/mcp";
  return port;
}

void http_transport::stop() {
  auto& i = *impl_;
  if (i.stopping.exchange(true))
    return;
  net::post(i.ioc, [&i] {
    error_code ignored;
    i.acceptor.close(ignored);
  });
  if (i.accept_thread.joinable())
    i.accept_thread.join();
  std::unique_lock<std::mutex> lock(i.conn_mutex);
  for (int fd : i.open_fds)
    ::shutdown(fd, SHUT_RDWR); // wakes blocked reads; the threads then close
  i.conn_done.wait_for(lock, std::chrono::seconds(5), [&] { return i.active == 0; });
}

} // namespace nexus::mcp
