// The collaboration frames (§5.1–§5.4): decoding of every request type into
// collab_frame (defaults, wrong types → frame_error naming the field, NUL
// refused, state values kept as compact JSON text) and the exact JSON text
// of every reply the broker writes.
#include "transport/frame_encoders_collab.hpp"
#include "transport/wire_codec.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace nexus;
using namespace nexus::wire;

namespace {

constexpr int64_t depth_max = 8;

inbound decoded(const std::string& text) {
  auto r = decode(text, depth_max);
  REQUIRE(std::holds_alternative<inbound>(r));
  return std::get<inbound>(r);
}

template <class Frame>
Frame request_of(const std::string& text) {
  inbound in = decoded(text);
  if (auto* e = std::get_if<frame_error>(&in.payload))
    FAIL_CHECK("unexpected frame_error: " << e->message);
  REQUIRE(std::holds_alternative<collab_frame>(in.payload));
  const auto& req = std::get<collab_frame>(in.payload).request;
  REQUIRE(std::holds_alternative<Frame>(req));
  return std::get<Frame>(req);
}

std::string error_of(const std::string& text) {
  inbound in = decoded(text);
  REQUIRE(std::holds_alternative<frame_error>(in.payload));
  return std::get<frame_error>(in.payload).message;
}

} // namespace

TEST_SUITE("collab frames") {

TEST_CASE("set_state keeps any JSON value as compact text; null and missing are null") {
  auto f = request_of<set_state_frame>(R"({"type":"set_state","key":"k","value": {"z" : [1, 2.5, "ü"], "a":null}})");
  CHECK(f.key == "k");
  CHECK(f.value_json == R"({"z":[1,2.5,"ü"],"a":null})");
  CHECK(request_of<set_state_frame>(R"({"type":"set_state","key":"k","value":null})").value_json == "null");
  CHECK(request_of<set_state_frame>(R"({"type":"set_state","key":"k"})").value_json == "null");
  CHECK(request_of<set_state_frame>(R"({"type":"set_state","key":"k","value":"x\u0000y"})").value_json ==
        R"("x\u0000y")"); // escaped again in the text: storable as json
  CHECK(error_of(R"({"type":"set_state","value":1})") == "set_state: key must be a string");
  CHECK(error_of(R"({"type":"set_state","key":"a\u0000b"})") ==
        "set_state: key must not contain a NUL character");
  // Depth is bounded by the frame parser before any of this runs.
  auto deep = decode(R"({"type":"set_state","key":"k","value":[[[[[[[[1]]]]]]]]})", depth_max);
  CHECK(std::holds_alternative<decode_failure>(deep));
}

TEST_CASE("every request type decodes with its defaults") {
  CHECK(request_of<get_state_frame>(R"({"type":"get_state","key":"b"})").key == "b");
  request_of<list_state_frame>(R"({"type":"list_state"})");
  auto rem = request_of<remember_frame>(R"({"type":"remember","content":"c"})");
  CHECK(rem.content == "c");
  CHECK(rem.tags.empty());
  CHECK(request_of<remember_frame>(R"({"type":"remember","content":"c","tags":["a","b"]})").tags ==
        std::vector<std::string>{"a", "b"});
  CHECK(request_of<recall_frame>(R"({"type":"recall","query":"q"})").query == "q");
  CHECK(request_of<forget_frame>(R"({"type":"forget","memoryId":"m"})").memoryId == "m");
  auto ct = request_of<create_task_frame>(R"({"type":"create_task","title":"t"})");
  CHECK(ct.title == "t");
  CHECK(!ct.assignee);
  CHECK(ct.priority == "normal");
  auto ct2 = request_of<create_task_frame>(
      R"({"type":"create_task","title":"t","assignee":"bob","priority":"high","tags":["x"]})");
  CHECK(ct2.assignee == std::optional<std::string>("bob"));
  CHECK(ct2.priority == "high");
  CHECK(ct2.tags == std::vector<std::string>{"x"});
  CHECK(request_of<claim_task_frame>(R"({"type":"claim_task","taskId":"t1"})").taskId == "t1");
  auto done = request_of<complete_task_frame>(R"({"type":"complete_task","taskId":"t1","result":"ok"})");
  CHECK(done.result == std::optional<std::string>("ok"));
  auto lt = request_of<list_tasks_frame>(R"({"type":"list_tasks","status":"open","assignee":null})");
  CHECK(lt.status == std::optional<std::string>("open"));
  CHECK(!lt.assignee);
  auto sc = request_of<share_context_frame>(R"({"type":"share_context","summary":"s","filesRead":["f"]})");
  CHECK(sc.summary == "s");
  CHECK(sc.filesRead == std::vector<std::string>{"f"});
  CHECK(sc.keyFindings.empty());
  CHECK(request_of<share_context_frame>(R"({"type":"share_context"})").summary.empty());
  CHECK(request_of<get_context_frame>(R"({"type":"get_context","query":"q"})").query == "q");
  request_of<list_contexts_frame>(R"({"type":"list_contexts"})");
}

TEST_CASE("wrong types and missing fields name the field") {
  CHECK(error_of(R"({"type":"get_state"})") == "get_state: key must be a string");
  CHECK(error_of(R"({"type":"remember","content":"c","tags":[1]})") ==
        "remember: tags must be an array of strings");
  CHECK(error_of(R"({"type":"recall","query":5})") == "recall: query must be a string");
  CHECK(error_of(R"({"type":"forget"})") == "forget: memoryId must be a string");
  CHECK(error_of(R"({"type":"create_task","title":"t","assignee":3})") ==
        "create_task: assignee must be a string");
  CHECK(error_of(R"({"type":"claim_task","taskId":null})") == "claim_task: taskId must be a string");
  CHECK(error_of(R"({"type":"complete_task","taskId":"t","result":{}})") ==
        "complete_task: result must be a string");
  CHECK(error_of(R"({"type":"list_tasks","status":1})") == "list_tasks: status must be a string");
  CHECK(error_of(R"({"type":"share_context","summary":"s","tags":"x"})") ==
        "share_context: tags must be an array of strings");
  CHECK(error_of(R"({"type":"share_context","tags":["a\u0000"]})") ==
        "share_context: tags must not contain a NUL character");
  CHECK(error_of(R"({"type":"get_context"})") == "get_context: query must be a string");
}

TEST_CASE("state frames: raw values, the missing-key shape, _reqId only where echoed") {
  CHECK(encode_state_change({"k", R"({"a":[1]})", std::nullopt, "alice"}) ==
        R"({"type":"state_change","key":"k","value":{"a":[1]},"updatedBy":"alice"})");
  CHECK(encode_state_change({"_context:bob", "null", std::string("on \"it\""), "bob"}) ==
        R"({"type":"state_change","key":"_context:bob","value":"on \"it\"","updatedBy":"bob"})");
  state_result_frame found{"k", state_entry{"k", "null", "alice", 1776254400123}, std::string("r1")};
  CHECK(encode_state_result(found) ==
        R"({"type":"state_result","key":"k","value":null,"updatedBy":"alice",)"
        R"("updatedAt":"2026-04-15T12:00:00.123Z","_reqId":"r1"})");
  CHECK(encode_state_result({"nope", std::nullopt, std::string("r2")}) ==
        R"({"type":"state_result","key":"nope","value":null,"updatedBy":"","updatedAt":"","_reqId":"r2"})");
  state_list_frame list{{{"a", "1", "x", 0}}, std::nullopt};
  CHECK(encode_state_list(list) ==
        R"({"type":"state_list","entries":[{"key":"a","value":1,"updatedBy":"x",)"
        R"("updatedAt":"1970-01-01T00:00:00.000Z"}]})");
}

TEST_CASE("memory, task and context frames") {
  CHECK(encode_memory_stored({"m1", std::string("r")}) ==
        R"({"type":"memory_stored","id":"m1","memoryId":"m1","_reqId":"r"})");
  memory_results_frame mr{{{"m1", "c", {"t"}, "alice", 0}}, std::string("r")};
  CHECK(encode_memory_results(mr) ==
        R"({"type":"memory_results","memories":[{"id":"m1","content":"c","tags":["t"],)"
        R"("rememberedBy":"alice","rememberedAt":"1970-01-01T00:00:00.000Z"}],"_reqId":"r"})");
  CHECK(encode_forget_ack({"m1", std::nullopt}) ==
        R"({"type":"ack","id":"m1","messageId":"m1","queued":false})");
  CHECK(encode_task_created({"t1", std::string("r")}) == R"({"type":"task_created","id":"t1","_reqId":"r"})");
  task_list_frame tl;
  tl.tasks.push_back({"t1", "Fix", std::nullopt, std::nullopt, "open", "normal", std::string("alice"), {}, std::nullopt, 0});
  tl.tasks.push_back({"t2", "Do", std::string("bob"), std::string("bob"), "done", "high", std::nullopt, {"x"},
                      std::string("ok"), 0});
  CHECK(encode_task_list(tl) ==
        R"({"type":"task_list","tasks":[)"
        R"({"id":"t1","title":"Fix","assignee":null,"claimedBy":null,"status":"open","priority":"normal",)"
        R"("createdBy":"alice","tags":[],"createdAt":"1970-01-01T00:00:00.000Z"},)"
        R"({"id":"t2","title":"Do","assignee":"bob","claimedBy":"bob","status":"done","priority":"high",)"
        R"("createdBy":null,"tags":["x"],"createdAt":"1970-01-01T00:00:00.000Z","result":"ok"}]})");
  CHECK(encode_context_shared({"c1"}) == R"({"type":"context_shared","id":"c1"})");
  context_list_frame cl{true, {{"alice", "s", {"f"}, {"k"}, {"t"}, 0}}, std::string("r")};
  CHECK(encode_context_list(cl) ==
        R"({"type":"context_results","contexts":[{"peerName":"alice","summary":"s","filesRead":["f"],)"
        R"("keyFindings":["k"],"tags":["t"],"updatedAt":"1970-01-01T00:00:00.000Z"}],"_reqId":"r"})");
  cl.full = false;
  CHECK(encode_context_list(cl) ==
        R"({"type":"context_list","contexts":[{"peerName":"alice","summary":"s","tags":["t"],)"
        R"("updatedAt":"1970-01-01T00:00:00.000Z"}],"_reqId":"r"})");
}

} // TEST_SUITE
