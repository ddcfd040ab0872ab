// node_key: the node data key, $NEXUS_HOME/node.key — 32 random bytes that
// seal secrets at rest (mesh root keys now; vault and service env later)
// with XChaCha20-Poly1305 (crypto/aead.hpp). Every node of one cluster must
// use the same key file, since they share one database.
//
// The file is created on first use, mode 0600, atomically: written and
// fsync'ed under a temporary name, then linked into place without replacing
// anything, so two processes starting together agree on one key (the loser
// of the race reads the winner's file). An existing file whose mode grants
// anything to group or others, that is not a regular file, or that is not
// exactly 32 bytes is refused with a node_key_error naming the path and the
// fix. The key itself is never logged or printed.
//
// A node_key is immutable after load; seal/open are const and safe to call
// from several threads at once. Move-only (the key lives in guarded memory).
#pragma once

#include "crypto/aead.hpp"
#include "crypto/secret_buffer.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nexus::storage {

/// Why a node key could not be loaded or created; what() is one line.
struct node_key_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class node_key {
public:
  static constexpr size_t key_bytes = crypto::aead_key_bytes;

  /// $home/node.key.
  static std::string path_in(const std::string& home);

  /// Loads $home/node.key, creating it (and `home`, mode 0700) when absent.
  /// Throws node_key_error.
  static node_key load_or_create(const std::string& home);

  /// Loads the key at `path` without creating anything. Throws node_key_error.
  static node_key load(const std::string& path);

  /// nonce ‖ ciphertext of `plaintext`, bound to `context` (see aead.hpp).
  crypto::bytes seal(const crypto::secret_buffer& plaintext, std::string_view context) const;
  /// The plaintext, or nullopt if `sealed` was not made by seal() with this
  /// key and context (tampered, truncated, other key).
  std::optional<crypto::secret_buffer> open(const crypto::bytes& sealed,
                                            std::string_view context) const;

private:
  explicit node_key(crypto::secret_buffer key) : key_(std::move(key)) {}
  crypto::secret_buffer key_;
};

} // namespace nexus::storage
