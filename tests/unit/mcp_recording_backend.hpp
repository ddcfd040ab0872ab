// recording_backend: a mesh_backend for the bridge's unit tests that
// answers from fixed values and records each call, so the tests can check
// what a tool call turned into without a broker. The end-to-end path over a
// real broker is tests/interop/mcp_bridge.test.js.
#pragma once

#include "mcp/channel_hub.hpp"
#include "mcp/mesh_backend.hpp"
#include "mcp/server.hpp"
#include "tests/support/wait.hpp"

#include <caf/all.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

namespace nexus::test {

class recording_backend : public mcp::mesh_backend {
public:
  /// Every call is recorded as "<tool>" plus whatever the test reads from
  /// the last_* fields. `fail_with` non-empty → every call fails with it.
  std::string fail_with;
  std::vector<std::string> calls;
  mcp::outgoing_message last_send;
  set_state_frame last_set_state;
  mcp::reminder_request last_reminder;
  set_profile_frame last_profile;
  std::function<void(mcp::inbound_message)> receiver;

  template <class T>
  mcp::outcome<T> answer(const char* call, T value) {
    std::lock_guard<std::mutex> lock(mutex_);
    calls.push_back(call);
    if (!fail_with.empty())
      return mcp::backend_error{fail_with};
    return value;
  }

  mcp::outcome<mcp::sent_message> send_message(const mcp::outgoing_message& m) override {
    last_send = m;
    return answer("send_message", mcp::sent_message{"msg-1", true});
  }
  mcp::outcome<std::vector<peer_entry>> list_peers() override {
    peer_entry p;
    p.displayName = "bob";
    p.pubkey = std::string(64, 'b');
    p.status = "idle";
    return answer("list_peers", std::vector<peer_entry>{p});
  }
  mcp::outcome<message_status_result_frame> message_status(const std::string& id) override {
    message_status_result_frame f;
    f.messageId = id;
    return answer("message_status", f);
  }
  mcp::outcome<mcp::done> set_status(const set_status_frame&) override { return answer("set_status", mcp::done{}); }
  mcp::outcome<mcp::done> set_summary(const set_summary_frame&) override { return answer("set_summary", mcp::done{}); }
  mcp::outcome<mcp::done> set_visible(const set_visible_frame&) override { return answer("set_visible", mcp::done{}); }
  mcp::outcome<mcp::done> set_profile(const set_profile_frame& f) override {
    last_profile = f;
    return answer("set_profile", mcp::done{});
  }
  mcp::outcome<mcp::done> join_group(const join_group_frame&) override { return answer("join_group", mcp::done{}); }
  mcp::outcome<mcp::done> leave_group(const leave_group_frame&) override { return answer("leave_group", mcp::done{}); }
  mcp::outcome<mcp::done> set_state(const set_state_frame& f) override {
    last_set_state = f;
    return answer("set_state", mcp::done{});
  }
  mcp::outcome<std::optional<state_entry>> get_state(const get_state_frame& f) override {
    if (f.key != "build")
      return answer("get_state", std::optional<state_entry>{});
    return answer("get_state", std::optional<state_entry>(state_entry{"build", R"({"ok":true})", "alice", 0}));
  }
  mcp::outcome<std::vector<state_entry>> list_state() override { return answer("list_state", std::vector<state_entry>{}); }
  mcp::outcome<std::string> remember(const remember_frame&) override { return answer("remember", std::string("mem-1")); }
  mcp::outcome<std::vector<memory_entry>> recall(const recall_frame&) override { return answer("recall", std::vector<memory_entry>{}); }
  mcp::outcome<mcp::done> forget(const forget_frame&) override { return answer("forget", mcp::done{}); }
  mcp::outcome<std::string> share_context(const share_context_frame&) override { return answer("share_context", std::string("ctx-1")); }
  mcp::outcome<std::vector<context_entry>> get_context(const get_context_frame&) override { return answer("get_context", std::vector<context_entry>{}); }
  mcp::outcome<std::vector<context_entry>> list_contexts() override { return answer("list_contexts", std::vector<context_entry>{}); }
  mcp::outcome<std::string> create_task(const create_task_frame&) override { return answer("create_task", std::string("task-1")); }
  mcp::outcome<std::vector<task_entry>> claim_task(const claim_task_frame&) override { return answer("claim_task", std::vector<task_entry>{}); }
  mcp::outcome<std::vector<task_entry>> complete_task(const complete_task_frame&) override { return answer("complete_task", std::vector<task_entry>{}); }
  mcp::outcome<std::vector<task_entry>> list_tasks(const list_tasks_frame&) override { return answer("list_tasks", std::vector<task_entry>{}); }
  mcp::outcome<mcp::scheduled_ack> schedule_reminder(const mcp::reminder_request& r) override {
    last_reminder = r;
    return answer("schedule_reminder", mcp::scheduled_ack{"sch-1", r.deliverAt_ms.value_or(0), r.cron});
  }
  mcp::outcome<std::vector<mcp::scheduled_entry>> list_scheduled() override { return answer("list_scheduled", std::vector<mcp::scheduled_entry>{}); }
  mcp::outcome<bool> cancel_scheduled(const std::string& id) override { return answer("cancel_scheduled", id == "sch-1"); }
  mcp::outcome<stream_created_frame> create_stream(const create_stream_frame& f) override {
    return answer("create_stream", stream_created_frame{"str-1", f.name, std::nullopt});
  }
  mcp::outcome<mcp::done> publish(const publish_frame&) override { return answer("publish", mcp::done{}); }
  mcp::outcome<mcp::done> subscribe(const subscribe_frame&) override { return answer("subscribe", mcp::done{}); }
  mcp::outcome<std::vector<stream_entry>> list_streams() override { return answer("list_streams", std::vector<stream_entry>{}); }
  mcp::outcome<mesh_info_result_frame> mesh_info() override {
    mesh_info_result_frame f;
    f.mesh = "mesh-1";
    return answer("mesh_info", f);
  }
  void on_inbound(std::function<void(mcp::inbound_message)> r) override { receiver = std::move(r); }

private:
  std::mutex mutex_; // test bookkeeping only: the HTTP test calls from several threads
};

/// A bridge without a transport: actor system, recording backend, hub and
/// server wired the way nexus-mcp wires them.
struct bridge_core {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  recording_backend backend;
  mcp::tool_table tools;
  caf::actor hub = mcp::spawn_channel_hub(sys, 100);
  mcp::server srv{tools,
                  mcp::tool_context{backend, [this] { return mcp::take_inbox(sys, hub); },
                                    [] { return int64_t{0}; }},
                  mcp::server_info{"nexus-mcp", "1", ""}, 32};

  ~bridge_core() { caf::anon_send_exit(hub, caf::exit_reason::user_shutdown); }

  /// Blocks until `n` outputs subscribe to the hub (or 5 s pass).
  bool wait_for_subscribers(int64_t n) {
    caf::scoped_actor self{sys};
    return wait_until(
        [&] {
          int64_t now = -1;
          self->request(hub, std::chrono::seconds(5), mcp::hub_status_atom::value)
              .receive([&](const mcp::hub_status& s) { now = s.subscribers; }, [](caf::error&) {});
          return now == n;
        },
        std::chrono::seconds(5));
  }
};

} // namespace nexus::test
