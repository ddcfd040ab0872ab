// secret_buffer: bytes of a secret (data keys, root keys, ed25519 secret
// keys) in libsodium guarded memory (sodium_malloc: guard pages, mlock'ed,
// never swapped) that is wiped and freed on destruction.
//
// Move-only, so a secret has exactly one owner and is never silently copied.
// Not thread-safe; hand a buffer from one thread to another by moving it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nexus::crypto {

class secret_buffer {
public:
  secret_buffer() = default;
  /// `size` zero bytes; throws std::bad_alloc if guarded memory is exhausted.
  explicit secret_buffer(size_t size);
  /// A copy of `size` bytes at `data` (the caller wipes its own copy).
  secret_buffer(const uint8_t* data, size_t size);
  secret_buffer(secret_buffer&& other) noexcept;
  secret_buffer& operator=(secret_buffer&& other) noexcept;
  secret_buffer(const secret_buffer&) = delete;
  secret_buffer& operator=(const secret_buffer&) = delete;
  ~secret_buffer();

  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  /// `size` bytes from the CSPRNG.
  static secret_buffer random(size_t size);

private:
  void release();
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

/// Constant-time equality (sodium_memcmp); false when the sizes differ.
bool secure_equal(const secret_buffer& a, const secret_buffer& b);

} // namespace nexus::crypto
