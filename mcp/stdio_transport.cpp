#include "mcp/stdio_transport.hpp"

#include "config/log.hpp"
#include "mcp/channel_hub.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/line_splitter.hpp"

#include <caf/all.hpp>

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace nexus::mcp {
namespace {

using write_atom = caf::atom_constant<caf::atom("write")>;
using flush_atom = caf::atom_constant<caf::atom("flush")>;

/// Writes all of `data`; false when the reader is gone.
bool write_all(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

/// Detached: a blocked write(2) on a full pipe must not stall the scheduler.
caf::behavior line_writer(caf::event_based_actor* self, int fd) {
  auto emit = [=](std::string& line) {
    line += '\n';
    if (!write_all(fd, line)) {
      log::warn("mcp") << "stdout closed: " << std::strerror(errno);
      self->quit();
    }
  };
  return {
      [=](write_atom, std::string& line) { emit(line); },
      [=](notify_atom, std::string& line) { emit(line); },
      [=](flush_atom) { return flush_atom::value; },
  };
}

} // namespace

void run_stdio(server& srv, caf::actor_system& sys, const caf::actor& hub,
               const stdio_options& opts) {
  auto writer = sys.spawn<caf::detached>(line_writer, opts.out_fd);
  caf::anon_send(hub, join_atom::value, writer);

  line_splitter splitter(opts.line_bytes_max);
  auto on_line = [&](std::string_view line, bool too_long) {
    if (too_long) {
      log::warn("mcp") << "input line longer than " << opts.line_bytes_max << " bytes skipped";
      caf::anon_send(writer, write_atom::value,
                     rpc::encode_error("null", rpc::errc::parse_error,
                                       "Parse error: message longer than " +
                                           std::to_string(opts.line_bytes_max) + " bytes"));
      return;
    }
    if (line.find_first_not_of(" \t\r") == std::string_view::npos)
      return;
    if (auto reply = srv.handle(line))
      caf::anon_send(writer, write_atom::value, std::move(*reply));
  };

  char buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(opts.in_fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      if (n < 0)
        log::warn("mcp") << "stdin: " << std::strerror(errno);
      break;
    }
    splitter.feed(std::string_view(buf, static_cast<size_t>(n)), on_line);
  }
  splitter.finish(on_line);

  caf::anon_send(hub, leave_atom::value, writer);
  // Everything sent to the writer before the flush is written when it answers.
  caf::scoped_actor self{sys};
  self->request(writer, std::chrono::seconds(10), flush_atom::value)
      .receive([](flush_atom) {}, [](caf::error&) {});
  caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
}

} // namespace nexus::mcp
