// The pure half of embedded_pg.hpp: paths, DSN, postmaster.pid parsing,
// version order, argument lists, bin dir choice. The half that touches live
// processes and directories is in embedded_pg_host.cpp.
#include "storage/embedded_pg.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace nexus::storage::embedded_pg {

namespace fs = std::filesystem;

layout layout_for(const std::string& home) {
  layout l;
  l.home = home;
  while (l.home.size() > 1 && l.home.back() == '/')
    l.home.pop_back();
  l.pg_dir = l.home + "/pg";
  l.data_dir = l.pg_dir + "/data";
  l.run_dir = l.pg_dir + "/run";
  l.log_file = l.pg_dir + "/postgres.log";
  l.lock_file = l.pg_dir + "/owner.lock";
  return l;
}

std::string socket_path(const layout& l) {
  return l.run_dir + "/.s.PGSQL." + std::to_string(socket_port);
}

void check_socket_path(const layout& l) {
  auto path = socket_path(l);
  if (path.size() > socket_path_bytes_max)
    throw std::runtime_error("embedded PostgreSQL socket path " + path + " is " +
                             std::to_string(path.size()) + " bytes, longer than the " +
                             std::to_string(socket_path_bytes_max) +
                             " a unix socket allows; use a shorter home or set database_url");
}

std::string quote_dsn_value(const std::string& v) {
  bool plain = !v.empty() && std::none_of(v.begin(), v.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '\'' || c == '\\';
  });
  if (plain)
    return v;
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\')
      out += '\\';
    out += c;
  }
  return out + "'";
}

std::string dsn(const layout& l, const std::string& dbname) {
  return "host=" + quote_dsn_value(l.run_dir) + " port=" + std::to_string(socket_port) +
         " dbname=" + quote_dsn_value(dbname) + " user=" + quote_dsn_value(role_name);
}

namespace {

std::string trim(std::string s) {
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

bool parse_int(const std::string& s, int64_t& out) {
  if (s.empty())
    return false;
  size_t i = (s[0] == '-') ? 1 : 0;
  if (i == s.size() || s.size() > 19)
    return false;
  for (size_t j = i; j < s.size(); ++j)
    if (!std::isdigit(static_cast<unsigned char>(s[j])))
      return false;
  out = std::stoll(s);
  return true;
}

} // namespace

std::optional<postmaster_pid> parse_postmaster_pid(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  postmaster_pid p;
  if (lines.empty() || !parse_int(trim(lines[0]), p.pid) || p.pid == 0)
    return std::nullopt;
  auto line = [&](size_t n) { return n <= lines.size() ? lines[n - 1] : std::string(); };
  p.data_dir = line(2);
  int64_t v = 0;
  if (parse_int(trim(line(3)), v))
    p.start_time = v;
  if (parse_int(trim(line(4)), v))
    p.port = static_cast<int>(v);
  p.socket_dir = line(5);
  p.listen_address = trim(line(6));
  p.status = trim(line(8)); // written padded ("ready   ") so it can be overwritten in place
  return p;
}

bool version_less(const std::string& a, const std::string& b) {
  // Compare dot-separated numeric parts; non-numeric names sort first.
  auto parts = [](const std::string& s) {
    std::vector<int64_t> out;
    std::istringstream in(s);
    for (std::string part; std::getline(in, part, '.');) {
      int64_t v = -1;
      if (!parse_int(part, v) || v < 0)
        return std::vector<int64_t>{-1};
      out.push_back(v);
    }
    return out;
  };
  auto pa = parts(a), pb = parts(b);
  if (pa != pb)
    return pa < pb;
  return a < b;
}

namespace {

bool holds_binaries(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "postgres", ec) && fs::is_regular_file(dir / "initdb", ec);
}

} // namespace

std::string find_bin_dir(const std::string& configured, const std::string& want_major,
                         const std::string& root) {
  if (!configured.empty()) {
    if (!holds_binaries(configured))
      throw std::runtime_error("pg_bin_dir " + configured + " has no postgres and initdb");
    return configured;
  }
  std::vector<std::string> versions;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec))
    if (holds_binaries(it->path() / "bin"))
      versions.push_back(it->path().filename().string());
  if (versions.empty())
    throw std::runtime_error("no PostgreSQL server found: no " + root +
                             "/<version>/bin holds postgres and initdb; install postgresql "
                             "or set pg_bin_dir (or database_url for an external server)");
  std::sort(versions.begin(), versions.end(), version_less);
  if (!want_major.empty()) {
    if (std::find(versions.begin(), versions.end(), want_major) == versions.end())
      throw std::runtime_error("the embedded data directory was made by PostgreSQL " +
                               want_major + ", which is not installed under " + root +
                               "; install it or set pg_bin_dir");
    return root + "/" + want_major + "/bin";
  }
  return root + "/" + versions.back() + "/bin";
}

std::vector<std::string> initdb_args(const layout& l, const std::string& locale) {
  // --no-sync: a cluster interrupted during initdb is thrown away anyway.
  return {"-D",  l.data_dir, "-U", role_name,           "-A",       "trust",
          "-E",  "UTF8",     "--locale=" + locale,      "--no-sync"};
}

std::vector<std::string> postgres_args(const layout& l) {
  // No TCP at all; the socket lives in a directory only its owner can enter.
  return {"-D", l.data_dir, "-k", l.run_dir, "-c", "listen_addresses=",
          "-p", std::to_string(socket_port),     "-c", "unix_socket_permissions=0700"};
}

std::vector<std::string> ancestors(const std::string& dir) {
  if (dir.empty() || dir[0] != '/')
    throw std::runtime_error("not an absolute path: " + dir);
  std::vector<std::string> out{"/"};
  std::string current;
  std::istringstream in(dir);
  for (std::string part; std::getline(in, part, '/');) {
    if (part.empty() || part == ".")
      continue;
    current += "/" + part;
    out.push_back(current);
  }
  return out;
}

} // namespace nexus::storage::embedded_pg
