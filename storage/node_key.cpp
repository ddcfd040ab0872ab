#include "storage/node_key.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nexus::storage {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

/// Closes a descriptor on scope exit.
struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

/// mkdir -p with mode 0700 for each directory it creates.
void ensure_directory(const std::string& dir) {
  if (dir.empty())
    return;
  struct stat st{};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      throw node_key_error(dir + " is not a directory");
    return;
  }
  if (auto slash = dir.find_last_of('/'); slash != std::string::npos && slash > 0)
    ensure_directory(dir.substr(0, slash));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw node_key_error("cannot create directory " + dir + ": " + errno_text(errno));
}

bool write_all(int fd, const uint8_t* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

/// Creates `path` holding a fresh key unless it exists. Never replaces a file:
/// the key is written under a unique temporary name, fsync'ed, then link()ed
/// to `path` (fails with EEXIST if someone else won the race; rename would
/// silently replace their key and leave two processes with different keys).
void create_if_absent(const std::string& home, const std::string& path) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." +
                          crypto::random_base62(8);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    throw node_key_error("cannot create node key in " + home + ": " + errno_text(errno));
  bool ok;
  {
    fd_guard guard{fd};
    auto key = crypto::secret_buffer::random(node_key::key_bytes);
    // fchmod: the umask could have removed bits, never added; be exact anyway.
    ok = ::fchmod(fd, 0600) == 0 && write_all(fd, key.data(), key.size()) && ::fsync(fd) == 0;
  }
  int err = errno;
  if (!ok) {
    ::unlink(tmp.c_str());
    throw node_key_error("cannot write node key " + tmp + ": " + errno_text(err));
  }
  int linked = ::link(tmp.c_str(), path.c_str());
  err = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && err != EEXIST)
    throw node_key_error("cannot create node key " + path + ": " + errno_text(err));
  if (linked == 0) {
    // Make the new directory entry durable too.
    int dfd = ::open(home.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
      ::fsync(dfd);
      ::close(dfd);
    }
  }
}

} // namespace

std::string node_key::path_in(const std::string& home) { return home + "/node.key"; }

node_key node_key::load(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    throw node_key_error("cannot open node key " + path + ": " + errno_text(errno));
  fd_guard guard{fd};
  struct stat st{};
  if (::fstat(fd, &st) != 0)
    throw node_key_error("cannot stat node key " + path + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode))
    throw node_key_error("node key " + path + " is not a regular file");
  if ((st.st_mode & 077) != 0)
    throw node_key_error("node key " + path + " has mode " + mode_text(st.st_mode) +
                         "; it must be readable by its owner only (chmod 600 " + path + ")");
  if (st.st_size != static_cast<off_t>(key_bytes))
    throw node_key_error("node key " + path + " is " + std::to_string(st.st_size) +
                         " bytes, expected " + std::to_string(key_bytes) +
                         " (corrupt? restore it from a backup; a new key cannot open "
                         "secrets sealed with the old one)");
  crypto::secret_buffer key(key_bytes);
  size_t got = 0;
  while (got < key_bytes) {
    ssize_t n = ::read(fd, key.data() + got, key_bytes - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw node_key_error("cannot read node key " + path);
    got += static_cast<size_t>(n);
  }
  return node_key(std::move(key));
}

node_key node_key::load_or_create(const std::string& home) {
  const std::string path = path_in(home);
  struct stat st{};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT)
      throw node_key_error("cannot stat node key " + path + ": " + errno_text(errno));
    ensure_directory(home);
    create_if_absent(home, path);
  }
  return load(path);
}

crypto::bytes node_key::seal(const crypto::secret_buffer& plaintext,
                             std::string_view context) const {
  return crypto::aead_seal(key_, plaintext, context);
}

std::optional<crypto::secret_buffer> node_key::open(const crypto::bytes& sealed,
                                                    std::string_view context) const {
  return crypto::aead_open(key_, sealed, context);
}

} // namespace nexus::storage
