#include "support/raw_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace edge::itest {

namespace {

int pollFd(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now()).count();
    if (left < 0) left = 0;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    return p.revents;
  }
}

}  // namespace

// Non-blocking connect to 127.0.0.1:port. Returns the fd (non-blocking, CLOEXEC) or -errno.
int connectLoopback(uint16_t port, Ms timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -errno;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) {
      int err = errno;
      ::close(fd);
      return -err;
    }
    int ev = pollFd(fd, POLLOUT, Clock::now() + timeout);
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (ev == 0) err = ETIMEDOUT;
    if (err != 0) {
      ::close(fd);
      return -err;
    }
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

uint16_t unusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("unusedPort: socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("unusedPort: bind failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool connectRefused(uint16_t port, Ms timeout) {
  int fd = connectLoopback(port, timeout);
  if (fd >= 0) {
    ::close(fd);
    return false;
  }
  return true;
}

RawClient::RawClient(uint16_t port, Ms connect_timeout) {
  fd_ = connectLoopback(port, connect_timeout);
  if (fd_ < 0) {
    int err = -fd_;
    fd_ = -1;
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) +
                             " failed: " + std::strerror(err));
  }
}

RawClient::~RawClient() { close(); }

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawClient::shutdownWrite() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

bool RawClient::resetOnClose() {
  const linger lg{1, 0};
  return fd_ >= 0 && ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0;
}

bool RawClient::send(std::string_view data, Ms timeout) {
  auto deadline = Clock::now() + timeout;
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (pollFd(fd_, POLLOUT, deadline) == 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

ReadResult RawClient::readUntil(const std::function<bool(std::string_view)>& done, Ms timeout) {
  ReadResult r;
  auto deadline = Clock::now() + timeout;
  char buf[64 * 1024];
  while (!done(r.data)) {
    int ev = pollFd(fd_, POLLIN, deadline);
    if (ev == 0) {
      r.timed_out = true;
      break;
    }
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      r.data.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      r.closed = true;
      break;
    } else if (errno != EINTR && errno != EAGAIN) {
      r.closed = true;
      r.reset = errno == ECONNRESET;
      break;
    }
  }
  return r;
}

ReadResult RawClient::readUntilClosed(Ms timeout) {
  return readUntil([](std::string_view) { return false; }, timeout);
}

ReadResult RawClient::readResponses(size_t n, Ms timeout, bool head_request) {
  return readUntil(
      [&](std::string_view data) {
        size_t complete = 0;
        while (!data.empty()) {
          ParseOutcome o = parseResponse(data, head_request, false);
          if (o.status != ParseStatus::Complete) break;
          if (o.response.status >= 200) ++complete;
          data.remove_prefix(o.consumed);
        }
        return complete >= n;
      },
      timeout);
}

ReadResult RawClient::readSome(size_t max, Ms timeout) {
  ReadResult r;
  int ev = pollFd(fd_, POLLIN, Clock::now() + timeout);
  if (ev == 0) {
    r.timed_out = true;
    return r;
  }
  std::string buf(max, '\0');
  ssize_t n = ::recv(fd_, buf.data(), max, 0);
  if (n > 0) {
    buf.resize(static_cast<size_t>(n));
    r.data = std::move(buf);
  } else if (n == 0) {
    r.closed = true;
  } else if (errno != EINTR && errno != EAGAIN) {
    r.closed = true;
    r.reset = errno == ECONNRESET;
  }
  return r;
}

ReadResult rawExchange(uint16_t port, std::string_view request, Ms timeout) {
  RawClient c(port);
  ReadResult r;
  if (!c.send(request, timeout)) {
    // The server may have answered and closed before taking everything: read what it sent.
    r = c.readUntilClosed(Ms(1000));
    return r;
  }
  return c.readUntilClosed(timeout);
}

}  // namespace edge::itest
