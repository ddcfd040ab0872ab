// json_file: read-modify-write of a user's JSON config file (Claude Code's
// ~/.claude.json and ~/.claude/settings.json) that keeps everything we do
// not touch: members keep their order, the file keeps its mode, a backup of
// the previous content is written next to it before any change, and the new
// content replaces the old atomically.
//
// Functions only; no locking against a concurrent editor (Claude Code
// itself rewrites ~/.claude.json; install is run while it is closed).
#pragma once

#include <rapidjson/document.h>

#include <stdexcept>
#include <string>

namespace nexus::mcp {

/// A file that cannot be read, parsed or written; what() names it and says
/// that nothing was changed where that is true.
struct json_file_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct json_file {
  std::string path;
  bool existed = false;      ///< false: doc starts as {}
  rapidjson::Document doc;   ///< always an object
  unsigned mode = 0600;      ///< the existing file's permission bits
};

/// Loads `path`; a missing file is an empty object. Throws json_file_error
/// for unreadable text, invalid JSON or a top level that is not an object.
json_file load_json_file(const std::string& path);

/// Writes `f.doc` (2-space indented) over `f.path`; with `backup` and when
/// the file exists, first copies its current bytes to `<path>.nexus.bak`.
/// Returns the backup path ("" when none was written).
std::string save_json_file(const json_file& f, bool backup = true);

} // namespace nexus::mcp
