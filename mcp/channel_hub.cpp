#include "mcp/channel_hub.hpp"

#include "config/log.hpp"
#include "mcp/channel.hpp"

#include <caf/all.hpp>

#include <deque>
#include <unordered_set>

namespace nexus::mcp {
namespace {

struct hub_state {
  static inline const char* name = "mcp_channel_hub";

  int64_t inbox_max = 1;
  std::deque<inbound_message> inbox;        ///< oldest first, size ≤ inbox_max
  std::vector<caf::actor> subscribers;      ///< each monitored
  int64_t received = 0, dropped = 0;
};

using hub_t = caf::stateful_actor<hub_state>;

void remove_subscriber(hub_t* self, const caf::actor_addr& who) {
  auto& subs = self->state.subscribers;
  for (auto it = subs.begin(); it != subs.end();)
    it = it->address() == who ? subs.erase(it) : it + 1;
}

caf::behavior hub(hub_t* self, int64_t inbox_max) {
  self->state.inbox_max = inbox_max;
  self->set_down_handler([=](const caf::down_msg& dm) { remove_subscriber(self, dm.source); });
  return {
      [=](inbound_message& m) {
        auto& st = self->state;
        ++st.received;
        std::string line = encode_channel_notification(m);
        if (static_cast<int64_t>(st.inbox.size()) >= st.inbox_max) {
          st.inbox.pop_front();
          if (++st.dropped == 1 || st.dropped % 100 == 0)
            log::warn("mcp") << "inbox full (" << st.inbox_max << "), dropped " << st.dropped
                             << " oldest message(s) so far";
        }
        st.inbox.push_back(std::move(m));
        for (const auto& s : st.subscribers)
          self->send(s, notify_atom::value, line);
      },
      [=](take_atom) {
        auto& st = self->state;
        inbox_batch out{{std::make_move_iterator(st.inbox.begin()),
                         std::make_move_iterator(st.inbox.end())}};
        st.inbox.clear();
        return out;
      },
      [=](join_atom, caf::actor who) {
        self->monitor(who);
        self->state.subscribers.push_back(std::move(who));
      },
      [=](leave_atom, const caf::actor& who) {
        self->demonitor(who);
        remove_subscriber(self, who.address());
      },
      [=](hub_status_atom) {
        auto& st = self->state;
        return hub_status{static_cast<int64_t>(st.inbox.size()), st.received, st.dropped,
                          static_cast<int64_t>(st.subscribers.size())};
      },
  };
}

} // namespace

caf::actor spawn_channel_hub(caf::actor_system& sys, int64_t inbox_messages_max) {
  return sys.spawn(hub, inbox_messages_max < 1 ? 1 : inbox_messages_max);
}

std::vector<inbound_message> take_inbox(caf::actor_system& sys, const caf::actor& hub_actor) {
  caf::scoped_actor self{sys};
  std::vector<inbound_message> out;
  self->request(hub_actor, std::chrono::seconds(10), take_atom::value)
      .receive([&](inbox_batch& b) { out = std::move(b.messages); },
               [&](caf::error& e) { log::warn("mcp") << "inbox: " << to_string(e); });
  return out;
}

} // namespace nexus::mcp
