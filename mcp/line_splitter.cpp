#include "mcp/line_splitter.hpp"

namespace nexus::mcp {
namespace {

std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  return line;
}

} // namespace

void line_splitter::feed(std::string_view bytes, const sink& out) {
  while (!bytes.empty()) {
    auto nl = bytes.find('\n');
    std::string_view chunk = bytes.substr(0, nl);
    if (skipping_) {
      // Dropping the rest of an over-long line; it was reported already.
    } else if (buf_.size() + chunk.size() > max_) {
      buf_.clear();
      skipping_ = true;
      out({}, true);
    } else {
      buf_.append(chunk);
    }
    if (nl == std::string_view::npos)
      return;
    if (!skipping_)
      out(without_cr(buf_), false);
    buf_.clear();
    skipping_ = false;
    bytes.remove_prefix(nl + 1);
  }
}

void line_splitter::finish(const sink& out) {
  if (!skipping_ && !buf_.empty())
    out(without_cr(buf_), false);
  buf_.clear();
  skipping_ = false;
}

} // namespace nexus::mcp
