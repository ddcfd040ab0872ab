#include "crypto/secret_buffer.hpp"

#include "crypto/sodium.hpp"

#include <sodium.h>

#include <cstring>
#include <new>

namespace nexus::crypto {

secret_buffer::secret_buffer(size_t size) {
  if (size == 0)
    return;
  if (!sodium_ready())
    throw std::bad_alloc();
  data_ = static_cast<uint8_t*>(sodium_malloc(size));
  if (data_ == nullptr)
    throw std::bad_alloc();
  size_ = size;
  sodium_memzero(data_, size_);
}

secret_buffer::secret_buffer(const uint8_t* data, size_t size) : secret_buffer(size) {
  if (size_ != 0)
    std::memcpy(data_, data, size_);
}

secret_buffer::secret_buffer(secret_buffer&& other) noexcept
    : data_(other.data_), size_(other.size_) {
  other.data_ = nullptr;
  other.size_ = 0;
}

secret_buffer& secret_buffer::operator=(secret_buffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = other.data_;
    size_ = other.size_;
    other.data_ = nullptr;
    other.size_ = 0;
  }
  return *this;
}

secret_buffer::~secret_buffer() { release(); }

void secret_buffer::release() {
  if (data_ != nullptr)
    sodium_free(data_); // wipes before unmapping
  data_ = nullptr;
  size_ = 0;
}

secret_buffer secret_buffer::random(size_t size) {
  secret_buffer out(size);
  if (size != 0)
    randombytes_buf(out.data(), size);
  return out;
}

bool secure_equal(const secret_buffer& a, const secret_buffer& b) {
  return a.size() == b.size() && (a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0);
}

} // namespace nexus::crypto
