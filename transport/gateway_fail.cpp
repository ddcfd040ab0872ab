#include "transport/gateway_state.hpp"

#include "config/log.hpp"

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/websocket/error.hpp>

namespace nexus::transport {

void fail(const boost::system::error_code& ec, const char* what) {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  // These end connections every day: peers leave, we close, we shut down.
  const bool normal = ec == net::error::operation_aborted || ec == net::error::eof ||
                      ec == net::error::connection_reset || ec == net::error::broken_pipe ||
                      ec == net::error::not_connected || ec == net::error::bad_descriptor ||
                      ec == beast::error::timeout || ec == beast::http::error::end_of_stream ||
                      ec == beast::websocket::error::closed;
  if (normal)
    log::debug("gateway") << what << ": " << ec.message();
  else
    log::warn("gateway") << what << ": " << ec.message();
}

} // namespace nexus::transport
