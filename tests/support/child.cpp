#include "tests/support/child.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace nexus::test {

using clock = std::chrono::steady_clock;

child::child(std::vector<std::string> argv, std::map<std::string, std::string> env) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe2 failed");
  std::map<std::string, std::string> full;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string::npos)
      full[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (auto& [k, v] : env)
    full[k] = v;
  std::vector<std::string> env_strings;
  for (auto& [k, v] : full)
    env_strings.push_back(k + "=" + v);
  std::vector<char*> cargv, cenv;
  for (auto& a : argv)
    cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : env_strings)
    cenv.push_back(e.data());
  cenv.push_back(nullptr);
  pid_ = fork();
  if (pid_ < 0)
    throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, STDIN_FILENO);
    // A test binary may block signals; the child must start clean.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(127);
  }
  close(fds[1]);
  out_fd_ = fds[0];
}

child::~child() {
  if (!status_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    int st = 0;
    waitpid(pid_, &st, 0);
  }
  if (out_fd_ >= 0)
    close(out_fd_);
}

void child::pump(std::chrono::milliseconds timeout) {
  if (out_fd_ < 0)
    return;
  pollfd p{out_fd_, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
    return;
  char buf[8192];
  ssize_t n = read(out_fd_, buf, sizeof buf);
  if (n > 0)
    output_.append(buf, static_cast<size_t>(n));
  else {
    close(out_fd_);
    out_fd_ = -1;
  }
}

std::optional<std::string> child::wait_for_output(const std::string& needle,
                                                  std::chrono::milliseconds timeout) {
  auto deadline = clock::now() + timeout;
  size_t scanned = 0;
  for (;;) {
    auto pos = output_.find(needle, scanned > needle.size() ? scanned - needle.size() : 0);
    if (pos != std::string::npos) {
      auto start = output_.rfind('\n', pos);
      start = start == std::string::npos ? 0 : start + 1;
      auto end = output_.find('\n', pos);
      return output_.substr(start, end == std::string::npos ? std::string::npos : end - start);
    }
    scanned = output_.size();
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0 || out_fd_ < 0)
      return std::nullopt;
    pump(std::min(left, std::chrono::milliseconds(200)));
  }
}

void child::signal(int sig) {
  if (!status_ && pid_ > 0)
    kill(pid_, sig);
}

std::optional<int> child::wait_exit(std::chrono::milliseconds timeout) {
  auto deadline = clock::now() + timeout;
  while (!status_) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      break;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    if (left.count() <= 0)
      return std::nullopt;
    // Keep draining output so the child never blocks on a full pipe; the
    // poll doubles as the wait between reap attempts.
    if (out_fd_ >= 0)
      pump(std::min(left, std::chrono::milliseconds(20)));
    else
      poll(nullptr, 0, 20);
  }
  while (out_fd_ >= 0)
    pump(std::chrono::milliseconds(100));
  return status_;
}

std::vector<int> processes_matching(const std::string& needle) {
  std::vector<int> out;
  DIR* d = opendir("/proc");
  if (d == nullptr)
    return out;
  while (dirent* e = readdir(d)) {
    int pid = std::atoi(e->d_name);
    if (pid <= 0)
      continue;
    std::ifstream f(std::string("/proc/") + e->d_name + "/cmdline");
    std::stringstream ss;
    ss << f.rdbuf();
    std::string cmd = ss.str();
    for (auto& c : cmd)
      if (c == '\0')
        c = ' ';
    if (cmd.find(needle) != std::string::npos)
      out.push_back(pid);
  }
  closedir(d);
  return out;
}

temp_dir::temp_dir() {
  char tmpl[] = "/tmp/nexus-test-XXXXXX";
  if (mkdtemp(tmpl) == nullptr)
    throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

temp_dir::~temp_dir() {
  if (!path_.empty())
    std::system(("rm -rf '" + path_ + "'").c_str());
}

} // namespace nexus::test
