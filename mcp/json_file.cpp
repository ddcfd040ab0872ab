#include "mcp/json_file.hpp"

#include "crypto/private_file.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/stat.h>

namespace nexus::mcp {
namespace {

/// Bytes of `path`, or nullopt when it does not exist.
std::optional<std::string> read_all(const std::string& path, unsigned& mode) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT)
      return std::nullopt;
    throw json_file_error("cannot read " + path + ": " + std::strerror(errno));
  }
  mode = st.st_mode & 07777;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw json_file_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

json_file load_json_file(const std::string& path) {
  json_file f;
  f.path = path;
  auto text = read_all(path, f.mode);
  if (!text || text->find_first_not_of(" \t\r\n") == std::string::npos) {
    f.existed = text.has_value();
    f.doc.SetObject();
    return f;
  }
  f.existed = true;
  f.doc.Parse<rapidjson::kParseFullPrecisionFlag>(text->data(), text->size());
  if (f.doc.HasParseError())
    throw json_file_error(path + " is not valid JSON (" +
                          rapidjson::GetParseError_En(f.doc.GetParseError()) + " at byte " +
                          std::to_string(f.doc.GetErrorOffset()) + "); nothing was changed");
  if (!f.doc.IsObject())
    throw json_file_error(path + " does not hold a JSON object; nothing was changed");
  return f;
}

std::string save_json_file(const json_file& f, bool backup_first) {
  rapidjson::StringBuffer buf;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
  w.SetIndent(' ', 2);
  f.doc.Accept(w);
  std::string text(buf.GetString(), buf.GetSize());
  text += '\n';
  std::string backup;
  try {
    unsigned mode = f.mode;
    if (auto old = read_all(f.path, mode); old && backup_first) {
      backup = f.path + ".nexus.bak";
      crypto::replace_file(backup, *old, mode);
    }
    auto slash = f.path.find_last_of('/');
    if (slash != std::string::npos && slash > 0)
      crypto::ensure_private_directory(f.path.substr(0, slash));
    crypto::replace_file(f.path, text, mode);
  } catch (const crypto::private_file_error& e) {
    throw json_file_error(e.what());
  }
  return backup;
}

} // namespace nexus::mcp
