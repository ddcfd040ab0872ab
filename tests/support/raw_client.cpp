#include "tests/support/raw_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <stdexcept>

namespace nexus::test {
namespace {

using clock = std::chrono::steady_clock;

int connect_loopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void write_all(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0)
      return; // peer gone; the next read reports it
    off += static_cast<size_t>(n);
  }
}

/// Reads more bytes into `buf`; false on EOF/error/deadline.
bool read_some(int fd, std::string& buf, clock::time_point deadline, bool& eof) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  if (left.count() <= 0)
    return false;
  pollfd p{fd, POLLIN, 0};
  int r = ::poll(&p, 1, static_cast<int>(left.count()));
  if (r <= 0)
    return false;
  char tmp[16384];
  ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
  if (n <= 0) {
    eof = true;
    return false;
  }
  buf.append(tmp, static_cast<size_t>(n));
  return true;
}

http_reply parse_head(const std::string& head) {
  http_reply r;
  auto line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  if (status_line.size() >= 12)
    r.status = std::atoi(status_line.substr(9, 3).c_str());
  size_t pos = line_end + 2;
  while (pos < head.size()) {
    auto end = head.find("\r\n", pos);
    if (end == std::string::npos || end == pos)
      break;
    std::string line = head.substr(pos, end - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), ::tolower);
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      r.headers[name] = value;
    }
    pos = end + 2;
  }
  return r;
}

} // namespace

http_reply http_request(uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body, const std::string& extra_headers,
                        std::chrono::milliseconds timeout) {
  int fd = connect_loopback(port);
  if (fd < 0)
    return {};
  std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!body.empty() || method == "POST")
    req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  req += extra_headers + "\r\n" + body;
  write_all(fd, req);
  auto deadline = clock::now() + timeout;
  std::string buf;
  bool eof = false;
  while (!eof && read_some(fd, buf, deadline, eof)) {
  }
  ::close(fd);
  auto head_end = buf.find("\r\n\r\n");
  if (head_end == std::string::npos)
    return {};
  http_reply r = parse_head(buf.substr(0, head_end + 2));
  std::string rest = buf.substr(head_end + 4);
  if (auto it = r.headers.find("transfer-encoding");
      it != r.headers.end() && it->second.find("chunked") != std::string::npos) {
    size_t pos = 0;
    while (pos < rest.size()) {
      auto eol = rest.find("\r\n", pos);
      if (eol == std::string::npos)
        break;
      size_t len = std::stoul(rest.substr(pos, eol - pos), nullptr, 16);
      if (len == 0)
        break;
      r.body += rest.substr(eol + 2, len);
      pos = eol + 2 + len + 2;
    }
  } else {
    r.body = rest;
  }
  return r;
}

uint16_t ws_client::frame::close_code() const {
  if (payload.size() < 2)
    return 1005;
  return static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) |
                               static_cast<uint8_t>(payload[1]));
}

ws_client::ws_client(ws_client&& other) noexcept
    : fd_(other.fd_), last_status_(other.last_status_), dropped_(other.dropped_),
      auto_pong_(other.auto_pong_), buffer_(std::move(other.buffer_)) {
  other.fd_ = -1;
}

ws_client::~ws_client() { close(); }

void ws_client::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

bool ws_client::connect(uint16_t port, const std::string& target,
                        std::chrono::milliseconds timeout) {
  close();
  dropped_ = false;
  buffer_.clear();
  fd_ = connect_loopback(port);
  if (fd_ < 0)
    return false;
  write_all(fd_, "GET " + target +
                     " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  auto deadline = clock::now() + timeout;
  bool eof = false;
  while (buffer_.find("\r\n\r\n") == std::string::npos)
    if (!read_some(fd_, buffer_, deadline, eof)) {
      last_status_ = 0;
      dropped_ = eof;
      close();
      return false;
    }
  auto head_end = buffer_.find("\r\n\r\n");
  last_status_ = parse_head(buffer_.substr(0, head_end + 2)).status;
  buffer_.erase(0, head_end + 4);
  if (last_status_ != 101) {
    close();
    return false;
  }
  return true;
}

void ws_client::send_text(const std::string& payload) { send_frame(1, payload); }
void ws_client::send_binary(const std::string& payload) { send_frame(2, payload); }

void ws_client::send_frame(uint8_t opcode, const std::string& payload, bool fin) {
  if (fd_ < 0)
    return;
  std::string f;
  f += static_cast<char>((fin ? 0x80 : 0x00) | opcode);
  size_t n = payload.size();
  if (n < 126) {
    f += static_cast<char>(0x80 | n);
  } else if (n <= 0xFFFF) {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xFF);
  } else {
    f += static_cast<char>(0x80 | 127);
    for (int i = 7; i >= 0; --i)
      f += static_cast<char>((static_cast<uint64_t>(n) >> (8 * i)) & 0xFF);
  }
  static thread_local std::mt19937 rng{std::random_device{}()};
  char mask[4];
  for (auto& m : mask)
    m = static_cast<char>(rng() & 0xFF);
  f.append(mask, 4);
  for (size_t i = 0; i < n; ++i)
    f += static_cast<char>(payload[i] ^ mask[i % 4]);
  write_all(fd_, f);
}

bool ws_client::read_exact(std::string& out, size_t n, clock::time_point deadline) {
  bool eof = false;
  while (buffer_.size() < n)
    if (!read_some(fd_, buffer_, deadline, eof)) {
      if (eof)
        dropped_ = true;
      return false;
    }
  out = buffer_.substr(0, n);
  buffer_.erase(0, n);
  return true;
}

std::optional<ws_client::frame> ws_client::next(std::chrono::milliseconds timeout) {
  auto deadline = clock::now() + timeout;
  while (fd_ >= 0) {
    std::string head;
    if (!read_exact(head, 2, deadline))
      return std::nullopt;
    frame f;
    f.opcode = static_cast<uint8_t>(head[0]) & 0x0F;
    uint64_t len = static_cast<uint8_t>(head[1]) & 0x7F;
    std::string ext;
    if (len == 126) {
      if (!read_exact(ext, 2, deadline))
        return std::nullopt;
      len = (static_cast<uint8_t>(ext[0]) << 8) | static_cast<uint8_t>(ext[1]);
    } else if (len == 127) {
      if (!read_exact(ext, 8, deadline))
        return std::nullopt;
      len = 0;
      for (char c : ext)
        len = (len << 8) | static_cast<uint8_t>(c);
    }
    if (!read_exact(f.payload, static_cast<size_t>(len), deadline))
      return std::nullopt;
    if (f.opcode == 9) { // ping
      if (auto_pong_)
        send_frame(10, f.payload);
      continue;
    }
    if (f.opcode == 10)
      continue;
    return f;
  }
  return std::nullopt;
}

std::optional<std::string> ws_client::next_text(std::chrono::milliseconds timeout) {
  auto f = next(timeout);
  if (!f || (f->opcode != 1 && f->opcode != 2))
    return std::nullopt;
  return f->payload;
}

} // namespace nexus::test
