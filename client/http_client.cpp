#include "client/http_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>

namespace nexus::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::optional<http_response> http_call(const broker_url& url, const std::string& method,
                                       const std::string& target, const std::string& body,
                                       int64_t timeout_ms, std::string* error) {
  asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, url.host_port());
  req.set(http::field::user_agent, "nexus-cli");
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  http::response<http::string_body> res;
  beast::error_code failure;
  std::string stage = "resolve";
  // Async operations so that one deadline (tcp_stream's) covers them all.
  stream.expires_after(std::chrono::milliseconds(timeout_ms));
  resolver.async_resolve(url.host, std::to_string(url.port), [&](beast::error_code ec, tcp::resolver::results_type r) {
    if (ec)
      return void(failure = ec);
    stage = "connect";
    stream.async_connect(r, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec)
        return void(failure = ec);
      stage = "send";
      http::async_write(stream, req, [&](beast::error_code ec, size_t) {
        if (ec)
          return void(failure = ec);
        stage = "read";
        http::async_read(stream, buffer, res, [&](beast::error_code ec, size_t) {
          if (ec)
            failure = ec;
        });
      });
    });
  });
  io.run_for(std::chrono::milliseconds(timeout_ms + 1000));
  if (failure || stage != "read" || res.result_int() == 0) {
    if (error)
      *error = method + " " + url.http_base() + target + ": " + stage + " failed: " +
               (failure ? failure.message() : std::string("no answer in time"));
    return std::nullopt;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return http_response{static_cast<int>(res.result_int()), res.body()};
}

} // namespace nexus::client
