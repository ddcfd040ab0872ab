// line_splitter: cuts a byte stream into newline-delimited messages (the
// MCP stdio framing) with a bound on the length of one line, so a peer that
// never sends a newline cannot make the bridge buffer without limit. A line
// over the bound is reported once as `too_long` and skipped up to its
// newline. A trailing "\r" is removed (CRLF senders).
//
// Not thread-safe: one splitter per stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace nexus::mcp {

class line_splitter {
public:
  /// `line` is the message without its newline; `too_long` means it was cut
  /// off at the bound and `line` is empty.
  using sink = std::function<void(std::string_view line, bool too_long)>;

  explicit line_splitter(int64_t line_bytes_max) : max_(static_cast<size_t>(line_bytes_max)) {}

  void feed(std::string_view bytes, const sink& out);

  /// End of input: a final line without a newline is still delivered.
  void finish(const sink& out);

private:
  size_t max_;
  std::string buf_;
  bool skipping_ = false; ///< inside a line that was already too long
};

} // namespace nexus::mcp
