#include "apps/nexusd/admin_cli.hpp"

#include "actors/pg_instance.hpp"
#include "apps/nexusd/admin_format.hpp"
#include "config/log.hpp"
#include "storage/mesh_admin.hpp"
#include "storage/migrations.hpp"
#include "storage/node_key.hpp"

#include <sodium.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace nexus::admin_cli {

namespace {

/// A usage problem of command `command` ("member add"); exit status 2.
struct usage_error : std::runtime_error {
  usage_error(std::string cmd, const std::string& message)
      : std::runtime_error(message), command(std::move(cmd)) {}
  std::string command;
};

struct command_spec {
  const char* name;                 ///< "member add"
  std::set<std::string> values;     ///< options taking a value
  std::set<std::string> required;
  const char* help;
};

const char* const database_note =
    "Database: --database-url if set; otherwise the embedded PostgreSQL under\n"
    "--home (the running node's server if one is up, else one started for this\n"
    "command). Pending migrations are applied first. Every nexusd option (--home,\n"
    "--database-url, --config, ...) applies as usual.\n";

const std::map<std::string, command_spec>& commands() {
  static const std::map<std::string, command_spec> all = {
      {"mesh create",
       {"mesh create", {"name", "owner-key-file", "owner-name"}, {"name"},
        "Usage: nexusd mesh create --name NAME [--owner-key-file PATH] [--owner-name NAME] [--json]\n\n"
        "Creates a mesh: a new 32-character id, an owner ed25519 keypair and a\n"
        "32-byte root key. The owner key is also an admin member of the mesh (it\n"
        "can hello and register invites). The root key is stored sealed with the node data key\n"
        "($NEXUS_HOME/node.key, created mode 0600 if absent; every node sharing the\n"
        "database needs the same file) and is never printed. The owner secret key\n"
        "(128 hex characters) is written to a new mode-0600 file and never printed or\n"
        "logged; an existing file is never overwritten.\n\n"
        "Options:\n"
        "  --name NAME            mesh name, 1-256 characters (required)\n"
        "  --owner-key-file PATH  where to write the owner secret key; must not exist\n"
        "                         (default $NEXUS_HOME/meshes/<meshId>.owner.key)\n"
        "  --owner-name NAME      display name of the owner member (default owner)\n"
        "  --json                 print {id, name, slug, ownerPubkey, ownerMemberId,\n"
        "                         ownerKeyFile, createdAt} as one JSON object\n\n"
        "Exit status: 0 created, 1 failure, 2 usage error.\n"}},
      {"member add",
       {"member add", {"mesh", "pubkey", "name", "role"}, {"mesh", "pubkey", "name"},
        "Usage: nexusd member add --mesh ID --pubkey HEX --name NAME\n"
        "                         [--role admin|member] [--json]\n\n"
        "Adds a member to a mesh: the holder of the ed25519 key PUBKEY can then\n"
        "connect with hello.\n\n"
        "Options:\n"
        "  --mesh ID       the mesh (from nexusd mesh create)\n"
        "  --pubkey HEX    ed25519 public key, 64 hex characters (case-insensitive)\n"
        "  --name NAME     display name, 1-256 characters\n"
        "  --role ROLE     admin or member (default member)\n"
        "  --json          print the new member as one JSON object\n\n"
        "Exit status: 0 added, 1 failure (e.g. the pubkey is already an active\n"
        "member: revoke it first), 2 usage error, 4 mesh not found.\n"}},
      {"member list",
       {"member list", {"mesh"}, {"mesh"},
        "Usage: nexusd member list --mesh ID [--json]\n\n"
        "Lists every member of a mesh, revoked ones included (STATUS says which),\n"
        "oldest first.\n\n"
        "Options:\n"
        "  --mesh ID   the mesh\n"
        "  --json      print {meshId, members: [...]} as one JSON object\n\n"
        "Exit status: 0 listed, 1 failure, 2 usage error, 4 mesh not found.\n"}},
      {"member revoke",
       {"member revoke", {"mesh", "member"}, {"mesh", "member"},
        "Usage: nexusd member revoke --mesh ID --member ID [--json]\n\n"
        "Revokes a member: its pubkey can no longer connect, and may be added again\n"
        "later as a new member.\n\n"
        "Options:\n"
        "  --mesh ID     the mesh\n"
        "  --member ID   the member id (from nexusd member list)\n"
        "  --json        print the revoked member as one JSON object\n\n"
        "Exit status: 0 revoked, 1 failure (e.g. already revoked), 2 usage error,\n"
        "4 mesh or member not found.\n"}},
  };
  return all;
}

/// The subcommand's own options after its two words.
struct options {
  std::map<std::string, std::string> values;
  bool json = false;
  bool help = false;
  const std::string& at(const std::string& k) const { return values.at(k); }
  std::string get(const std::string& k, std::string fallback) const {
    auto it = values.find(k);
    return it == values.end() ? fallback : it->second;
  }
};

options parse(const command_spec& spec, const std::vector<std::string>& words) {
  options o;
  for (size_t i = 2; i < words.size(); ++i) {
    const std::string& a = words[i];
    if (a == "--help" || a == "-h") {
      o.help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0)
      throw usage_error(spec.name, "unexpected argument \"" + a + "\"");
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
      inline_value = true;
    }
    if (name == "json" && !inline_value) {
      o.json = true;
    } else if (spec.values.count(name) != 0) {
      if (!inline_value) {
        if (i + 1 >= words.size())
          throw usage_error(spec.name, "option --" + name + " needs a value");
        value = words[++i];
      }
      if (o.values.count(name) != 0)
        throw usage_error(spec.name, "option --" + name + " given twice");
      o.values[name] = value;
    } else {
      throw usage_error(spec.name, "unknown option --" + name);
    }
  }
  if (!o.help)
    for (auto& r : spec.required)
      if (o.values.count(r) == 0)
        throw usage_error(spec.name, "missing --" + r);
  return o;
}

/// Re-throws a validation failure of a value as a usage error.
template <class F>
void validate(const char* command, F&& check) {
  try {
    check();
  } catch (const storage::admin_error& e) {
    throw usage_error(command, e.what());
  }
}

/// An open, migrated database connection (and the server, if we started it).
struct database {
  pg_attachment attachment;
  storage::pg_connection conn;
};

std::unique_ptr<database> open_database(const config::node_config& cfg) {
  auto attachment = attach_or_start(cfg);
  auto conn = storage::pg_connection::connect(attachment.dsn, cfg.db_connect_timeout_ms);
  storage::apply_migrations(conn);
  return std::unique_ptr<database>(new database{std::move(attachment), std::move(conn)});
}

std::string absolute(const std::string& path) {
  if (!path.empty() && path.front() == '/')
    return path;
  char cwd[4096];
  if (::getcwd(cwd, sizeof cwd) == nullptr)
    return path;
  return std::string(cwd) + "/" + path;
}

void ensure_private_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create directory " + dir + ": " + std::strerror(errno));
}

/// Writes the owner secret as 128 hex characters + newline to a new file of
/// mode 0600. O_EXCL: an existing file (or symlink) is never overwritten.
void write_owner_key(const std::string& path, const crypto::secret_buffer& secret) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    throw std::runtime_error("cannot create owner key file " + path + ": " + std::strerror(err) +
                             (err == EEXIST ? " (refusing to overwrite it; choose another path)" : ""));
  }
  crypto::secret_buffer hex(secret.size() * 2 + 2);
  sodium_bin2hex(reinterpret_cast<char*>(hex.data()), hex.size() - 1, secret.data(), secret.size());
  hex.data()[secret.size() * 2] = '\n';
  const size_t total = secret.size() * 2 + 1;
  size_t done = 0;
  bool ok = ::fchmod(fd, 0600) == 0;
  while (ok && done < total) {
    ssize_t n = ::write(fd, hex.data() + done, total - done);
    if (n < 0 && errno == EINTR)
      continue;
    ok = n > 0;
    if (ok)
      done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    throw std::runtime_error("cannot write owner key file " + path + ": " + std::strerror(err));
  }
}

int mesh_create(const config::node_config& cfg, const options& o) {
  const std::string name = o.at("name");
  const std::string owner_name = o.get("owner-name", "owner");
  validate("mesh create", [&] {
    storage::validate_name(name, "mesh name");
    storage::validate_name(owner_name, "owner name");
  });
  auto key = storage::node_key::load_or_create(cfg.home);
  auto db = open_database(cfg);
  auto draft = storage::draft_mesh(name);
  std::string key_file;
  if (auto it = o.values.find("owner-key-file"); it != o.values.end()) {
    key_file = absolute(it->second);
  } else {
    ensure_private_dir(cfg.home);
    ensure_private_dir(cfg.home + "/meshes");
    key_file = cfg.home + "/meshes/" + draft.id + ".owner.key";
  }
  // The secret is on disk before the mesh exists, so a stored mesh never
  // lacks its owner key; if the insert fails the file goes again.
  write_owner_key(key_file, draft.owner_secret);
  storage::mesh_row mesh;
  try {
    mesh = storage::insert_mesh(db->conn, key, draft, owner_name);
  } catch (...) {
    ::unlink(key_file.c_str());
    throw;
  }
  log::info("admin") << "created mesh " << mesh.id << " (owner key file " << key_file << ")";
  auto owner = db->conn.exec(storage::broker_sql::select_active_member, {mesh.id, mesh.owner_pubkey});
  std::string owner_member = owner.rows.empty() ? std::string() : storage::member_from(owner, 0).id;
  std::cout << (o.json ? admin_cli::mesh_json(mesh, key_file, owner_member)
                       : mesh_text(mesh, key_file, owner_member));
  return exit_ok;
}

int member_add(const config::node_config& cfg, const options& o) {
  const std::string role = o.get("role", "member");
  validate("member add", [&] {
    storage::normalize_pubkey(o.at("pubkey"));
    storage::validate_name(o.at("name"), "member name");
    storage::validate_role(role);
  });
  auto db = open_database(cfg);
  auto m = storage::add_member(db->conn, o.at("mesh"), o.at("pubkey"), o.at("name"), role);
  log::info("admin") << "added member " << m.id << " to mesh " << m.mesh_id;
  std::cout << (o.json ? member_json(m) : member_text(m, "member added"));
  return exit_ok;
}

int member_list(const config::node_config& cfg, const options& o) {
  auto db = open_database(cfg);
  auto members = storage::list_members(db->conn, o.at("mesh"));
  std::cout << (o.json ? members_json(o.at("mesh"), members) : members_text(o.at("mesh"), members));
  return exit_ok;
}

int member_revoke(const config::node_config& cfg, const options& o) {
  auto db = open_database(cfg);
  auto m = storage::revoke_member(db->conn, o.at("mesh"), o.at("member"));
  log::info("admin") << "revoked member " << m.id << " of mesh " << m.mesh_id;
  std::cout << (o.json ? member_json(m) : member_text(m, "member revoked"));
  return exit_ok;
}

/// One line on stderr, whatever the message contains.
int fail(int status, std::string message, const std::string& hint) {
  for (auto& c : message)
    if (c == '\n' || c == '\r')
      c = ' ';
  std::cerr << "nexusd: " << message << (hint.empty() ? "" : " (" + hint + ")") << "\n";
  return status;
}

std::string family_help(const std::string& family) {
  std::string out = "Usage: nexusd " + family + " COMMAND [OPTIONS]\n\nCommands:\n";
  for (auto& [name, spec] : commands())
    if (name.rfind(family + " ", 0) == 0)
      out += "  nexusd " + name + "\n";
  return out + "\nRun nexusd " + family + " COMMAND --help for its options.\n";
}

} // namespace

bool handles(const std::string& word) { return word == "mesh" || word == "member"; }

std::string commands_help() {
  return "\nCommands (operator bootstrap; run with --help for details):\n"
         "  nexusd mesh create --name NAME [--owner-key-file PATH] [--owner-name NAME] [--json]\n"
         "  nexusd member add --mesh ID --pubkey HEX --name NAME [--role admin|member] [--json]\n"
         "  nexusd member list --mesh ID [--json]\n"
         "  nexusd member revoke --mesh ID --member ID [--json]\n";
}

int run(const config::node_config& cfg, const std::vector<std::string>& words) {
  const std::string& family = words.front();
  if (words.size() < 2)
    return fail(exit_usage, "missing command after \"" + family + "\"",
                "see nexusd " + family + " --help");
  if (words[1] == "--help" || words[1] == "-h") {
    std::cout << family_help(family);
    return exit_ok;
  }
  auto it = commands().find(family + " " + words[1]);
  if (it == commands().end())
    return fail(exit_usage, "unknown command \"" + family + " " + words[1] + "\"",
                "see nexusd " + family + " --help");
  const command_spec& spec = it->second;
  // Admin commands are quiet unless asked: their output is the result.
  if (auto src = cfg.sources.find("log_level");
      src == cfg.sources.end() || src->second == config::value_source::default_value)
    log::set_level("warn");
  else
    log::set_level(cfg.log_level);
  try {
    options o = parse(spec, words);
    if (o.help) {
      std::cout << spec.help << "\n" << database_note;
      return exit_ok;
    }
    if (it->first == "mesh create")
      return mesh_create(cfg, o);
    if (it->first == "member add")
      return member_add(cfg, o);
    if (it->first == "member list")
      return member_list(cfg, o);
    return member_revoke(cfg, o);
  } catch (const usage_error& e) {
    return fail(exit_usage, e.what(), "see nexusd " + e.command + " --help");
  } catch (const storage::admin_error& e) {
    switch (e.code) {
      case storage::admin_errc::invalid_argument:
        return fail(exit_usage, e.what(), "see nexusd " + it->first + " --help");
      case storage::admin_errc::not_found:
        return fail(exit_not_found, e.what(),
                    std::string(e.what()).rfind("mesh ", 0) == 0
                        ? "use the id printed by nexusd mesh create"
                        : "see nexusd member list --mesh ID");
      case storage::admin_errc::conflict:
        return fail(exit_failure, e.what(), "");
    }
    return fail(exit_failure, e.what(), "");
  } catch (const storage::node_key_error& e) {
    return fail(exit_failure, e.what(), "");
  } catch (const storage::storage_error& e) {
    return fail(exit_failure, std::string("database: ") + e.what(),
                "is it reachable? see --database-url and --home");
  } catch (const std::exception& e) {
    return fail(exit_failure, e.what(), "");
  }
}

} // namespace nexus::admin_cli
