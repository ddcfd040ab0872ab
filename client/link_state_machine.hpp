// link_state_machine: the state of one broker_link actor and the two halves
// of its behaviour — the connection (broker_link.cpp: connect, hello,
// backoff, close) and the requests (link_requests.cpp: buffer, write,
// correlate, time out, open pushes). Internal to the client library.
#pragma once

#include "client/backoff.hpp"
#include "client/broker_link.hpp"
#include "client/client_codec.hpp"
#include "client/seen_ids.hpp"
#include "client/ws_client.hpp"

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nexus::client {

/// Socket events and timers, each tagged with the connection generation it
/// belongs to so that events of a replaced connection are ignored.
struct link_internal {
  enum class what { opened, frame, closed, hello_timeout, reconnect, request_timeout, stop_timeout };
  what kind;
  int64_t generation = 0;
  std::string text;      ///< frame: the frame; closed: the reason
  int close_code = 0;    ///< closed
  std::string req_id;    ///< request_timeout
};

/// One request from arrival to reply.
struct pending_request {
  std::string req_id;                  ///< our _reqId, or the send's id
  bool is_send = false;
  std::string frame_text;              ///< encoded, ready to write
  std::vector<std::string> expect;     ///< reply types; empty = none
  std::optional<request_frame> frame;  ///< the request (to shape ack replies)
  bool written = false;
  caf::typed_response_promise<link_reply> promise;
};

struct link_state_data {
  link_config cfg;
  link_state view;                        ///< what link_state_atom answers
  int64_t generation = 0;
  std::unique_ptr<ws_client> ws;
  bool hello_acked = false;
  std::optional<link_failure> hello_refusal; ///< the error frame that refused our hello
  std::unique_ptr<client::backoff> retry;
  std::map<std::string, pending_request> pending; ///< by req_id
  std::deque<std::string> buffered;       ///< not yet written, in arrival order
  std::deque<std::string> in_flight;      ///< written, waiting, in write order
  std::unique_ptr<seen_ids> seen;
  std::vector<caf::actor> subscribers;
  bool stopping = false;
  std::vector<caf::typed_response_promise<bool>> stop_promises;
  uint64_t next_req = 0;
  uint64_t handled = 0;
  int64_t last_activity_ms = 0;
  int64_t delivered = 0;                  ///< pushes handed to subscribers
  int64_t duplicates = 0;                 ///< pushes dropped as repeats
  static inline const char* name = "broker_link";
};

using link_actor = broker_link::stateful_pointer<link_state_data>;

// broker_link.cpp
void link_connect(link_actor self);
void link_publish_state(link_actor self);
// link_requests.cpp
caf::result<link_reply> link_accept(link_actor self, link_request& req);
void link_flush_buffer(link_actor self);
void link_on_frame(link_actor self, const std::string& text);
void link_on_request_timeout(link_actor self, const std::string& req_id);
/// Fails every waiting request (in flight, and buffered too if `all`).
void link_fail_pending(link_actor self, bool all, const link_failure& why);

} // namespace nexus::client
