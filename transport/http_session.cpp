#include "transport/http_session.hpp"

#include "config/log.hpp"
#include "transport/version.hpp"
#include "transport/ws_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/websocket/rfc6455.hpp>

#include <array>
#include <atomic>
#include <cctype>
#include <optional>

namespace nexus::transport {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

class http_session : public session_base, public std::enable_shared_from_this<http_session> {
public:
  http_session(tcp::socket&& socket, std::shared_ptr<gateway_state> state)
      : strand_(socket.get_executor()), stream_(std::move(socket)), reply_timer_(strand_),
        state_(std::move(state)),
        id_(state_->next_id.fetch_add(1)) {
    error_code ec;
    auto remote = stream_.socket().remote_endpoint(ec);
    if (!ec) {
      remote_address_ = remote.address().to_string();
      remote_port_ = remote.port();
    }
  }

  void run() {
    state_->registry.remember(id_, weak_from_this());
    net::post(strand_, [self = shared_from_this()] { self->do_read(); });
  }

  void shutdown(std::chrono::steady_clock::time_point) override {
    net::post(strand_, [self = shared_from_this()] { self->end(); });
  }

  /// Thread-safe entry of a route's reply (see http_reply).
  void post_reply(uint64_t seq, http_response response) {
    net::post(strand_,
              [self = shared_from_this(), seq, response = std::move(response)]() mutable {
                self->on_reply(seq, std::move(response));
              });
  }

private:
  void do_read() {
    if (ended_)
      return;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(state_->cfg.http_header_bytes_max));
    parser_->body_limit(static_cast<uint64_t>(state_->cfg.http_body_bytes_max));
    // One deadline for the whole request, not per read: a client trickling
    // bytes (slowloris) cannot hold the connection longer than this.
    stream_.expires_after(state_->http_idle_timeout());
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](const error_code& ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(const error_code& ec) {
    if (ec) {
      on_read_error(ec);
      return;
    }
    auto& req = parser_->get();
    if (beast::websocket::is_upgrade(req)) {
      upgrade(parser_->release());
      return;
    }
    state_->metrics.http_requests.inc();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    dispatch(to_plain(parser_->release()));
  }

  void on_read_error(const error_code& ec) {
    if (ec == http::error::end_of_stream || ec == http::error::partial_message) {
      end(); // the client went away between or during requests
      return;
    }
    if (ec == beast::error::timeout) {
      state_->metrics.error("http_timeout");
      end();
      return;
    }
    if (ec == http::error::header_limit) {
      state_->metrics.error("http_header_too_large");
      reject(431, "request header too large");
      return;
    }
    if (ec == http::error::body_limit) {
      state_->metrics.error("http_body_too_large");
      reject(413, "payload too large");
      return;
    }
    if (ec.category() == http::make_error_code(http::error::bad_method).category()) {
      state_->metrics.error("http_bad_request");
      reject(400, "bad request");
      return;
    }
    fail(ec, "http read");
    end();
  }

  /// Spec §1.1: only exactly "/ws" upgrades; anything else loses its socket
  /// without an HTTP response.
  void upgrade(http::request<http::string_body> req) {
    if (req.target() != "/ws") {
      state_->metrics.error("bad_upgrade_target");
      end();
      return;
    }
    ended_ = true;
    reply_timer_.cancel();
    state_->registry.forget(id_);
    stream_.expires_never();
    start_ws_session(stream_.release_socket(), std::move(req), state_);
  }

  http_request to_plain(http::request<http::string_body> req) const {
    http_request out;
    out.method = std::string(req.method_string());
    out.target = std::string(req.target());
    out.remote_address = remote_address_;
    out.remote_port = remote_port_;
    for (auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    out.body = std::move(req.body());
    return out;
  }

  void dispatch(http_request req) {
    auto routed = state_->router.route(req.method, req.target);
    if (auto* ready = std::get_if<http_response>(&routed)) {
      write(std::move(*ready), false);
      return;
    }
    const http_handler& handler = *std::get<const http_handler*>(routed);
    uint64_t seq = ++request_seq_;
    awaiting_ = seq;
    // A handler that never replies must not hold the connection forever.
    reply_timer_.expires_after(state_->http_idle_timeout());
    reply_timer_.async_wait([self = shared_from_this(), seq](const error_code& ec) {
      if (ec)
        return;
      self->state_->metrics.error("http_handler_timeout");
      self->on_reply(seq, http_response::json(504, json_error_body("handler timed out")));
    });
    try {
      handler(std::move(req), make_reply(seq));
    } catch (const std::exception& e) {
      log::error("gateway") << "route handler threw: " << e.what();
      state_->metrics.error("http_handler_exception");
      on_reply(seq, http_response::json(500, json_error_body("internal error")));
    }
  }

  /// The callback a handler gets; it answers 500 if dropped without a call.
  http_reply make_reply(uint64_t seq) {
    struct once {
      std::weak_ptr<http_session> session;
      std::shared_ptr<session_gate> gate; // see session_gate.hpp
      uint64_t seq;
      std::atomic<bool> done{false};
      void deliver(http_response r) {
        if (done.exchange(true))
          return;
        gate->with_open([&] {
          if (auto s = session.lock())
            s->post_reply(seq, std::move(r));
        });
      }
      ~once() { deliver(http_response::json(500, json_error_body("no reply"))); }
    };
    auto guard = std::make_shared<once>();
    guard->session = weak_from_this();
    guard->gate = state_->gate;
    guard->seq = seq;
    return [guard](http_response r) { guard->deliver(std::move(r)); };
  }

  void on_reply(uint64_t seq, http_response response) {
    if (ended_ || seq != awaiting_)
      return; // stale: timed out, or the connection is gone
    awaiting_ = 0;
    reply_timer_.cancel();
    write(std::move(response), false);
  }

  /// Answers an unreadable request and closes the connection: the rest of
  /// the request cannot be parsed reliably.
  void reject(unsigned status, const char* message) {
    if (parser_ && parser_->is_header_done()) {
      keep_alive_ = false;
      version_ = parser_->get().version();
    }
    write(http_response::json(status, json_error_body(message)), true);
  }

  void write(http_response r, bool close) {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(version_);
    res->result(r.status);
    res->set(http::field::server, std::string("nexus/") + nexus::version);
    for (auto& [name, value] : cors_headers())
      res->set(name, value);
    for (auto& [name, value] : r.headers)
      res->set(name, value);
    if (!r.content_type.empty())
      res->set(http::field::content_type, r.content_type);
    res->body() = std::move(r.body);
    close = close || !keep_alive_;
    res->keep_alive(!close);
    res->prepare_payload();
    stream_.expires_after(state_->http_idle_timeout()); // a client that does not read
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res, close](const error_code& ec, std::size_t) {
                        self->on_write(ec, close);
                      });
  }

  void on_write(const error_code& ec, bool close) {
    if (ec) {
      fail(ec, "http write");
      end();
      return;
    }
    if (close) {
      linger();
      return;
    }
    do_read();
  }

  /// Closing right after a response with unread request bytes pending makes
  /// the kernel send RST, which can destroy the response before the client
  /// reads it (413 with a large body in flight). So: FIN our side, discard
  /// what still arrives until the peer closes or the idle timeout, then close.
  void linger() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(state_->http_idle_timeout());
    do_drain();
  }

  void do_drain() {
    stream_.async_read_some(net::buffer(drain_),
                            [self = shared_from_this()](const error_code& ec, std::size_t) {
                              if (ec || self->ended_) {
                                self->end();
                                return;
                              }
                              self->do_drain();
                            });
  }

  void end() {
    if (ended_)
      return;
    ended_ = true;
    reply_timer_.cancel();
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    state_->registry.forget(id_);
  }

  /// The connection's strand, kept apart so other threads (route replies)
  /// can post onto it without touching the stream object.
  const net::any_io_executor strand_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  net::steady_timer reply_timer_;
  std::shared_ptr<gateway_state> state_;
  const uint64_t id_;
  std::string remote_address_;
  uint16_t remote_port_ = 0;
  bool keep_alive_ = true;
  unsigned version_ = 11;
  uint64_t request_seq_ = 0; ///< numbers handler calls, so late replies are recognised
  uint64_t awaiting_ = 0;    ///< seq of the handler call being waited for, 0 if none
  bool ended_ = false;
  std::array<char, 4096> drain_{};
};

} // namespace

void start_http_session(tcp::socket socket, std::shared_ptr<gateway_state> state) {
  std::make_shared<http_session>(std::move(socket), std::move(state))->run();
}

} // namespace nexus::transport
