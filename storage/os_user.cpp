#include "storage/os_user.hpp"

#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace nexus::storage {

os_user lookup_user(const std::string& name) {
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? static_cast<size_t>(size) : 16384);
  passwd pw{};
  passwd* found = nullptr;
  int rc = getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found);
  if (rc != 0 || found == nullptr)
    throw std::runtime_error("user \"" + name + "\" does not exist");
  os_user u;
  u.name = name;
  u.uid = pw.pw_uid;
  u.gid = pw.pw_gid;
  // getgrouplist reports the needed size when the buffer is too small.
  int n = 32;
  for (int attempt = 0; attempt < 4; ++attempt) {
    u.groups.assign(static_cast<size_t>(n), 0);
    int want = n;
    if (getgrouplist(name.c_str(), u.gid, u.groups.data(), &want) >= 0) {
      u.groups.resize(static_cast<size_t>(want));
      return u;
    }
    n = want > n ? want : n * 2;
  }
  u.groups = {u.gid};
  return u;
}

bool running_as_root() { return geteuid() == 0; }

int switch_user_in_child(const os_user& u) noexcept {
  // Raw syscalls: glibc's wrappers broadcast credential changes to all
  // threads, machinery we must not touch between fork and exec.
  if (syscall(SYS_setgroups, u.groups.size(), u.groups.data()) != 0)
    return errno;
  if (syscall(SYS_setgid, u.gid) != 0)
    return errno;
  if (syscall(SYS_setuid, u.uid) != 0)
    return errno;
  return 0;
}

bool user_can_search(const os_user& u, const std::string& dir) {
  pid_t pid = fork();
  if (pid < 0)
    throw std::runtime_error("fork failed while checking access to " + dir);
  if (pid == 0) {
    if (switch_user_in_child(u) != 0)
      _exit(2);
    _exit(access(dir.c_str(), X_OK) == 0 ? 0 : 1);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
    throw std::runtime_error("cannot switch to user \"" + u.name + "\" to check access to " + dir);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool process_exists(pid_t pid) {
  if (pid <= 0)
    return false;
  return kill(pid, 0) == 0 || errno == EPERM;
}

namespace {

// A zombie has terminated; only its parent's waitpid is missing.
bool is_zombie(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line))
    return false;
  auto close = line.rfind(')'); // the command name may contain spaces and parens
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

bool terminated(pid_t pid) { return !process_exists(pid) || is_zombie(pid); }

} // namespace

bool wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + timeout;
  int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) {
    // No pidfd (old kernel) or the process is already gone: poll.
    while (!terminated(pid)) {
      if (clock::now() >= deadline)
        return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }
  bool done = false;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    pollfd p{fd, POLLIN, 0};
    int rc = poll(&p, 1, left.count() > 0 ? static_cast<int>(left.count()) : 0);
    if (rc > 0) {
      done = true;
      break;
    }
    if (rc == 0 || errno != EINTR)
      break;
  }
  close(fd);
  return done || terminated(pid);
}

} // namespace nexus::storage
