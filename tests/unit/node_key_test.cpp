// The node data key file and XChaCha20-Poly1305 sealing of secrets at rest.
#include "crypto/aead.hpp"
#include "storage/node_key.hpp"
#include "tests/support/child.hpp"

#include <doctest/doctest.h>

#include <dirent.h>
#include <fstream>
#include <optional>
#include <thread>
#include <vector>
#include <iterator>
#include <sys/stat.h>

using namespace nexus;
using storage::node_key;
using storage::node_key_error;

namespace {

crypto::secret_buffer secret_of(const std::string& s) {
  return crypto::secret_buffer(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string text_of(const crypto::secret_buffer& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

mode_t mode_of(const std::string& path) {
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

} // namespace

TEST_CASE("the node key is created 0600 on first use and the same key is loaded again") {
  test::temp_dir dir;
  const std::string home = dir.path() + "/home"; // does not exist yet
  auto key = node_key::load_or_create(home);
  const std::string path = node_key::path_in(home);
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(home) == 0700);
  const std::string first_bytes = file_bytes(path);
  CHECK(first_bytes.size() == 32);

  auto sealed = key.seal(secret_of("root key bytes"), "ctx");
  auto again = node_key::load_or_create(home);
  CHECK(file_bytes(path) == first_bytes); // not replaced
  auto opened = again.open(sealed, "ctx");
  REQUIRE(opened);
  CHECK(text_of(*opened) == "root key bytes");

  // Nothing but the key is left in the directory (no temporary files).
  std::vector<std::string> names;
  if (DIR* d = ::opendir(home.c_str())) {
    while (auto* e = ::readdir(d))
      if (std::string(e->d_name) != "." && std::string(e->d_name) != "..")
        names.push_back(e->d_name);
    ::closedir(d);
  }
  CHECK(names == std::vector<std::string>{"node.key"});
}

TEST_CASE("processes racing to create the node key all end up with the same key") {
  test::temp_dir dir;
  constexpr int racers = 4;
  std::vector<std::optional<node_key>> keys(racers);
  std::vector<std::thread> threads;
  for (int i = 0; i < racers; ++i)
    threads.emplace_back([&, i] { keys[i].emplace(node_key::load_or_create(dir.path())); });
  for (auto& t : threads)
    t.join();
  auto sealed = keys[0]->seal(secret_of("shared"), "ctx");
  for (int i = 1; i < racers; ++i)
    CHECK(keys[i]->open(sealed, "ctx"));
}

TEST_CASE("a node key readable by group or others is refused with the fix in the message") {
  test::temp_dir dir;
  node_key::load_or_create(dir.path());
  const std::string path = node_key::path_in(dir.path());
  REQUIRE(::chmod(path.c_str(), 0644) == 0);
  try {
    node_key::load_or_create(dir.path());
    FAIL("a 0644 key was accepted");
  } catch (const node_key_error& e) {
    std::string msg = e.what();
    CHECK(msg.find("0644") != std::string::npos);
    CHECK(msg.find("chmod 600") != std::string::npos);
  }
  REQUIRE(::chmod(path.c_str(), 0640) == 0);
  CHECK_THROWS_AS(node_key::load(path), node_key_error);
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  CHECK_NOTHROW(node_key::load(path));
}

TEST_CASE("a node key of the wrong size is refused, not replaced") {
  test::temp_dir dir;
  const std::string path = node_key::path_in(dir.path());
  {
    std::ofstream out(path, std::ios::binary);
    out << "short";
  }
  REQUIRE(::chmod(path.c_str(), 0600) == 0);
  CHECK_THROWS_AS(node_key::load_or_create(dir.path()), node_key_error);
  CHECK(file_bytes(path) == "short");
}

TEST_CASE("seal/open round trip; tampering, another context or another key fail") {
  test::temp_dir a_dir, b_dir;
  auto a = node_key::load_or_create(a_dir.path());
  auto b = node_key::load_or_create(b_dir.path());
  auto plain = crypto::secret_buffer::random(32);
  auto sealed = a.seal(plain, "mesh M1");
  CHECK(sealed.size() == 32 + crypto::aead_overhead_bytes);

  auto opened = a.open(sealed, "mesh M1");
  REQUIRE(opened);
  CHECK(crypto::secure_equal(*opened, plain));

  // Two seals of the same plaintext differ (random nonce).
  CHECK(a.seal(plain, "mesh M1") != sealed);

  for (size_t i : {size_t{0}, size_t{23}, size_t{24}, sealed.size() - 1}) {
    auto tampered = sealed;
    tampered[i] ^= 0x01;
    CAPTURE(i);
    CHECK_FALSE(a.open(tampered, "mesh M1"));
  }
  auto truncated = sealed;
  truncated.resize(crypto::aead_overhead_bytes - 1);
  CHECK_FALSE(a.open(truncated, "mesh M1"));
  CHECK_FALSE(a.open(sealed, "mesh M2"));  // bound to its context
  CHECK_FALSE(b.open(sealed, "mesh M1"));  // another node key
}

TEST_CASE("an empty secret seals and opens too") {
  test::temp_dir dir;
  auto key = node_key::load_or_create(dir.path());
  auto sealed = key.seal(crypto::secret_buffer(), "ctx");
  CHECK(sealed.size() == crypto::aead_overhead_bytes);
  auto opened = key.open(sealed, "ctx");
  REQUIRE(opened);
  CHECK(opened->empty());
}
