// Beast's WebSocket client. Every operation runs on the one I/O thread of
// the connection, so the queue and flags need no lock; entry from other
// threads is only by asio::post.
#include "client/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>
#include <deque>
#include <thread>

namespace nexus::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

struct boost_io_context_holder {
  asio::io_context io;
};

struct ws_client::impl : std::enable_shared_from_this<ws_client::impl> {
  impl(asio::io_context& ctx, broker_url u, options o, handlers h)
      : io(ctx), url(std::move(u)), opts(o), cb(std::move(h)), work(asio::make_work_guard(io)),
        resolver(io), ws(io) {}

  asio::io_context& io;
  broker_url url;
  options opts;
  handlers cb;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  tcp::resolver resolver;
  websocket::stream<beast::tcp_stream> ws;
  beast::flat_buffer buffer;
  std::deque<std::string> queue;
  bool open = false;
  bool writing = false;
  bool closing = false;
  bool finished = false;

  void start() {
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [self = shared_from_this()](beast::error_code ec,
                                                       tcp::resolver::results_type r) {
                             if (ec)
                               return self->finish(0, "cannot resolve " + self->url.host + ": " + ec.message());
                             self->on_resolved(r);
                           });
  }

  void on_resolved(const tcp::resolver::results_type& results) {
    beast::get_lowest_layer(ws).expires_after(std::chrono::milliseconds(opts.connect_timeout_ms));
    beast::get_lowest_layer(ws).async_connect(
        results, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
          if (ec)
            return self->finish(0, "cannot connect to " + self->url.host_port() + ": " + ec.message());
          self->on_connected();
        });
  }

  void on_connected() {
    beast::get_lowest_layer(ws).expires_never();
    // Small request frames go out at once rather than behind Nagle.
    boost::system::error_code nodelay_ec;
    beast::get_lowest_layer(ws).socket().set_option(boost::asio::ip::tcp::no_delay(true), nodelay_ec);
    websocket::stream_base::timeout t{};
    t.handshake_timeout = std::chrono::milliseconds(opts.connect_timeout_ms);
    t.idle_timeout = std::chrono::milliseconds(opts.idle_timeout_ms);
    t.keep_alive_pings = true; // a ping at half the idle timeout keeps NATs and the node honest
    ws.set_option(t);
    ws.read_message_max(static_cast<size_t>(opts.frame_bytes_max));
    ws.text(true);
    ws.async_handshake(url.host_port(), url.ws_path, [self = shared_from_this()](beast::error_code ec) {
      if (ec)
        return self->finish(0, "WebSocket upgrade of " + self->url.ws_url() + " failed: " + ec.message());
      self->open = true;
      if (self->cb.opened)
        self->cb.opened();
      self->read();
      self->write_next();
    });
  }

  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec)
        return self->on_read_error(ec);
      std::string text = beast::buffers_to_string(self->buffer.data());
      self->buffer.consume(self->buffer.size());
      if (self->cb.frame)
        self->cb.frame(std::move(text));
      self->read();
    });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == websocket::error::closed)
      return finish(ws.reason().code, std::string(ws.reason().reason.c_str()));
    finish(0, ec == asio::error::operation_aborted && closing ? "closed by client" : ec.message());
  }

  void enqueue(std::string text) {
    if (closing || finished)
      return;
    if (static_cast<int64_t>(queue.size()) >= opts.outbound_frames_max) {
      abort("outbound queue full");
      return;
    }
    queue.push_back(std::move(text));
    write_next();
  }

  void write_next() {
    if (!open || writing || finished)
      return;
    if (queue.empty()) {
      if (closing)
        ws.async_close(websocket::close_code::normal, [self = shared_from_this()](beast::error_code ec) {
          if (ec) // the read loop reports a clean close; only a failed close ends here
            self->finish(0, ec.message());
        });
      return;
    }
    writing = true;
    ws.async_write(asio::buffer(queue.front()), [self = shared_from_this()](beast::error_code ec, size_t) {
      self->writing = false;
      if (ec)
        return self->finish(0, "write failed: " + ec.message());
      self->queue.pop_front();
      self->write_next();
    });
  }

  void begin_close() {
    if (closing || finished)
      return;
    closing = true;
    if (!open)
      return abort("closed by client");
    write_next();
  }

  void abort(const std::string& why) {
    beast::error_code ignored;
    beast::get_lowest_layer(ws).socket().close(ignored);
    resolver.cancel();
    finish(0, why);
  }

  void finish(int code, std::string reason) {
    if (finished)
      return;
    finished = true;
    open = false;
    queue.clear();
    if (cb.closed)
      cb.closed(code, std::move(reason));
  }
};

ws_client::ws_client() : io_(std::make_unique<boost_io_context_holder>()) {}

std::unique_ptr<ws_client> ws_client::connect(const broker_url& url, const options& opts, handlers h) {
  std::unique_ptr<ws_client> c(new ws_client());
  auto p = std::make_shared<impl>(c->io_->io, url, opts, std::move(h));
  c->impl_ = p;
  asio::post(p->io, [p] { p->start(); });
  c->thread_ = std::thread([io = &c->io_->io] { io->run(); });
  return c;
}

ws_client::~ws_client() {
  // Callbacks must not outlive us: silence them, drop the socket, stop.
  asio::post(impl_->io, [p = impl_] {
    p->cb = {};
    p->finished = true;
    beast::error_code ignored;
    beast::get_lowest_layer(p->ws).socket().close(ignored);
    p->resolver.cancel();
    p->work.reset();
    p->io.stop();
  });
  if (thread_.joinable())
    thread_.join();
  impl_.reset();
  io_.reset(); // destroys the handlers still queued, and with them the last impl references
}

void ws_client::send(std::string text) {
  auto p = impl_;
  asio::post(p->io, [p, t = std::move(text)]() mutable { p->enqueue(std::move(t)); });
}

void ws_client::close() {
  auto p = impl_;
  asio::post(p->io, [p] { p->begin_close(); });
}

} // namespace nexus::client
