#include "transport/ws_session.hpp"

#include "config/log.hpp"
#include "transport/version.hpp"
#include "transport/wire_codec.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket.hpp>

#include <caf/send.hpp>

#include <deque>
#include <optional>

namespace nexus::transport {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using clock_type = std::chrono::steady_clock;

namespace {

/// Close codes we send or report (RFC 6455 §7.4.1, spec §1.6).
constexpr uint16_t close_going_away = 1001;
constexpr uint16_t close_policy = 1008;
constexpr uint16_t close_too_big = 1009;
constexpr uint16_t close_internal = 1011;
constexpr uint16_t close_abnormal = 1006; // never sent: "no close frame"

class ws_session : public session_base, public std::enable_shared_from_this<ws_session> {
public:
  ws_session(tcp::socket&& socket, std::shared_ptr<gateway_state> state)
      : strand_(socket.get_executor()), ws_(std::move(socket)), keepalive_timer_(strand_),
        close_timer_(strand_), state_(std::move(state)) {
    info_.id = state_->next_id.fetch_add(1);
    error_code ec;
    auto remote = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec);
    if (!ec) {
      info_.remote_address = remote.address().to_string();
      info_.remote_port = remote.port();
    }
  }

  ~ws_session() override {
    // Reached without finish() only when the gateway was stopped hard (its
    // io_context dropped our pending handlers): the actor must still learn
    // that its connection is gone.
    if (phase_ == phase::open || phase_ == phase::closing) {
      state_->metrics.connections_active.add(-1);
      notify_closed(close_abnormal, "gateway stopped");
    }
  }

  void run(http::request<http::string_body> req) {
    state_->registry.remember(info_.id, weak_from_this());
    // The upgrade itself must finish within the HTTP deadline; after that
    // liveness is our own keepalive, not Beast's idle timer.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = state_->http_idle_timeout();
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
      res.set(http::field::server, std::string("nexus/") + nexus::version);
    }));
    ws_.read_message_max(static_cast<std::size_t>(state_->cfg.frame_bytes_max));
    ws_.auto_fragment(false);
    beast::get_lowest_layer(ws_).expires_never();
    ws_.async_accept(req, [self = shared_from_this()](const error_code& ec) { self->on_accept(ec); });
  }

  // --- thread-safe entries (frame_sink, registry) ---

  /// `written_token`: report frame_written{token} to the actor once the
  /// frame is on the socket.
  void post_send(std::string frame, std::optional<uint64_t> written_token) {
    net::post(strand_,
              [self = shared_from_this(), f = std::move(frame), written_token]() mutable {
                self->on_send(std::move(f), written_token);
              });
  }

  void post_close(uint16_t code, std::string reason) {
    net::post(strand_, [self = shared_from_this(), code, r = std::move(reason)]() mutable {
      self->begin_close(code, std::move(r), /*flush=*/true, self->close_deadline());
    });
  }

  /// The actor took up `n` frames: reading resumes once it is below the bound.
  void post_consumed(std::size_t n) {
    net::post(strand_, [self = shared_from_this(), n] {
      self->frames_pending_ -= std::min(n, self->frames_pending_);
      if (self->read_paused_ && self->frames_pending_ < self->pending_max() &&
          self->phase_ == phase::open) {
        self->read_paused_ = false;
        self->last_rx_ = clock_type::now(); // the pause was ours, not the peer's silence
        self->do_read();
      }
    });
  }

  void post_abort() {
    net::post(strand_, [self = shared_from_this()] { self->abort("aborted"); });
  }

  void shutdown(clock_type::time_point abort_at) override {
    net::post(strand_, [self = shared_from_this(), abort_at] {
      if (self->phase_ == phase::handshake) {
        self->abort("shutting down");
        return;
      }
      self->begin_close(close_going_away, "shutting down", /*flush=*/true, abort_at);
      self->arm_close_deadline(abort_at); // a close already under way must end in time too
    });
  }

private:
  enum class phase {
    handshake, ///< upgrade response not yet written
    open,      ///< frames flow both ways
    closing,   ///< we asked for a close; inbound frames are no longer delivered
    done,      ///< socket gone, actor told
  };

  std::size_t pending_max() const {
    return static_cast<std::size_t>(state_->cfg.ws_inbound_frames_pending_max);
  }

  std::chrono::milliseconds pong_timeout() const {
    return std::chrono::milliseconds(state_->cfg.ws_pong_timeout_ms);
  }
  /// When a close we start now must be complete: a peer gets as long to
  /// answer our close as it may stay silent at all.
  clock_type::time_point close_deadline() const { return clock_type::now() + pong_timeout(); }

  void on_accept(const error_code& ec);
  void do_read();
  void on_read(const error_code& ec, std::size_t bytes);
  void deliver(const std::string& text);
  void on_send(std::string frame, std::optional<uint64_t> written_token = std::nullopt);
  void do_write();
  void on_write(const error_code& ec, std::size_t bytes);
  void begin_close(uint16_t code, std::string reason, bool flush, clock_type::time_point abort_at);
  void arm_close_deadline(clock_type::time_point abort_at);
  void start_close();
  void abort(const char* why);
  void arm_keepalive();
  void on_keepalive(const error_code& ec);
  void finish(const error_code& ec);
  void notify_closed(uint16_t code, std::string reason);

  /// The connection's strand, kept apart so other threads can post onto it
  /// without touching the stream object.
  const net::any_io_executor strand_;
  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer buffer_;
  net::steady_timer keepalive_timer_;
  net::steady_timer close_timer_; ///< bounds a close we started
  std::shared_ptr<gateway_state> state_;
  connection_info info_;
  caf::actor actor_;
  // --- only touched on the strand ---
  phase phase_ = phase::handshake;
  struct outbound {
    std::string frame;
    std::optional<uint64_t> written_token; ///< report frame_written when written
  };
  std::deque<outbound> queue_; ///< frames not yet written, front is being written
  bool writing_ = false;
  bool ping_in_flight_ = false;
  std::optional<websocket::close_reason> pending_close_; ///< sent once queue_ drained
  std::optional<websocket::close_reason> sent_close_;
  const char* abort_reason_ = nullptr; ///< set when we aborted the TCP connection
  clock_type::time_point close_abort_at_ = clock_type::time_point::max(); ///< close_timer_ expiry
  clock_type::time_point last_rx_;     ///< last frame, ping or pong from the peer
  std::size_t frames_pending_ = 0;     ///< handed to the actor, not yet taken up by it
  bool read_paused_ = false;           ///< backpressure: the actor is behind
};

/// The actor's handle on its connection: holds the session weakly and only
/// posts onto its strand, through the gateway's session_gate.
class ws_sink : public frame_sink {
public:
  ws_sink(std::weak_ptr<ws_session> s, std::shared_ptr<session_gate> gate)
      : session_(std::move(s)), gate_(std::move(gate)) {}
  void send(std::string frame) override {
    with_session([&](ws_session& s) { s.post_send(std::move(frame), std::nullopt); });
  }
  void send(std::string frame, uint64_t written_token) override {
    with_session([&](ws_session& s) { s.post_send(std::move(frame), written_token); });
  }
  void close(uint16_t code, std::string reason) override {
    with_session([&](ws_session& s) { s.post_close(code, std::move(reason)); });
  }
  void abort() override {
    with_session([](ws_session& s) { s.post_abort(); });
  }
  void consumed(std::size_t n) override {
    with_session([n](ws_session& s) { s.post_consumed(n); });
  }

private:
  /// The strong reference lives only inside the gate, so it is never the
  /// last one after the io_context is gone.
  template <class F>
  void with_session(F&& f) {
    gate_->with_open([&] {
      if (auto s = session_.lock())
        f(*s);
    });
  }

  std::weak_ptr<ws_session> session_;
  std::shared_ptr<session_gate> gate_;
};

void ws_session::on_accept(const error_code& ec) {
  if (ec) {
    fail(ec, "ws accept");
    phase_ = phase::done; // no actor yet: nobody to tell
    state_->registry.forget(info_.id);
    return;
  }
  if (abort_reason_) { // shut down while the handshake ran
    phase_ = phase::done;
    state_->registry.forget(info_.id);
    return;
  }
  phase_ = phase::open;
  state_->metrics.connections_total.inc();
  state_->metrics.connections_active.add(1);
  try {
    actor_ = state_->factory(std::make_shared<ws_sink>(weak_from_this(), state_->gate), info_);
  } catch (const std::exception& e) {
    log::error("gateway") << "connection factory threw: " << e.what();
  }
  if (!actor_) {
    state_->metrics.error("connection_factory_failed");
    begin_close(close_internal, "internal error", /*flush=*/false, close_deadline());
    do_read();
    return;
  }
  // The other direction of "close in either direction tears down the
  // other": an actor that dies while its socket is open closes it.
  actor_->attach_functor([weak = weak_from_this(), gate = state_->gate](const caf::error&) {
    gate->with_open([&] {
      if (auto s = weak.lock())
        s->post_close(close_internal, "internal error");
    });
  });
  last_rx_ = clock_type::now();
  ws_.control_callback([this](websocket::frame_type, beast::string_view) {
    last_rx_ = clock_type::now(); // pings and pongs prove liveness too (§1.8)
  });
  arm_keepalive();
  do_read();
}

void ws_session::do_read() {
  ws_.async_read(buffer_, [self = shared_from_this()](const error_code& ec, std::size_t n) {
    self->on_read(ec, n);
  });
}

void ws_session::on_read(const error_code& ec, std::size_t bytes) {
  if (ec) {
    finish(ec);
    return;
  }
  last_rx_ = clock_type::now();
  state_->metrics.frames_in.inc();
  state_->metrics.bytes_in.inc(bytes);
  // Text and binary alike (spec §1.2): the codec validates UTF-8 either way.
  std::string text = beast::buffers_to_string(buffer_.data());
  buffer_.consume(buffer_.size());
  if (phase_ == phase::open && !pending_close_)
    deliver(text);
  if (frames_pending_ >= pending_max() && phase_ == phase::open) {
    read_paused_ = true; // TCP backpressure until the actor catches up
    return;
  }
  do_read();
}

void ws_session::deliver(const std::string& text) {
  auto decoded = wire::decode(text, state_->cfg.json_depth_max);
  if (auto* in = std::get_if<wire::inbound>(&decoded)) {
    ++frames_pending_;
    caf::anon_send(actor_, std::move(*in));
    return;
  }
  auto& failure = std::get<wire::decode_failure>(decoded);
  switch (failure.code) {
    case wire::decode_errc::not_json:
      state_->metrics.error("parse_error"); // §1.2: dropped without a reply
      return;
    case wire::decode_errc::too_deep:
      state_->metrics.error("invalid_frame_too_deep");
      break;
    case wire::decode_errc::not_object:
      state_->metrics.error("invalid_frame_not_object");
      break;
    case wire::decode_errc::missing_type:
      state_->metrics.error("invalid_frame_missing_type");
      break;
  }
  // Answered by the connection's actor, in order with the frames before it
  // (deviation 27), not from here.
  wire::inbound in;
  in.payload = frame_error{"invalid_frame", failure.detail, std::nullopt};
  ++frames_pending_;
  caf::anon_send(actor_, std::move(in));
}

void ws_session::on_send(std::string frame, std::optional<uint64_t> written_token) {
  if (phase_ != phase::open || pending_close_)
    return; // closing: nothing more goes out
  if (queue_.size() >= static_cast<std::size_t>(state_->cfg.ws_outbound_queue_frames_max)) {
    state_->metrics.error("slow_consumer");
    log::info("gateway") << "connection " << info_.id << " too slow, closing";
    begin_close(close_policy, "slow consumer", /*flush=*/false, close_deadline());
    return;
  }
  queue_.push_back(outbound{std::move(frame), written_token});
  if (!writing_)
    do_write();
}

void ws_session::do_write() {
  writing_ = true;
  ws_.text(true); // the broker always sends text (spec §1.2)
  ws_.async_write(net::buffer(queue_.front().frame),
                  [self = shared_from_this()](const error_code& ec, std::size_t n) {
                    self->on_write(ec, n);
                  });
}

void ws_session::on_write(const error_code& ec, std::size_t bytes) {
  writing_ = false;
  if (ec) {
    fail(ec, "ws write"); // the pending read ends the session
    return;
  }
  state_->metrics.frames_out.inc();
  state_->metrics.bytes_out.inc(bytes);
  if (!queue_.empty()) {
    // actor_ is null once connection_closed went out: nothing may follow it.
    if (queue_.front().written_token && actor_)
      caf::anon_send(actor_, frame_written{*queue_.front().written_token});
    queue_.pop_front();
  }
  if (phase_ != phase::open)
    return;
  if (!queue_.empty()) {
    do_write();
    return;
  }
  if (pending_close_)
    start_close();
}

/// `flush`: write what is queued first (a reply before a handshake close);
/// otherwise drop it (slow consumer). If the peer has not finished the close
/// by `abort_at`, the TCP connection is aborted.
void ws_session::begin_close(uint16_t code, std::string reason, bool flush,
                             clock_type::time_point abort_at) {
  if (phase_ != phase::open || pending_close_)
    return;
  // A close frame carries at most 123 bytes of reason (RFC 6455 §5.5).
  if (reason.size() > 123)
    reason.resize(123);
  pending_close_ = websocket::close_reason(static_cast<websocket::close_code>(code), reason);
  arm_close_deadline(abort_at);
  if (!flush) {
    // Beast still reads the front buffer while a write is in flight.
    queue_.erase(writing_ ? std::next(queue_.begin()) : queue_.begin(), queue_.end());
    start_close(); // Beast runs it after the in-flight write, if any
    return;
  }
  if (queue_.empty() && !writing_)
    start_close();
  // else on_write starts the close once the queue is drained
}

/// Moves the abort deadline of a started close earlier, never later.
void ws_session::arm_close_deadline(clock_type::time_point abort_at) {
  if (phase_ == phase::done || !pending_close_ || abort_at >= close_abort_at_)
    return;
  close_abort_at_ = abort_at;
  close_timer_.expires_at(abort_at); // cancels an earlier wait
  close_timer_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (!ec && self->phase_ != phase::done)
      self->abort("close not completed in time");
  });
}

void ws_session::start_close() {
  if (phase_ != phase::open)
    return;
  phase_ = phase::closing;
  sent_close_ = pending_close_;
  ws_.async_close(*pending_close_, [self = shared_from_this()](const error_code& ec) {
    if (ec)
      fail(ec, "ws close"); // the pending read ends the session
  });
}

/// Drops the TCP connection without a close frame; the pending read then
/// fails and finish() tells the actor (code 1006).
void ws_session::abort(const char* why) {
  if (phase_ == phase::done || abort_reason_)
    return;
  abort_reason_ = why;
  error_code ignored;
  beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).close();
}

void ws_session::arm_keepalive() {
  keepalive_timer_.expires_after(std::chrono::milliseconds(state_->cfg.ws_ping_interval_ms));
  keepalive_timer_.async_wait(
      [self = shared_from_this()](const error_code& ec) { self->on_keepalive(ec); });
}

void ws_session::on_keepalive(const error_code& ec) {
  if (ec || phase_ == phase::done)
    return;
  if (read_paused_)
    last_rx_ = clock_type::now(); // not reading is our doing: pongs wait in the socket
  if (clock_type::now() - last_rx_ > pong_timeout()) {
    state_->metrics.error("keepalive_timeout");
    log::info("gateway") << "connection " << info_.id << " silent too long, aborting";
    abort("keepalive timeout");
    return;
  }
  if (phase_ == phase::open && !ping_in_flight_) {
    ping_in_flight_ = true;
    ws_.async_ping({}, [self = shared_from_this()](const error_code& ping_ec) {
      self->ping_in_flight_ = false;
      if (ping_ec)
        fail(ping_ec, "ws ping");
    });
  }
  arm_keepalive();
}

void ws_session::finish(const error_code& ec) {
  if (phase_ == phase::done)
    return;
  // The code the actor hears: that of the close handshake when one
  // completed (even if the TCP teardown after it did not), 1009 when the
  // peer sent too much, else 1006 (aborted, timed out, reset).
  uint16_t code = close_abnormal;
  std::string reason;
  const websocket::close_reason& peer = ws_.reason(); // code none until a close frame came
  const bool peer_closed = ec == websocket::error::closed || peer.code != websocket::close_code::none;
  if (sent_close_ && peer_closed) {
    code = sent_close_->code;
    reason = std::string(sent_close_->reason.c_str());
  } else if (ec == websocket::error::closed) {
    // A close frame without a status reports 1005 (RFC 6455 §7.1.5).
    code = peer.code == websocket::close_code::none ? uint16_t{1005} : uint16_t{peer.code};
    reason = std::string(peer.reason.c_str());
  } else if (ec == websocket::error::message_too_big) {
    state_->metrics.error("frame_too_big"); // Beast already sent 1009
    code = close_too_big;
    reason = "message too big";
  } else if (abort_reason_) {
    reason = abort_reason_;
  } else {
    fail(ec, "ws read");
    reason = ec.message();
  }
  phase_ = phase::done;
  keepalive_timer_.cancel();
  close_timer_.cancel();
  // queue_ stays: a write still in flight reads its front buffer.
  error_code ignored;
  beast::get_lowest_layer(ws_).socket().close(ignored);
  state_->metrics.connections_active.add(-1);
  state_->registry.forget(info_.id);
  notify_closed(code, std::move(reason));
}

void ws_session::notify_closed(uint16_t code, std::string reason) {
  if (actor_)
    caf::anon_send(actor_, connection_closed{code, std::move(reason)});
  actor_ = nullptr;
}

} // namespace

void start_ws_session(tcp::socket socket, http::request<http::string_body> request,
                      std::shared_ptr<gateway_state> state) {
  std::make_shared<ws_session>(std::move(socket), std::move(state))->run(std::move(request));
}

} // namespace nexus::transport
