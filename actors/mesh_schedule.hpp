// mesh_schedule: the mesh actor's side of a scheduled fire (§5.6 with
// deviation 21). The mesh picks who the message is from, runs the ordinary
// send pipeline (§3.3: rate limit, size, grants, routing, status gating) on
// a send_request that carries the claim, and answers the scheduler:
//
//   * the sender is the scheduling connection while the mesh still has it
//     (online or in its grace window), else a live connection of the same
//     member with the same session key (the same client, reconnected), else
//     that member as it was (its member key and the session key it used):
//     never another member's connection (deviation 21);
//   * a target that is the sender's own member or session key is delivered
//     to every live connection holding that key — the scheduling one
//     included — and queued when none is online (deviation 21);
//   * every push of a reminder says subtype "reminder", drained ones too;
//   * the ack goes to the scheduling connection when it is online.
//
// Internal to actors/. Functions run on the mesh actor's thread only.
#pragma once

#include "actors/mesh_state.hpp"
#include "actors/schedule_messages.hpp"

#include <optional>
#include <string>

namespace nexus {

/// The ack error of a fire whose claim found nothing (cancelled meanwhile,
/// or fired already by an earlier attempt).
inline constexpr const char* schedule_lost_text =
    "scheduled entry is no longer due (cancelled, or fired already)";

caf::result<fire_outcome> handle_schedule_fire(mesh_actor_t* self, schedule_fire& fire);

/// The send pipeline's queue insert (broker_sql::insert_message and its ten
/// parameters) turned into the claim-and-insert of `s` (fire_schedule).
db_call scheduled_enqueue(db_call insert_message_call, const scheduled_send& s);

/// §3.5.3 for a scheduled send: the table's plan_direct, except that a
/// target which is the sender's own key reaches the sender's connections
/// too and is queued even with none online.
direct_plan plan_scheduled_direct(const mesh_state& st, const scheduled_send& s,
                                  const std::string& target,
                                  const std::optional<std::string>& target_member_id);

} // namespace nexus
