// nexus doctor: checks a home and its connection end to end — file
// permissions, keys, config, the broker's health, a hello round trip and
// the clock skew against the broker — and says how to fix each failure.
#include "actors/status.hpp"
#include "apps/nexus/cli_args.hpp"
#include "apps/nexus/cli_error.hpp"
#include "apps/nexus/commands.hpp"
#include "apps/nexus/mesh_session.hpp"
#include "apps/nexus/output.hpp"
#include "client/http_client.hpp"
#include "crypto/base64.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

namespace nexus::cli {
namespace {

struct check {
  std::string name;
  std::string status; ///< ok | fail | skip
  std::string detail;
  std::string fix;
};

std::string octal(unsigned mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

/// Every file of the home (recursively) with group/other bits, and every
/// directory others may write; fixed to 0600/0700 with --fix.
check permissions(const home& h, bool fix) {
  std::vector<std::string> bad, fixed;
  std::vector<std::string> dirs = {h.dir()};
  while (!dirs.empty()) {
    std::string dir = dirs.back();
    dirs.pop_back();
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && (st.st_mode & 022) != 0) {
      if (fix && ::chmod(dir.c_str(), 0700) == 0)
        fixed.push_back(dir + " " + octal(st.st_mode & 07777) + " → 0700");
      else
        bad.push_back(dir + " is " + octal(st.st_mode & 07777));
    }
    DIR* d = ::opendir(dir.c_str());
    if (!d)
      continue;
    while (auto* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name == "." || name == ".." || name == "pg") // pg/: a node's database, not ours
        continue;
      std::string path = dir + "/" + name;
      if (::lstat(path.c_str(), &st) != 0)
        continue;
      if (S_ISDIR(st.st_mode)) {
        dirs.push_back(path);
      } else if (S_ISREG(st.st_mode) && (st.st_mode & 077) != 0) {
        if (fix && ::chmod(path.c_str(), 0600) == 0)
          fixed.push_back(path + " " + octal(st.st_mode & 07777) + " → 0600");
        else
          bad.push_back(path + " is " + octal(st.st_mode & 07777));
      }
    }
    ::closedir(d);
  }
  check c{"permissions", bad.empty() ? "ok" : "fail", "", ""};
  std::string detail;
  for (const auto& f : fixed)
    detail += (detail.empty() ? "fixed " : "; fixed ") + f;
  for (const auto& b : bad)
    detail += (detail.empty() ? "" : "; ") + b + " (readable or writable by others)";
  c.detail = detail.empty() ? "every file 0600, directories not writable by others" : detail;
  if (!bad.empty())
    c.fix = "chmod 600 <file> (chmod 700 <dir>), or run nexus doctor --fix";
  return c;
}

template <class F>
check guarded(const std::string& name, F&& f) {
  try {
    return f();
  } catch (const cli_error& e) {
    return {name, "fail", e.what(), e.hint};
  }
}

} // namespace

int run_doctor(context& ctx) {
  std::vector<check> checks;
  const bool initialised = ctx.home.initialised();
  checks.push_back(initialised ? check{"home", "ok", ctx.home.dir(), ""}
                               : check{"home", "fail", "no Nexus home at " + ctx.home.dir(), "run nexus init"});
  if (initialised) {
    checks.push_back(permissions(ctx.home, ctx.flag("fix")));
    checks.push_back(guarded("identity", [&] {
      auto id = ctx.home.load_identity();
      return check{"identity", "ok", "ed25519 key " + id.pubkey_hex.substr(0, 16) + "…", ""};
    }));
    checks.push_back(guarded("config", [&] {
      ctx.home.load_config();
      client::client_settings probe;
      for (const auto& [k, v] : ctx.home.load_config().settings)
        if (auto err = client::apply_setting(probe, k, v, ctx.home.config_path()))
          throw cli_error(exit_failure, *err, "edit " + ctx.home.config_path());
      return check{"config", "ok", ctx.home.config_path(), ""};
    }));
  }
  std::optional<mesh_record> mesh;
  if (initialised)
    checks.push_back(guarded("mesh", [&] {
      mesh = ctx.home.select_mesh(ctx.global.mesh);
      if (auto root = read_file(ctx.home.mesh_file(mesh->mesh_id, "root.key"))) {
        auto raw = crypto::from_base64(root->substr(0, root->find('\n')), crypto::base64_variant::url_no_padding);
        if (!raw || raw->size() != 32)
          throw cli_error(exit_failure, "root.key of " + mesh->mesh_name + " is not 32 bytes of base64url",
                          "join the mesh again (nexus leave, then nexus join)");
      }
      return check{"mesh", "ok", mesh->mesh_name + " (" + mesh->mesh_id + ") as member " + mesh->member_id, ""};
    }));
  auto url = broker_for(ctx, mesh ? &*mesh : nullptr);
  std::string error;
  auto health = client::http_call(url, "GET", "/health", "", ctx.settings.connect_timeout_ms, &error);
  const bool reachable = health && health->status == 200;
  checks.push_back(reachable ? check{"broker", "ok", url.http_base() + "/health answers 200", ""}
                   : health  ? check{"broker", "fail", url.http_base() + "/health answers " +
                                                          std::to_string(health->status),
                                    "is " + url.http_base() + " a Nexus node? (--broker URL)"}
                             : check{"broker", "fail", error,
                                    "start the node (nexusd) or point --broker at it"});
  const bool can_hello = reachable && mesh && initialised &&
                         checks[1].status != "fail" && checks[2].status == "ok";
  if (!can_hello) {
    checks.push_back({"hello", "skip", "needs the broker, a mesh and a usable identity", ""});
    checks.push_back({"clock", "skip", "measured during the hello", ""});
  } else {
    const int64_t t0 = unix_now_ms();
    try {
      mesh_session s(ctx);
      auto peers = s.peers();
      const int64_t t1 = unix_now_ms();
      checks.push_back({"hello", "ok", "hello_ack and a peer list in " + std::to_string(t1 - t0) + " ms", ""});
      const std::string prefix = "nexus-cli-" + std::to_string(getpid()) + "-";
      std::optional<int64_t> connected;
      for (const auto& p : peers)
        if (p.memberPubkey == s.routing_pubkey() && p.sessionId.rfind(prefix, 0) == 0)
          connected = p.connectedAt_ms;
      if (!connected) {
        checks.push_back({"clock", "skip", "our own presence was not in the peer list", ""});
      } else {
        // The broker stamped connectedAt while our hello was in flight.
        const int64_t skew = *connected - (t0 + t1) / 2, slack = (t1 - t0) / 2 + 1;
        const bool bad = std::llabs(skew) > 30000;
        checks.push_back({"clock", bad ? "fail" : "ok",
                          "about " + std::to_string(skew) + " ms ahead of us (±" + std::to_string(slack) + " ms)",
                          bad ? "sync the clock (hellos more than 60 s off are refused): timedatectl set-ntp true"
                              : ""});
      }
    } catch (const cli_error& e) {
      checks.push_back({"hello", "fail", e.what(), e.hint});
      checks.push_back({"clock", "skip", "measured during the hello", ""});
    }
  }
  bool ok = true;
  for (const auto& c : checks)
    ok = ok && c.status != "fail";
  if (ctx.global.json) {
    json_out j;
    j.w.bool_field("ok", ok);
    j.w.key("checks");
    j.w.begin_array();
    for (const auto& c : checks) {
      j.w.begin_object();
      j.w.str_field("name", c.name);
      j.w.str_field("status", c.status);
      j.w.str_field("detail", c.detail);
      if (!c.fix.empty())
        j.w.str_field("fix", c.fix);
      j.w.end_object();
    }
    j.w.end_array();
    j.done();
  } else {
    table t({"CHECK", "", "DETAIL"});
    for (const auto& c : checks)
      t.row({c.name, c.status, c.detail + (c.fix.empty() ? "" : " — fix: " + c.fix)});
    t.print();
  }
  return ok ? exit_ok : exit_failure;
}

} // namespace nexus::cli
