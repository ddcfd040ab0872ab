// Decoding of the request replies (§3.10, §5.1–§5.8): one small function per
// reply type, selected by decode_reply. Unknown types → unknown_frame.
#include "client/client_codec.hpp"
#include "client/json_read.hpp"

#include <functional>
#include <map>

namespace nexus::client {
namespace {

using json::value;

state_entry state_of(const value& e) {
  state_entry s;
  s.key = json::str(e, "key");
  s.value_json = json::text(e, "value");
  s.updatedBy = json::str(e, "updatedBy");
  s.updatedAt_ms = json::time_ms(e, "updatedAt");
  return s;
}

task_entry task_of(const value& e) {
  task_entry t;
  t.id = json::str(e, "id");
  t.title = json::str(e, "title");
  t.assignee = json::opt_str(e, "assignee");
  t.claimedBy = json::opt_str(e, "claimedBy");
  t.status = json::str(e, "status");
  t.priority = json::str(e, "priority");
  t.createdBy = json::opt_str(e, "createdBy");
  t.tags = json::strings(e, "tags");
  t.result = json::opt_str(e, "result");
  t.createdAt_ms = json::time_ms(e, "createdAt");
  return t;
}

context_list_frame contexts_of(const value& f, bool full) {
  context_list_frame c;
  c.full = full;
  json::each_object(f, "contexts", [&](const value& e) {
    context_entry x;
    x.peerName = json::str(e, "peerName");
    x.summary = json::str(e, "summary");
    x.filesRead = json::strings(e, "filesRead");
    x.keyFindings = json::strings(e, "keyFindings");
    x.tags = json::strings(e, "tags");
    x.updatedAt_ms = json::time_ms(e, "updatedAt");
    c.contexts.push_back(std::move(x));
  });
  return c;
}

using decoder = std::function<server_payload(const value&)>;

const std::map<std::string, decoder>& decoders() {
  static const std::map<std::string, decoder> all = {
      {"message_status_result",
       [](const value& f) -> server_payload {
         message_status_result_frame r;
         r.messageId = json::str(f, "messageId");
         r.targetSpec = json::str(f, "targetSpec");
         r.delivered = json::boolean(f, "delivered");
         if (int64_t at = json::time_ms(f, "deliveredAt"))
           r.deliveredAt_ms = at;
         json::each_object(f, "recipients", [&](const value& e) {
           r.recipients.push_back(
               {json::str(e, "name"), json::str(e, "pubkey"), json::str(e, "status")});
         });
         return r;
       }},
      {"state_result",
       [](const value& f) -> server_payload {
         state_result_frame r;
         r.key = json::str(f, "key");
         if (!json::str(f, "updatedAt").empty()) // a missing key has updatedAt "" (§5.1)
           r.entry = state_of(f);
         return r;
       }},
      {"state_list",
       [](const value& f) -> server_payload {
         state_list_frame r;
         json::each_object(f, "entries", [&](const value& e) { r.entries.push_back(state_of(e)); });
         return r;
       }},
      {"memory_stored",
       [](const value& f) -> server_payload {
         memory_stored_frame r;
         r.id = json::str(f, "id");
         return r;
       }},
      {"memory_results",
       [](const value& f) -> server_payload {
         memory_results_frame r;
         json::each_object(f, "memories", [&](const value& e) {
           memory_entry m;
           m.id = json::str(e, "id");
           m.content = json::str(e, "content");
           m.tags = json::strings(e, "tags");
           m.rememberedBy = json::str(e, "rememberedBy");
           m.rememberedAt_ms = json::time_ms(e, "rememberedAt");
           r.memories.push_back(std::move(m));
         });
         return r;
       }},
      {"task_created",
       [](const value& f) -> server_payload {
         task_created_frame r;
         r.id = json::str(f, "id");
         return r;
       }},
      {"task_list",
       [](const value& f) -> server_payload {
         task_list_frame r;
         json::each_object(f, "tasks", [&](const value& e) { r.tasks.push_back(task_of(e)); });
         return r;
       }},
      {"context_shared",
       [](const value& f) -> server_payload { return context_shared_frame{json::str(f, "id")}; }},
      {"context_results", [](const value& f) -> server_payload { return contexts_of(f, true); }},
      {"context_list", [](const value& f) -> server_payload { return contexts_of(f, false); }},
      {"stream_created",
       [](const value& f) -> server_payload {
         stream_created_frame r;
         r.id = json::str(f, "id");
         r.name = json::str(f, "name");
         return r;
       }},
      {"subscribed",
       [](const value& f) -> server_payload {
         subscribed_frame r;
         r.stream = json::str(f, "stream");
         return r;
       }},
      {"stream_list",
       [](const value& f) -> server_payload {
         stream_list_frame r;
         json::each_object(f, "streams", [&](const value& e) {
           r.streams.push_back({json::str(e, "id"), json::str(e, "name"), json::str(e, "createdBy"),
                                json::time_ms(e, "createdAt"), json::integer(e, "subscriberCount")});
         });
         return r;
       }},
      {"mesh_info_result",
       [](const value& f) -> server_payload {
         mesh_info_result_frame r;
         r.mesh = json::str(f, "mesh");
         r.peers = json::integer(f, "peers");
         r.groups = json::strings(f, "groups");
         r.stateKeys = json::strings(f, "stateKeys");
         r.memoryCount = json::integer(f, "memoryCount");
         r.fileCount = json::integer(f, "fileCount");
         if (const value* t = json::field(f, "tasks"))
           r.tasks = {json::integer(*t, "open"), json::integer(*t, "claimed"),
                      json::integer(*t, "done")};
         r.streams = json::strings(f, "streams");
         r.yourName = json::str(f, "yourName");
         for (auto& g : json::groups(f, "yourGroups"))
           r.yourGroups.push_back({g.name, g.role});
         return r;
       }},
      {"clock_status",
       [](const value& f) -> server_payload {
         clock_status_frame r;
         r.speed = json::number(f, "speed");
         r.paused = json::boolean(f, "paused");
         r.tick = json::integer(f, "tick");
         r.simTime_ms = json::time_ms(f, "simTime");
         r.startedAt_ms = json::time_ms(f, "startedAt");
         return r;
       }},
      {"scheduled_ack",
       [](const value& f) -> server_payload {
         scheduled_ack_frame r;
         r.scheduledId = json::str(f, "scheduledId");
         r.deliverAt_ms = json::integer(f, "deliverAt");
         r.cron = json::opt_str(f, "cron");
         return r;
       }},
      {"scheduled_list",
       [](const value& f) -> server_payload {
         scheduled_list_frame r;
         json::each_object(f, "messages", [&](const value& e) {
           r.messages.push_back({json::str(e, "id"), json::str(e, "to"), json::str(e, "message"),
                                 json::time_ms(e, "deliverAt"), json::time_ms(e, "createdAt"),
                                 json::opt_str(e, "cron"), json::opt_integer(e, "firedCount")});
         });
         return r;
       }},
      {"invite_created",
       [](const value& f) -> server_payload {
         invite_created_frame r;
         if (const value* i = json::field(f, "invite")) {
           r.code = json::str(*i, "code");
           r.inviteId = json::str(*i, "inviteId");
           r.meshId = json::str(*i, "meshId");
           r.role = json::str(*i, "role");
           r.maxUses = json::integer(*i, "maxUses");
           r.expiresAt_s = json::integer(*i, "expiresAt");
         }
         r.canonical = json::str(f, "canonical");
         return r;
       }},
      {"cancel_scheduled_ack",
       [](const value& f) -> server_payload {
         cancel_scheduled_ack_frame r;
         r.scheduledId = json::str(f, "scheduledId");
         r.ok = json::boolean(f, "ok");
         return r;
       }},
  };
  return all;
}

} // namespace

server_payload decode_reply(const std::string& type, const json::value& f) {
  auto it = decoders().find(type);
  if (it == decoders().end())
    return unknown_frame{};
  return it->second(f);
}

} // namespace nexus::client
