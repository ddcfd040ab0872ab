// child_process: spawn, log redirection, exit status, exec failures,
// signal escalation, user switch (as root), and the traversal probe.
#include "actors/child_process.hpp"
#include "storage/os_user.hpp"
#include "tests/support/child.hpp"
#include "tests/support/wait.hpp"

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <system_error>

using namespace std::chrono_literals;
using nexus::child_process;
using nexus::process_spec;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

process_spec shell(const std::string& script, const std::string& log = {}) {
  process_spec spec;
  spec.program = "/bin/sh";
  spec.args = {"-c", script};
  spec.log_file = log;
  return spec;
}

} // namespace

TEST_CASE("a child's output is appended to its log and its exit code reported") {
  nexus::test::temp_dir tmp;
  auto log = tmp.path() + "/out.log";
  std::ofstream(log) << "earlier\n";
  auto child = child_process::spawn(shell("echo to-stdout; echo to-stderr >&2; exit 3", log));
  CHECK(child.running());
  CHECK(child.pid() > 0);
  auto st = child.wait_for(10s);
  REQUIRE(st);
  CHECK(st->code == 3);
  CHECK(st->signal == 0);
  CHECK_FALSE(st->clean());
  CHECK(st->describe() == "exit code 3");
  CHECK_FALSE(child.running());
  CHECK(child.pid() == 0);
  CHECK(slurp(log) == "earlier\nto-stdout\nto-stderr\n");
}

TEST_CASE("working directory and environment are the spec's") {
  nexus::test::temp_dir tmp;
  auto log = tmp.path() + "/out.log";
  setenv("NEXUS_TEST_SECRET", "must-not-leak", 1);
  auto spec = shell("pwd; echo \"${FOO:-unset}/${NEXUS_TEST_SECRET:-unset}\"", log);
  spec.working_dir = tmp.path();
  spec.environment = nexus::environment_without({"NEXUS_"});
  spec.environment->push_back("FOO=bar");
  auto child = child_process::spawn(spec);
  auto st = child.wait_for(10s);
  unsetenv("NEXUS_TEST_SECRET");
  REQUIRE(st);
  CHECK(st->clean());
  CHECK(slurp(log) == tmp.path() + "\nbar/unset\n");

  spec.working_dir = tmp.path() + "/missing";
  CHECK_THROWS_WITH_AS(child_process::spawn(spec),
                       doctest::Contains("entering the working directory"), std::system_error);
}

TEST_CASE("exec failure is reported by spawn itself") {
  process_spec spec;
  spec.program = "/nonexistent/program";
  CHECK_THROWS_WITH_AS(child_process::spawn(spec), doctest::Contains("/nonexistent/program: exec"),
                       std::system_error);
}

TEST_CASE("poll does not block, and terminate escalates to the next signal") {
  // The child ignores SIGINT (once it says so), so only the escalation can end it.
  nexus::test::temp_dir tmp;
  auto log = tmp.path() + "/log";
  auto child =
      child_process::spawn(shell("trap '' INT; echo started; while :; do sleep 1; done", log));
  CHECK_FALSE(child.poll());
  REQUIRE(nexus::test::wait_until([&] { return slurp(log) == "started\n"; }, 10s));
  auto st = child.terminate({SIGINT, SIGTERM}, 300ms);
  CHECK(st.signal == SIGTERM);
  CHECK_FALSE(child.running());
  CHECK_FALSE(child.signal(SIGTERM)); // nothing left to signal
}

TEST_CASE("terminate ends with SIGKILL when every signal is ignored") {
  nexus::test::temp_dir tmp;
  auto log = tmp.path() + "/log";
  auto child =
      child_process::spawn(shell("trap '' INT TERM; echo started; while :; do sleep 1; done", log));
  REQUIRE(nexus::test::wait_until([&] { return slurp(log) == "started\n"; }, 10s));
  auto st = child.terminate({SIGINT, SIGTERM}, 200ms);
  CHECK(st.signal == SIGKILL);
  CHECK(st.describe().find("signal 9") == 0);
}

TEST_CASE("the destructor does not leave a running child behind") {
  pid_t pid = 0;
  {
    auto child = child_process::spawn(shell("while :; do sleep 1; done"));
    pid = child.pid();
    REQUIRE(nexus::storage::process_exists(pid));
  }
  CHECK_FALSE(nexus::storage::process_exists(pid)); // killed and reaped, not a zombie
}

TEST_CASE("moving a child_process transfers ownership") {
  auto a = child_process::spawn(shell("exit 0"));
  auto pid = a.pid();
  child_process b = std::move(a);
  CHECK(a.pid() == 0);
  CHECK(b.pid() == pid);
  auto st = b.wait_for(10s);
  REQUIRE(st);
  CHECK(st->clean());
}

TEST_CASE("wait_for_exit reports a child that ended and times out on a live one") {
  auto live = child_process::spawn(shell("while :; do sleep 1; done"));
  CHECK_FALSE(nexus::storage::wait_for_exit(live.pid(), 50ms));
  live.signal(SIGKILL);
  CHECK(nexus::storage::wait_for_exit(live.pid(), 10s));
  auto st = live.poll();
  REQUIRE(st);
  CHECK(st->signal == SIGKILL);
}

TEST_CASE("as root: the child runs as the given user and the traversal probe sees permissions") {
  if (!nexus::storage::running_as_root()) {
    MESSAGE("not root: user switching is not exercised");
    return;
  }
  auto nobody = nexus::storage::lookup_user("nobody");
  nexus::test::temp_dir tmp;
  auto log = tmp.path() + "/id.log";
  auto spec = shell("id -u; id -g", log);
  spec.user = nobody;
  auto child = child_process::spawn(spec);
  auto st = child.wait_for(10s);
  REQUIRE(st);
  CHECK(st->clean());
  CHECK(slurp(log) == std::to_string(nobody.uid) + "\n" + std::to_string(nobody.gid) + "\n");

  // The log is opened by the parent, so the child needs no rights on it.
  CHECK(nexus::storage::user_can_search(nobody, "/"));
  REQUIRE(chmod(tmp.path().c_str(), 0700) == 0); // as mkdtemp made it
  CHECK_FALSE(nexus::storage::user_can_search(nobody, tmp.path()));
  CHECK_THROWS_AS(nexus::storage::lookup_user("no-such-user-nexus"), std::runtime_error);
}
