// The half of embedded_pg.hpp that touches the host: directories, ownership
// and traversal rights, /proc, live postmasters, the log file.
#include "config/log.hpp"
#include "storage/embedded_pg.hpp"

#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace nexus::storage::embedded_pg {

namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string read_link(const std::string& path) {
  std::error_code ec;
  auto target = fs::read_symlink(path, ec).string();
  const std::string deleted = " (deleted)"; // binary replaced by a package upgrade
  if (target.size() > deleted.size() &&
      target.compare(target.size() - deleted.size(), deleted.size(), deleted) == 0)
    target.resize(target.size() - deleted.size());
  return target;
}

std::vector<std::string> read_cmdline(pid_t pid) {
  auto raw = read_file("/proc/" + std::to_string(pid) + "/cmdline");
  std::vector<std::string> args;
  std::string current;
  for (char c : raw) {
    if (c == '\0') {
      args.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty())
    args.push_back(current);
  return args;
}

std::string canonical_or_same(const std::string& path) {
  std::error_code ec;
  auto c = fs::weakly_canonical(path, ec);
  return ec ? path : c.string();
}

// Whether pid's working directory or an argument is the data dir.
bool uses_data_dir(pid_t pid, const std::string& data_dir, const std::string& canonical) {
  auto cwd = read_link("/proc/" + std::to_string(pid) + "/cwd");
  if (!cwd.empty() && cwd == canonical)
    return true;
  for (const auto& arg : read_cmdline(pid))
    if (arg == data_dir || arg == canonical)
      return true;
  return false;
}

void make_dir(const std::string& path, mode_t mode) {
  if (mkdir(path.c_str(), mode) == 0)
    return;
  if (errno != EEXIST)
    throw std::runtime_error("cannot create directory " + path + ": " + std::strerror(errno));
  std::error_code ec;
  if (!fs::is_directory(path, ec))
    throw std::runtime_error(path + " exists and is not a directory");
}

void change_owner(const std::string& path, const os_user& u) {
  if (lchown(path.c_str(), u.uid, u.gid) != 0)
    throw std::runtime_error("cannot chown " + path + " to " + u.name + ": " +
                             std::strerror(errno));
}

// Runs `setfacl -m u:<user>:x -- <dir>`; false if setfacl is missing or fails.
bool grant_with_acl(const std::string& dir, const os_user& u) {
  std::vector<std::string> args{"setfacl", "-m", "u:" + u.name + ":x", "--", dir};
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  for (int fd = 0; fd <= 2; ++fd)
    posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "setfacl", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// Makes `dir` searchable for `u` (postgres must reach <home>/pg through it).
void grant_search(const std::string& dir, const os_user& u, const std::string& home) {
  if (user_can_search(u, dir))
    return;
  if (grant_with_acl(dir, u)) {
    log::warn("embedded_pg") << "granted search (x) on " << dir << " to user " << u.name
                             << " with a POSIX ACL, because the embedded PostgreSQL runs as "
                             << u.name << " and must reach " << home << "/pg";
  } else {
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0 || chmod(dir.c_str(), (st.st_mode & 07777) | S_IXOTH) != 0)
      throw std::runtime_error("cannot make " + dir + " searchable for " + u.name + ": " +
                               std::strerror(errno));
    log::warn("embedded_pg") << "made " << dir << " searchable by all users (o+x; setfacl "
                             << "unavailable), because the embedded PostgreSQL runs as "
                             << u.name << " and must reach " << home << "/pg";
  }
  if (!user_can_search(u, dir))
    throw std::runtime_error("user " + u.name + " still cannot search " + dir +
                             " after granting it; check its permissions by hand");
}

} // namespace

std::optional<postmaster_pid> read_postmaster_pid(const layout& l) {
  std::ifstream in(l.data_dir + "/postmaster.pid");
  if (!in)
    return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return parse_postmaster_pid(text.str());
}

bool postmaster_ready(const layout& l, pid_t pid) {
  auto p = read_postmaster_pid(l);
  return p && p->pid == pid && p->ready();
}

bool is_postgres_of(pid_t pid, const std::string& data_dir) {
  if (!process_exists(pid))
    return false;
  auto exe = read_link("/proc/" + std::to_string(pid) + "/exe");
  if (exe.empty()) { // not ours to inspect (EACCES): judge by argv[0]
    auto args = read_cmdline(pid);
    exe = args.empty() ? std::string() : args[0];
  }
  if (fs::path(exe).filename() != "postgres")
    return false;
  return uses_data_dir(pid, data_dir, canonical_or_same(data_dir));
}

std::vector<pid_t> processes_in_data_dir(const std::string& data_dir) {
  std::vector<pid_t> out;
  auto canonical = canonical_or_same(data_dir);
  std::error_code ec;
  for (fs::directory_iterator it("/proc", ec), end; !ec && it != end; it.increment(ec)) {
    auto name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos)
      continue;
    auto pid = static_cast<pid_t>(std::stol(name));
    if (uses_data_dir(pid, data_dir, canonical))
      out.push_back(pid);
  }
  return out;
}

std::optional<std::string> running_dsn(const std::string& home) {
  auto l = layout_for(home);
  auto p = read_postmaster_pid(l);
  if (!p || !p->ready() || p->socket_dir.empty())
    return std::nullopt;
  if (!is_postgres_of(static_cast<pid_t>(p->pid), l.data_dir))
    return std::nullopt;
  // Use the socket the live server reports, in case it was started by hand.
  return "host=" + quote_dsn_value(p->socket_dir) + " port=" + std::to_string(p->port) +
         " dbname=" + quote_dsn_value(database_name) + " user=" + quote_dsn_value(role_name);
}

std::string data_version(const layout& l) {
  std::ifstream in(l.data_dir + "/PG_VERSION");
  std::string v;
  std::getline(in, v);
  while (!v.empty() && (v.back() == '\r' || v.back() == ' '))
    v.pop_back();
  return v;
}

std::string initdb_locale() {
  locale_t loc = newlocale(LC_ALL_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
  if (loc == static_cast<locale_t>(nullptr))
    return "C";
  freelocale(loc);
  return "C.UTF-8";
}

void prepare_directories(const layout& l, const os_user* run_as) {
  check_socket_path(l);
  for (const auto& dir : ancestors(l.home)) // missing parents too, private like home
    if (!fs::exists(dir))
      make_dir(dir, 0700);
  make_dir(l.pg_dir, 0700);
  make_dir(l.run_dir, 0700);
  // The run dir's mode is the socket's only access control (trust auth).
  if (chmod(l.run_dir.c_str(), 0700) != 0)
    throw std::runtime_error("cannot chmod " + l.run_dir + ": " + std::strerror(errno));
  int fd = open(l.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    throw std::runtime_error("cannot open " + l.log_file + ": " + std::strerror(errno));
  close(fd);

  uid_t owner = run_as ? run_as->uid : geteuid();
  struct stat st {};
  if (stat(l.data_dir.c_str(), &st) == 0 && st.st_uid != owner)
    throw std::runtime_error("embedded data directory " + l.data_dir + " is owned by uid " +
                             std::to_string(st.st_uid) + ", but PostgreSQL would run as uid " +
                             std::to_string(owner) + "; chown it or change pg_user");
  if (!run_as)
    return;
  change_owner(l.pg_dir, *run_as);
  change_owner(l.run_dir, *run_as);
  change_owner(l.log_file, *run_as);
  for (const auto& dir : ancestors(canonical_or_same(l.home)))
    grant_search(dir, *run_as, l.home);
}

owner_lock owner_lock::acquire(const layout& l) {
  owner_lock lock;
  lock.fd_ = open(l.lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock.fd_ < 0)
    throw std::runtime_error("cannot open " + l.lock_file + ": " + std::strerror(errno));
  if (flock(lock.fd_, LOCK_EX | LOCK_NB) != 0) {
    auto holder = read_file(l.lock_file);
    while (!holder.empty() && holder.back() == '\n')
      holder.pop_back();
    throw std::runtime_error("the embedded PostgreSQL of " + l.home +
                             " is run by another process (pid " +
                             (holder.empty() ? std::string("unknown") : holder) +
                             ": another nexusd or an admin command)");
  }
  // For the message above, seen by the next one who tries.
  auto pid = std::to_string(getpid()) + "\n";
  if (ftruncate(lock.fd_, 0) != 0 || pwrite(lock.fd_, pid.data(), pid.size(), 0) < 0)
    log::warn("embedded_pg") << "cannot record our pid in " << l.lock_file;
  return lock;
}

owner_lock::owner_lock(owner_lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

owner_lock& owner_lock::operator=(owner_lock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

owner_lock::~owner_lock() { release(); }

void owner_lock::release() {
  if (fd_ >= 0)
    close(fd_); // drops the flock
  fd_ = -1;
}

bool stop_stale_postmaster(const layout& l, std::chrono::milliseconds timeout) {
  auto p = read_postmaster_pid(l);
  if (!p || p->pid <= 0)
    return false;
  auto pid = static_cast<pid_t>(p->pid);
  if (!is_postgres_of(pid, l.data_dir))
    return false;
  log::warn("embedded_pg") << "a postgres (pid " << pid << ") is still running on " << l.data_dir
                           << ", left by an earlier nexusd; stopping it";
  for (int sig : {SIGINT, SIGQUIT}) { // fast shutdown, then immediate shutdown
    if (kill(pid, sig) != 0 && errno == ESRCH)
      return true;
    if (wait_for_exit(pid, timeout))
      return true;
  }
  throw std::runtime_error("the postgres (pid " + std::to_string(pid) + ") running on " +
                           l.data_dir + " did not stop after SIGINT and SIGQUIT; stop it by hand");
}

std::string log_tail(const std::string& path, size_t lines) {
  constexpr std::streamoff tail_bytes_max = 16384;
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in)
    return {};
  auto size = static_cast<std::streamoff>(in.tellg());
  auto from = size > tail_bytes_max ? size - tail_bytes_max : 0;
  in.seekg(from);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && text.back() == '\n')
    text.pop_back();
  size_t pos = text.size();
  for (size_t n = 0; n < lines && pos != std::string::npos && pos > 0; ++n)
    pos = text.rfind('\n', pos - 1);
  return (pos == std::string::npos || pos == 0) ? text : text.substr(pos + 1);
}

} // namespace nexus::storage::embedded_pg
