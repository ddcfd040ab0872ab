#include "crypto/private_file.hpp"

#include "crypto/sodium.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace nexus::crypto {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

struct fd_guard {
  int fd;
  ~fd_guard() {
    if (fd >= 0)
      ::close(fd);
  }
};

bool write_all(int fd, const char* data, size_t size) {
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

std::string parent_of(const std::string& path) {
  auto slash = path.find_last_of('/');
  if (slash == std::string::npos)
    return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

void fsync_directory(const std::string& dir) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

/// A new file at a unique temporary name next to `path`, written, chmod'ed
/// and fsync'ed; returns its name.
std::string write_temp(const std::string& path, std::string_view contents, mode_t mode) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid()) + "." + random_base62(8);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0)
    throw private_file_error("cannot create " + tmp + ": " + errno_text(errno));
  bool ok;
  {
    fd_guard guard{fd};
    // fchmod: the umask could have removed bits, never added; be exact anyway.
    ok = ::fchmod(fd, mode) == 0 && write_all(fd, contents.data(), contents.size()) &&
         ::fsync(fd) == 0;
  }
  int err = errno;
  if (!ok) {
    ::unlink(tmp.c_str());
    throw private_file_error("cannot write " + tmp + ": " + errno_text(err));
  }
  return tmp;
}

} // namespace

std::string mode_text(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

void ensure_private_directory(const std::string& dir) {
  if (dir.empty())
    return;
  struct stat st{};
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      throw private_file_error(dir + " is not a directory");
    return;
  }
  if (auto slash = dir.find_last_of('/'); slash != std::string::npos && slash > 0)
    ensure_private_directory(dir.substr(0, slash));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    throw private_file_error("cannot create directory " + dir + ": " + errno_text(errno));
}

bool create_private_file(const std::string& path, std::string_view contents) {
  const std::string dir = parent_of(path);
  ensure_private_directory(dir);
  // link() fails with EEXIST if someone else won the race; rename would
  // silently replace their file and leave two processes disagreeing.
  const std::string tmp = write_temp(path, contents, 0600);
  int linked = ::link(tmp.c_str(), path.c_str());
  int err = errno;
  ::unlink(tmp.c_str());
  if (linked != 0 && err != EEXIST)
    throw private_file_error("cannot create " + path + ": " + errno_text(err));
  if (linked == 0)
    fsync_directory(dir);
  return linked == 0;
}

std::string read_private_file(const std::string& path, size_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    throw private_file_error("cannot open " + path + ": " + errno_text(errno));
  fd_guard guard{fd};
  struct stat st{};
  if (::fstat(fd, &st) != 0)
    throw private_file_error("cannot stat " + path + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode))
    throw private_file_error(path + " is not a regular file");
  if ((st.st_mode & 077) != 0)
    throw private_file_error(path + " has mode " + mode_text(st.st_mode) +
                             "; it must be readable by its owner only (chmod 600 " + path + ")");
  if (static_cast<size_t>(st.st_size) > max_bytes)
    throw private_file_error(path + " is larger than " + std::to_string(max_bytes) + " bytes");
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      throw private_file_error("cannot read " + path);
    got += static_cast<size_t>(n);
  }
  return out;
}

void replace_file(const std::string& path, std::string_view contents, mode_t mode) {
  const std::string tmp = write_temp(path, contents, mode);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw private_file_error("cannot replace " + path + ": " + errno_text(err));
  }
  fsync_directory(parent_of(path));
}

} // namespace nexus::crypto
