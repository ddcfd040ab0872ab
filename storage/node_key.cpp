#include "storage/node_key.hpp"

#include "crypto/private_file.hpp"

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

/// Creates `path` holding a fresh key unless it exists; a racing process's
/// key is never replaced (crypto/private_file.hpp), so both agree on one.
void create_if_absent(const std::string& path) {
  auto key = crypto::secret_buffer::random(node_key::key_bytes);
  try {
    crypto::create_private_file(
        path, std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
  } catch (const crypto::private_file_error& e) {
    throw node_key_error(std::string("cannot create node key: ") + e.what());
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
    throw node_key_error("node key " + path + " has mode " + crypto::mode_text(st.st_mode) +
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
    create_if_absent(path);
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
