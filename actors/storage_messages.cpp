#include "actors/storage_messages.hpp"

#include <caf/message.hpp>

namespace nexus {

namespace {
std::string context_of(const caf::message& ctx) {
  if (ctx.size() == 1 && ctx.match_element<std::string>(0))
    return ctx.get_as<std::string>(0);
  return {};
}
} // namespace

void register_storage_errors(caf::actor_system_config& cfg) {
  cfg.add_error_category(storage_error_atom::value,
                         [](uint8_t code, caf::atom_value, const caf::message& ctx) {
                           std::string out = "storage: ";
                           out += storage::to_string(static_cast<storage::storage_errc>(code));
                           auto c = context_of(ctx);
                           if (!c.empty())
                             out += " (" + c + ")";
                           return out;
                         });
}

storage::storage_errc storage_errc_of(const caf::error& err) {
  if (!err || err.category() != storage_error_atom::value)
    return storage::storage_errc::none;
  return static_cast<storage::storage_errc>(err.code());
}

std::string storage_error_context(const caf::error& err) {
  if (!err || err.category() != storage_error_atom::value)
    return {};
  return context_of(err.context());
}

namespace storage {

caf::error make_error(storage_errc code, std::string context) {
  return caf::error(static_cast<uint8_t>(code), storage_error_atom::value,
                    caf::make_message(std::move(context)));
}

} // namespace storage
} // namespace nexus
