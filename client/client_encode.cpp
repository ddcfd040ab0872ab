// Encoders of the client frames (PROTOCOL.md §2.1, §3.1, §4, §5). Field
// names and shapes mirror the node's decoders (transport/frame_decode*.cpp).
#include "client/client_codec.hpp"

#include "transport/json_writer.hpp"

namespace nexus::client {
namespace {

using wire::json_writer;

void begin(json_writer& w, const char* type) {
  w.begin_object();
  w.str_field("type", type);
}

struct presence_encoder {
  json_writer& w;
  void operator()(const list_peers_frame&) { begin(w, "list_peers"); }
  void operator()(const set_status_frame& f) {
    begin(w, "set_status");
    w.str_field("status", f.status);
  }
  void operator()(const set_summary_frame& f) {
    begin(w, "set_summary");
    w.str_field("summary", f.summary);
  }
  void operator()(const set_visible_frame& f) {
    begin(w, "set_visible");
    w.bool_field("visible", f.visible);
  }
  void operator()(const set_profile_frame& f) {
    begin(w, "set_profile");
    w.opt_str_field("avatar", f.avatar);
    w.opt_str_field("title", f.title);
    w.opt_str_field("bio", f.bio);
    if (f.capabilities)
      w.strings_field("capabilities", *f.capabilities);
  }
  void operator()(const join_group_frame& f) {
    begin(w, "join_group");
    w.str_field("name", f.name);
    w.opt_str_field("role", f.role);
  }
  void operator()(const leave_group_frame& f) {
    begin(w, "leave_group");
    w.str_field("name", f.name);
  }
  void operator()(const message_status_frame& f) {
    begin(w, "message_status");
    w.str_field("messageId", f.messageId);
  }
};

struct collab_encoder {
  json_writer& w;
  void operator()(const set_state_frame& f) {
    begin(w, "set_state");
    w.str_field("key", f.key);
    w.raw_field("value", f.value_json);
  }
  void operator()(const get_state_frame& f) {
    begin(w, "get_state");
    w.str_field("key", f.key);
  }
  void operator()(const list_state_frame&) { begin(w, "list_state"); }
  void operator()(const remember_frame& f) {
    begin(w, "remember");
    w.str_field("content", f.content);
    w.strings_field("tags", f.tags);
  }
  void operator()(const recall_frame& f) {
    begin(w, "recall");
    w.str_field("query", f.query);
  }
  void operator()(const forget_frame& f) {
    begin(w, "forget");
    w.str_field("memoryId", f.memoryId);
  }
  void operator()(const create_task_frame& f) {
    begin(w, "create_task");
    w.str_field("title", f.title);
    w.opt_str_field("assignee", f.assignee);
    w.str_field("priority", f.priority);
    w.strings_field("tags", f.tags);
  }
  void operator()(const claim_task_frame& f) {
    begin(w, "claim_task");
    w.str_field("taskId", f.taskId);
  }
  void operator()(const complete_task_frame& f) {
    begin(w, "complete_task");
    w.str_field("taskId", f.taskId);
    w.opt_str_field("result", f.result);
  }
  void operator()(const list_tasks_frame& f) {
    begin(w, "list_tasks");
    w.opt_str_field("status", f.status);
    w.opt_str_field("assignee", f.assignee);
  }
  void operator()(const share_context_frame& f) {
    begin(w, "share_context");
    w.str_field("summary", f.summary);
    w.strings_field("filesRead", f.filesRead);
    w.strings_field("keyFindings", f.keyFindings);
    w.strings_field("tags", f.tags);
  }
  void operator()(const get_context_frame& f) {
    begin(w, "get_context");
    w.str_field("query", f.query);
  }
  void operator()(const list_contexts_frame&) { begin(w, "list_contexts"); }
};

struct mesh_op_encoder {
  json_writer& w;
  void operator()(const create_stream_frame& f) {
    begin(w, "create_stream");
    w.str_field("name", f.name);
  }
  void operator()(const subscribe_frame& f) {
    begin(w, "subscribe");
    w.str_field("stream", f.stream);
  }
  void operator()(const unsubscribe_frame& f) {
    begin(w, "unsubscribe");
    w.str_field("stream", f.stream);
  }
  void operator()(const publish_frame& f) {
    begin(w, "publish");
    w.str_field("stream", f.stream);
    if (f.data_json)
      w.raw_field("data", *f.data_json);
  }
  void operator()(const list_streams_frame&) { begin(w, "list_streams"); }
  void operator()(const mesh_info_frame&) { begin(w, "mesh_info"); }
  void operator()(const set_clock_frame& f) {
    begin(w, "set_clock");
    if (f.speed)
      w.number_field("speed", *f.speed);
  }
  void operator()(const pause_clock_frame&) { begin(w, "pause_clock"); }
  void operator()(const resume_clock_frame&) { begin(w, "resume_clock"); }
  void operator()(const get_clock_frame&) { begin(w, "get_clock"); }
};

struct schedule_encoder {
  json_writer& w;
  void operator()(const schedule_request_frame& f) {
    begin(w, "schedule");
    w.str_field("to", f.to);
    w.str_field("message", f.message);
    // §5.6 names deliverAt on every schedule; a cron entry sends 0.
    w.int_field("deliverAt", f.deliverAt.value_or(0));
    if (f.delayMs)
      w.int_field("delayMs", *f.delayMs);
    w.opt_str_field("subtype", f.subtype);
    if (f.cron) {
      w.str_field("cron", *f.cron);
      w.bool_field("recurring", true);
    }
  }
  void operator()(const list_scheduled_frame&) { begin(w, "list_scheduled"); }
  void operator()(const cancel_scheduled_frame& f) {
    begin(w, "cancel_scheduled");
    w.str_field("scheduledId", f.scheduledId);
  }
};

struct identity_encoder {
  json_writer& w;
  void operator()(const invite_create_frame& f) {
    begin(w, "invite_create");
    w.str_field("inviteId", f.inviteId);
    w.int_field("expiresAt", f.expiresAt_s);
    w.str_field("role", f.role);
    w.int_field("maxUses", f.maxUses);
    w.str_field("signature", f.signature);
    if (f.preset_display_name) {
      w.key("preset");
      w.begin_object();
      w.str_field("displayName", *f.preset_display_name);
      w.end_object();
    }
  }
};

template <class... Ts>
struct overload : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
overload(Ts...) -> overload<Ts...>;

} // namespace

std::string encode_hello(const hello_frame& f) {
  json_writer w;
  begin(w, "hello");
  w.str_field("meshId", f.meshId);
  w.str_field("memberId", f.memberId);
  w.str_field("pubkey", f.pubkey);
  w.opt_str_field("sessionPubkey", f.sessionPubkey);
  if (!f.displayName.empty())
    w.str_field("displayName", f.displayName);
  w.opt_str_field("sessionId", f.sessionId);
  w.int_field("pid", f.pid);
  w.str_field("cwd", f.cwd);
  w.opt_str_field("hostname", f.hostname);
  w.opt_str_field("peerType", f.peerType);
  w.opt_str_field("channel", f.channel);
  // The signed canonical string prints the timestamp as an integer; an
  // integral double prints the same way in JSON as Int64.
  w.int_field("timestamp", static_cast<int64_t>(f.timestamp.value_or(0)));
  w.str_field("signature", f.signature);
  w.end_object();
  return w.take();
}

std::string encode_send(const send_frame& f) {
  json_writer w;
  begin(w, "send");
  w.opt_str_field("id", f.id);
  w.str_field("targetSpec", f.targetSpec);
  w.str_field("priority", f.priority);
  w.str_field("nonce", f.nonce);
  w.str_field("ciphertext", f.ciphertext);
  w.opt_str_field("client_message_id", f.client_message_id);
  w.end_object();
  return w.take();
}

std::string encode_request(const request_frame& f, const std::string& req_id) {
  json_writer w;
  std::visit(overload{[&](const presence_op& op) { std::visit(presence_encoder{w}, op); },
                      [&](const collab_request& op) { std::visit(collab_encoder{w}, op); },
                      [&](const mesh_op& op) { std::visit(mesh_op_encoder{w}, op); },
                      [&](const schedule_op& op) { std::visit(schedule_encoder{w}, op.request); },
                      [&](const identity_op& op) { std::visit(identity_encoder{w}, op); }},
             f);
  w.str_field("_reqId", req_id);
  w.end_object();
  return w.take();
}

std::vector<std::string> reply_types(const request_frame& f) {
  using v = std::vector<std::string>;
  return std::visit(
      overload{
          [](const presence_op& op) -> v {
            return std::visit(
                overload{[](const list_peers_frame&) -> v { return {"peers_list"}; },
                         [](const set_visible_frame&) -> v { return {"ack"}; },
                         [](const set_profile_frame&) -> v { return {"ack"}; },
                         [](const message_status_frame&) -> v { return {"message_status_result"}; },
                         [](const auto&) -> v { return {}; }},
                op);
          },
          [](const collab_request& op) -> v {
            return std::visit(
                overload{[](const set_state_frame&) -> v { return {}; },
                         [](const get_state_frame&) -> v { return {"state_result"}; },
                         [](const list_state_frame&) -> v { return {"state_list"}; },
                         [](const remember_frame&) -> v { return {"memory_stored"}; },
                         [](const recall_frame&) -> v { return {"memory_results"}; },
                         [](const forget_frame&) -> v { return {"ack"}; },
                         [](const create_task_frame&) -> v { return {"task_created"}; },
                         [](const share_context_frame&) -> v { return {"context_shared"}; },
                         [](const get_context_frame&) -> v { return {"context_results"}; },
                         [](const list_contexts_frame&) -> v { return {"context_list"}; },
                         [](const auto&) -> v { return {"task_list"}; }}, // claim, complete, list
                op);
          },
          [](const mesh_op& op) -> v {
            return std::visit(
                overload{[](const create_stream_frame&) -> v { return {"stream_created"}; },
                         [](const subscribe_frame&) -> v { return {"subscribed"}; },
                         [](const unsubscribe_frame&) -> v { return {}; },
                         [](const publish_frame&) -> v { return {}; },
                         [](const list_streams_frame&) -> v { return {"stream_list"}; },
                         [](const mesh_info_frame&) -> v { return {"mesh_info_result"}; },
                         [](const auto&) -> v { return {"clock_status"}; }},
                op);
          },
          [](const schedule_op& op) -> v {
            return std::visit(
                overload{[](const schedule_request_frame&) -> v { return {"scheduled_ack"}; },
                         [](const list_scheduled_frame&) -> v { return {"scheduled_list"}; },
                         [](const cancel_scheduled_frame&) -> v { return {"cancel_scheduled_ack"}; }},
                op.request);
          },
          [](const identity_op&) -> v { return {"invite_created"}; }},
      f);
}

} // namespace nexus::client
