// Reminders (PROTOCOL.md §5.6): remind, remind list, remind cancel.
#include "actors/status.hpp"
#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/commands.hpp"
#include "apps/nexus/durations.hpp"
#include "apps/nexus/mesh_session.hpp"
#include "apps/nexus/output.hpp"
#include "apps/nexus/target_resolve.hpp"

#include <iostream>

namespace nexus::cli {

int run_remind(context& ctx) {
  const auto in = ctx.option("in"), at = ctx.option("at"), cron = ctx.option("cron");
  if ((in ? 1 : 0) + (at ? 1 : 0) + (cron ? 1 : 0) != 1)
    throw usage_error("give exactly one of --in DURATION, --at TIME, --cron EXPR", "remind");
  schedule_request_frame f;
  f.message = ctx.args.at(0);
  f.subtype = "reminder";
  if (in) {
    auto d = parse_duration_ms(*in);
    if (!d)
      throw usage_error("--in takes a duration such as 90s, 10m, 2h or 1d", "remind");
    f.deliverAt = unix_now_ms() + *d;
  } else if (at) {
    auto t = parse_time_ms(*at);
    if (!t)
      throw usage_error("--at takes an ISO time (2026-04-15T12:00:00Z) or Unix milliseconds", "remind");
    f.deliverAt = *t;
  } else {
    f.cron = *cron; // the broker validates it (error invalid_cron); deliverAt goes out as 0
  }
  mesh_session s(ctx);
  f.to = s.routing_pubkey(); // yourself unless --to (deviation 21 delivers self-reminders)
  if (auto to = ctx.option("to")) {
    auto r = resolve_in_session(s, ctx.home, *to);
    if (r.result != client::target_resolution::outcome::resolved)
      throw remind_target_error(*to, r);
    f.to = r.target;
  }
  scheduled_ack_frame ack;
  try {
    ack = s.expect<scheduled_ack_frame>(client::schedule_op{f});
  } catch (cli_error& e) {
    if (e.exit == exit_not_connected) // a node without §5.6 ignores the frame (§1.2)
      e.hint = "a node without scheduled messages (§5.6) never answers; else: " + e.hint;
    throw;
  }
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("id", ack.scheduledId);
    j.w.time_field("deliverAt", ack.deliverAt_ms);
    j.w.opt_str_field("cron", ack.cron);
    j.w.str_field("to", f.to);
    j.done();
  } else {
    std::cout << "Reminder " << ack.scheduledId << (ack.cron ? " (cron " + *ack.cron + ")" : "")
              << ", next at " << short_time(ack.deliverAt_ms) << "\n";
  }
  return exit_ok;
}

int run_remind_list(context& ctx) {
  mesh_session s(ctx);
  auto r = s.expect<scheduled_list_frame>(client::schedule_op{list_scheduled_frame{}});
  if (ctx.global.json) {
    json_out j;
    j.w.key("reminders");
    j.w.begin_array();
    for (const auto& e : r.messages) {
      j.w.begin_object();
      j.w.str_field("id", e.id);
      j.w.str_field("to", e.to);
      j.w.str_field("message", e.message);
      j.w.time_field("deliverAt", e.deliverAt_ms);
      j.w.opt_str_field("cron", e.cron);
      j.w.opt_int_field("firedCount", e.firedCount);
      j.w.end_object();
    }
    j.w.end_array();
    j.done();
    return exit_ok;
  }
  if (r.messages.empty()) {
    std::cout << "No reminders.\n";
    return exit_ok;
  }
  table t({"ID", "NEXT", "CRON", "TO", "MESSAGE"});
  for (const auto& e : r.messages)
    t.row({e.id, short_time(e.deliverAt_ms), e.cron.value_or("-"),
           e.to == s.routing_pubkey() ? "you" : e.to.substr(0, 12), e.message});
  t.print();
  return exit_ok;
}

int run_remind_cancel(context& ctx) {
  mesh_session s(ctx);
  auto r = s.expect<cancel_scheduled_ack_frame>(
      client::schedule_op{cancel_scheduled_frame{ctx.args.at(0)}});
  if (!r.ok)
    throw cli_error(exit_not_found, "no reminder " + ctx.args[0] + " of yours in this mesh",
                    "nexus remind list shows them");
  if (ctx.global.json) {
    json_out j;
    j.w.str_field("id", r.scheduledId);
    j.w.bool_field("cancelled", true);
    j.done();
  } else {
    std::cout << "Cancelled reminder " << r.scheduledId << "\n";
  }
  return exit_ok;
}

} // namespace nexus::cli
