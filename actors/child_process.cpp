#include "actors/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

extern char** environ;

namespace nexus {

namespace {

// What the child reports through the exec pipe when a step before exec fails.
enum class spawn_step : int { stdio = 1, user, death_signal, working_dir, exec };

const char* step_name(spawn_step s) {
  switch (s) {
    case spawn_step::stdio:
      return "redirecting stdio";
    case spawn_step::user:
      return "switching user";
    case spawn_step::death_signal:
      return "setting the parent-death signal";
    case spawn_step::working_dir:
      return "entering the working directory";
    case spawn_step::exec:
      return "exec";
  }
  return "spawn";
}

struct spawn_report {
  spawn_step step;
  int error;
};

// Everything the child touches, prepared before fork: between fork and exec
// in a multithreaded process only async-signal-safe calls are allowed (no
// allocation, no locks, no user database lookups).
struct child_plan {
  const char* program;
  char* const* argv;
  char* const* envp; // nullptr = inherit environ
  const char* working_dir; // nullptr = inherit
  int stdin_fd;
  int log_fd; // -1 = inherit stdout/stderr
  const storage::os_user* user;
  int death_signal;
  pid_t parent;
  int report_fd;
  int fd_limit;
};

[[noreturn]] void fail_in_child(const child_plan& p, spawn_step step) noexcept {
  spawn_report r{step, errno};
  ssize_t ignored = write(p.report_fd, &r, sizeof r);
  (void)ignored;
  _exit(127);
}

[[noreturn]] void run_child(const child_plan& p) noexcept {
  // The spawning thread's mask and our ignored signals would survive exec.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP)
      sigaction(sig, &dfl, nullptr); // fails harmlessly for reserved signals

  if (dup2(p.stdin_fd, 0) < 0)
    fail_in_child(p, spawn_step::stdio);
  if (p.log_fd >= 0 && (dup2(p.log_fd, 1) < 0 || dup2(p.log_fd, 2) < 0))
    fail_in_child(p, spawn_step::stdio);

  if (p.user) {
    int err = storage::switch_user_in_child(*p.user);
    if (err != 0) {
      errno = err;
      fail_in_child(p, spawn_step::user);
    }
  }
  // After the uid switch: changing credentials clears the death signal.
  if (p.death_signal != 0) {
    if (prctl(PR_SET_PDEATHSIG, p.death_signal) != 0)
      fail_in_child(p, spawn_step::death_signal);
    if (getppid() != p.parent) // the parent died before prctl took effect
      _exit(128 + p.death_signal);
  }

  if (p.working_dir && chdir(p.working_dir) != 0) // as the user: its rights count
    fail_in_child(p, spawn_step::working_dir);

  // Descriptors we inherited from other parts of nexusd must not leak into
  // the child: mark all above stderr close-on-exec (the report pipe too).
  constexpr unsigned close_range_cloexec = 1U << 2; // CLOSE_RANGE_CLOEXEC
  if (syscall(SYS_close_range, 3U, ~0U, close_range_cloexec) != 0)
    for (int fd = 3; fd < p.fd_limit; ++fd)
      fcntl(fd, F_SETFD, FD_CLOEXEC);

  if (p.envp)
    execve(p.program, p.argv, p.envp);
  else
    execv(p.program, p.argv);
  fail_in_child(p, spawn_step::exec);
}

struct fd_guard {
  int fd = -1;
  ~fd_guard() {
    if (fd >= 0)
      close(fd);
  }
};

} // namespace

std::vector<std::string> environment_without(const std::vector<std::string>& prefixes) {
  std::vector<std::string> out;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    bool drop = std::any_of(prefixes.begin(), prefixes.end(),
                            [&](const std::string& p) { return entry.compare(0, p.size(), p) == 0; });
    if (!drop)
      out.push_back(std::move(entry));
  }
  return out;
}

std::string exit_status::describe() const {
  if (signal != 0)
    return "signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
  if (code >= 0)
    return "exit code " + std::to_string(code);
  return "unknown exit (reaped elsewhere)";
}

child_process child_process::spawn(const process_spec& spec) {
  auto fail = [&](const std::string& what, int err) {
    throw std::system_error(err, std::generic_category(), spec.program + ": " + what);
  };
  std::vector<std::string> words{spec.program};
  words.insert(words.end(), spec.args.begin(), spec.args.end());
  std::vector<char*> argv;
  for (auto& w : words)
    argv.push_back(w.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_words;
  std::vector<char*> envp;
  if (spec.environment) {
    env_words = *spec.environment;
    for (auto& w : env_words)
      envp.push_back(w.data());
    envp.push_back(nullptr);
  }

  fd_guard null_in{open("/dev/null", O_RDONLY | O_CLOEXEC)};
  if (null_in.fd < 0)
    fail("open /dev/null", errno);
  fd_guard log;
  if (!spec.log_file.empty()) {
    log.fd = open(spec.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log.fd < 0)
      fail("open " + spec.log_file, errno);
  }
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0)
    fail("pipe", errno);
  fd_guard report_read{pipe_fds[0]}, report_write{pipe_fds[1]};

  rlimit lim{};
  int fd_limit = (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < 65536)
                     ? static_cast<int>(lim.rlim_cur)
                     : 65536;
  child_plan plan{spec.program.c_str(),
                  argv.data(),
                  spec.environment ? envp.data() : nullptr,
                  spec.working_dir.empty() ? nullptr : spec.working_dir.c_str(),
                  null_in.fd,
                  log.fd,
                  spec.user ? &*spec.user : nullptr,
                  spec.parent_death_signal,
                  getpid(),
                  report_write.fd,
                  fd_limit};
  pid_t pid = fork();
  if (pid < 0)
    fail("fork", errno);
  if (pid == 0)
    run_child(plan);

  close(report_write.fd);
  report_write.fd = -1;
  spawn_report report{};
  ssize_t n;
  while ((n = read(report_read.fd, &report, sizeof report)) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof report)) { // exec did not happen
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    fail(step_name(report.step), report.error);
  }
  child_process child;
  child.pid_ = pid;
  return child;
}

child_process::child_process(child_process&& other) noexcept
    : pid_(other.pid_), status_(std::move(other.status_)) {
  other.pid_ = 0;
}

child_process& child_process::operator=(child_process&& other) noexcept {
  if (this != &other) {
    if (running())
      terminate({}, std::chrono::milliseconds(0));
    pid_ = other.pid_;
    status_ = std::move(other.status_);
    other.pid_ = 0;
  }
  return *this;
}

child_process::~child_process() {
  if (running())
    terminate({}, std::chrono::milliseconds(0));
}

void child_process::reaped(int wait_status) {
  exit_status s;
  if (WIFEXITED(wait_status))
    s.code = WEXITSTATUS(wait_status);
  else if (WIFSIGNALED(wait_status))
    s.signal = WTERMSIG(wait_status);
  status_ = s;
  pid_ = 0;
}

std::optional<exit_status> child_process::poll() {
  if (pid_ <= 0)
    return status_;
  int st = 0;
  pid_t r;
  while ((r = waitpid(pid_, &st, WNOHANG)) < 0 && errno == EINTR) {
  }
  if (r == pid_) {
    reaped(st);
  } else if (r < 0) { // ECHILD: someone else reaped it; its status is lost
    status_ = exit_status{};
    pid_ = 0;
  }
  return status_;
}

std::optional<exit_status> child_process::wait_for(std::chrono::milliseconds timeout) {
  if (auto s = poll(); s || !running())
    return s;
  storage::wait_for_exit(pid_, timeout);
  return poll();
}

bool child_process::signal(int sig) {
  if (!running())
    return false;
  return kill(pid_, sig) == 0;
}

exit_status child_process::terminate(const std::vector<int>& signals,
                                      std::chrono::milliseconds grace) {
  for (int sig : signals) {
    if (auto s = poll())
      return *s;
    signal(sig);
    if (auto s = wait_for(grace))
      return *s;
  }
  if (auto s = poll())
    return *s;
  kill(pid_, SIGKILL);
  int st = 0;
  pid_t r;
  while ((r = waitpid(pid_, &st, 0)) < 0 && errno == EINTR) {
  }
  if (r == pid_)
    reaped(st);
  else
    poll();
  return status_.value_or(exit_status{});
}

} // namespace nexus
