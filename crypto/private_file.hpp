// private_file: files only their owner may read — key files, tokens, and
// config files that carry secrets. Creation never replaces an existing file
// (written and fsync'ed under a unique temporary name, then link()ed into
// place, so two processes racing agree on one content); replacement is a
// temp file + fsync + rename, so a reader sees the old or the new content,
// never a torn one. Reading refuses a file that group or others may access,
// naming the fix.
//
// Functions only; safe from any thread (the filesystem is the shared state).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace nexus::crypto {

/// What went wrong, one line naming the path (and the fix where there is one).
struct private_file_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// mkdir -p; each directory it creates gets mode 0700. Throws if `dir`
/// exists and is not a directory.
void ensure_private_directory(const std::string& dir);

/// Creates `path` (mode 0600) holding `contents` unless it exists. true:
/// created; false: it existed (possibly made by a racing process). Creates
/// the parent directory (0700) when missing.
bool create_private_file(const std::string& path, std::string_view contents);

/// Reads `path`, refusing a non-regular file, a symlink, a mode that grants
/// group or others anything, and a file above `max_bytes`.
std::string read_private_file(const std::string& path, size_t max_bytes);

/// Atomically replaces (or creates) `path` with `contents` at `mode`.
void replace_file(const std::string& path, std::string_view contents, mode_t mode);

/// "0644"-style text of the permission bits.
std::string mode_text(mode_t mode);

} // namespace nexus::crypto
