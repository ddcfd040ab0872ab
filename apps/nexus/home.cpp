#include "apps/nexus/home.hpp"

#include "apps/nexus/cli_error.hpp"
#include "client/json_read.hpp"
#include "crypto/sodium.hpp"
#include "transport/json_writer.hpp"

#include <rapidjson/document.h>

#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nexus::cli {
namespace {

[[noreturn]] void io_fail(const std::string& what, const std::string& path) {
  throw cli_error(exit_failure, what + " " + path + ": " + std::strerror(errno),
                  "check that the directory exists and is yours");
}

void fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

int64_t json_int(const rapidjson::Value& o, const char* k) {
  auto it = o.FindMember(k);
  return it != o.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
}

rapidjson::Document parse_json_file(const std::string& path, const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str(), text.size());
  if (d.HasParseError() || !d.IsObject())
    throw cli_error(exit_failure, path + " is not a JSON object",
                    "fix or remove it (nexus doctor shows what is wrong)");
  return d;
}

bool hex_secret(const std::string& s) { return crypto::is_lower_hex(s, 128); }

} // namespace

std::string resolve_home(const std::optional<std::string>& flag) {
  std::string dir;
  if (flag)
    dir = *flag;
  else if (const char* env = std::getenv("NEXUS_HOME"); env && *env)
    dir = env;
  else if (const char* h = std::getenv("HOME"); h && *h)
    dir = std::string(h) + "/.nexus";
  else
    throw cli_error(exit_usage, "no home directory: neither --home, NEXUS_HOME nor HOME is set",
                    "pass --home DIR");
  if (dir.rfind("~/", 0) == 0)
    if (const char* h = std::getenv("HOME"))
      dir = std::string(h) + dir.substr(1);
  if (!dir.empty() && dir[0] != '/') {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd))
      dir = std::string(cwd) + "/" + dir;
  }
  while (dir.size() > 1 && dir.back() == '/')
    dir.pop_back();
  return dir;
}

void make_private_dir(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      throw cli_error(exit_failure, path + " exists and is not a directory", "move it away");
    return;
  }
  const std::string parent = parent_of(path);
  if (parent != path && ::stat(parent.c_str(), &st) != 0)
    make_private_dir(parent);
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST)
    io_fail("cannot create", path);
}

void write_private_file(const std::string& path, const std::string& content) {
  const std::string tmp = parent_of(path) + "/.tmp." + std::to_string(getpid()) + "." +
                          path.substr(path.rfind('/') + 1);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0)
    io_fail("cannot create", tmp);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      io_fail("cannot write", tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    io_fail("cannot write", tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    io_fail("cannot replace", path);
  }
  fsync_dir(parent_of(path));
}

std::optional<std::string> read_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT)
      return std::nullopt;
    io_fail("cannot read", path);
  }
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      ::close(fd);
      io_fail("cannot read", path);
    }
    if (n == 0)
      break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

std::optional<unsigned> file_mode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return std::nullopt;
  return static_cast<unsigned>(st.st_mode & 07777);
}

void require_private(const std::string& path) {
  auto mode = file_mode(path);
  if (mode && (*mode & 077) != 0) {
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", *mode);
    throw cli_error(exit_failure, path + " is mode " + octal + ", readable by others; refusing to use it",
                    "chmod 600 " + path + " (or run nexus doctor --fix)");
  }
}

bool home::initialised() const { return file_mode(identity_path()).has_value(); }

void home::require_initialised() const {
  if (!initialised())
    throw cli_error(exit_failure, "no Nexus home at " + dir_, "run nexus init first (or pass --home)");
}

home_config home::load_config() const {
  home_config c;
  auto text = read_file(config_path());
  if (!text)
    return c;
  require_private(config_path());
  auto d = parse_json_file(config_path(), *text);
  c.broker = client::json::str(d, "broker");
  c.display_name = client::json::str(d, "display_name");
  c.default_mesh = client::json::str(d, "default_mesh");
  if (auto it = d.FindMember("settings"); it != d.MemberEnd() && it->value.IsObject())
    for (auto m = it->value.MemberBegin(); m != it->value.MemberEnd(); ++m) {
      std::string v = m->value.IsString() ? m->value.GetString()
                      : m->value.IsInt64() ? std::to_string(m->value.GetInt64())
                                           : std::string("<not a number>");
      c.settings.emplace_back(m->name.GetString(), v);
    }
  return c;
}

void home::save_config(const home_config& c) const {
  wire::json_writer w;
  w.begin_object();
  w.int_field("schema_version", 1);
  w.str_field("broker", c.broker);
  w.str_field("display_name", c.display_name);
  w.str_field("default_mesh", c.default_mesh);
  w.key("settings");
  w.begin_object();
  for (const auto& [k, v] : c.settings)
    w.str_field(k, v);
  w.end_object();
  w.end_object();
  write_private_file(config_path(), w.take() + "\n");
}

identity home::create_identity() const {
  if (initialised())
    return load_identity();
  make_private_dir(dir_);
  auto [sk, pk] = crypto::ed25519_generate();
  std::string hex = crypto::to_hex(sk);
  sodium_memzero(sk.data(), sk.size());
  write_private_file(identity_path(), hex + "\n");
  sodium_memzero(hex.data(), hex.size());
  return load_identity();
}

identity home::load_identity() const {
  require_initialised();
  require_private(identity_path());
  auto text = read_file(identity_path()).value_or("");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  if (!hex_secret(text)) {
    sodium_memzero(text.data(), text.size());
    throw cli_error(exit_failure, identity_path() + " does not hold an ed25519 secret key (128 hex)",
                    "restore it from a backup; a new identity needs a new membership");
  }
  auto raw = crypto::from_hex(text);
  sodium_memzero(text.data(), text.size());
  identity id;
  auto secret = std::make_shared<crypto::secret_buffer>(raw->data(), raw->size());
  // libsodium's secret key is seed ‖ public key: check they belong together.
  auto [sk, pk] = crypto::ed25519_from_seed(crypto::bytes(raw->begin(), raw->begin() + 32));
  const bool consistent = crypto::secure_equal(sk, *raw);
  sodium_memzero(raw->data(), raw->size());
  sodium_memzero(sk.data(), sk.size());
  if (!consistent)
    throw cli_error(exit_failure, identity_path() + ": the public half does not match the seed",
                    "the key file is corrupt; restore it from a backup");
  id.pubkey_hex = crypto::to_hex(pk);
  id.secret = std::move(secret);
  return id;
}

std::vector<mesh_record> home::meshes() const {
  std::vector<mesh_record> out;
  DIR* d = ::opendir(meshes_dir().c_str());
  if (!d)
    return out;
  while (auto* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..")
      continue;
    auto text = read_file(mesh_file(name, "mesh.json"));
    if (!text)
      continue; // not a mesh group (e.g. nexusd's owner key files)
    auto j = parse_json_file(mesh_file(name, "mesh.json"), *text);
    mesh_record m;
    m.mesh_id = client::json::str(j, "mesh_id");
    m.mesh_name = client::json::str(j, "mesh_name");
    m.member_id = client::json::str(j, "member_id");
    m.broker = client::json::str(j, "broker");
    m.display_name = client::json::str(j, "display_name");
    m.role = client::json::str(j, "role");
    m.status = client::json::str(j, "status");
    m.summary = client::json::str(j, "summary");
    m.owner_pubkey = client::json::str(j, "owner_pubkey");
    m.joined_at_ms = json_int(j, "joined_at_ms");
    if (m.mesh_id == name)
      out.push_back(std::move(m));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end(),
            [](const mesh_record& a, const mesh_record& b) { return a.joined_at_ms < b.joined_at_ms; });
  return out;
}

void home::save_mesh(const mesh_record& m) const {
  make_private_dir(mesh_dir(m.mesh_id));
  wire::json_writer w;
  w.begin_object();
  w.int_field("schema_version", 1);
  w.str_field("mesh_id", m.mesh_id);
  w.str_field("mesh_name", m.mesh_name);
  w.str_field("member_id", m.member_id);
  w.str_field("broker", m.broker);
  w.str_field("display_name", m.display_name);
  w.str_field("role", m.role);
  w.str_field("status", m.status);
  w.str_field("summary", m.summary);
  w.str_field("owner_pubkey", m.owner_pubkey);
  w.int_field("joined_at_ms", m.joined_at_ms);
  w.end_object();
  write_private_file(mesh_file(m.mesh_id, "mesh.json"), w.take() + "\n");
}

bool home::remove_mesh(const std::string& mesh_id) const {
  const std::string dir = mesh_dir(mesh_id);
  DIR* d = ::opendir(dir.c_str());
  if (!d)
    return false;
  while (auto* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..")
      ::unlink((dir + "/" + name).c_str());
  }
  ::closedir(d);
  if (::rmdir(dir.c_str()) != 0)
    io_fail("cannot remove", dir);
  return true;
}

mesh_record home::select_mesh(const std::optional<std::string>& selector) const {
  auto all = meshes();
  if (all.empty())
    throw cli_error(exit_not_found, "this home has joined no mesh",
                    "nexus join CODE, nexus mesh create NAME or nexus mesh import");
  if (selector) {
    std::vector<mesh_record> hits;
    for (auto& m : all)
      if (m.mesh_id == *selector || m.mesh_name == *selector)
        return m;
    for (auto& m : all)
      if (m.mesh_id.rfind(*selector, 0) == 0)
        hits.push_back(m);
    if (hits.size() == 1)
      return hits.front();
    std::string names;
    for (auto& m : (hits.empty() ? all : hits))
      names += (names.empty() ? "" : ", ") + m.mesh_name + " (" + m.mesh_id + ")";
    throw cli_error(exit_not_found,
                    hits.empty() ? "no mesh \"" + *selector + "\" in this home"
                                 : "\"" + *selector + "\" matches several meshes: " + names,
                    "known meshes: " + names);
  }
  if (all.size() == 1)
    return all.front();
  auto def = load_config().default_mesh;
  for (auto& m : all)
    if (m.mesh_id == def)
      return m;
  throw cli_error(exit_usage, "this home has joined " + std::to_string(all.size()) + " meshes",
                  "pick one with --mesh NAME|ID (nexus list shows them)");
}

} // namespace nexus::cli
