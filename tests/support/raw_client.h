// Raw TCP to 127.0.0.1 for the integration tests: exact bytes out, everything that comes back
// (and whether the peer closed), all bounded by deadlines.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "support/http_message.h"
#include "support/timing.h"

namespace edge::itest {

// Non-blocking connect to 127.0.0.1:port within `timeout`. Returns the fd (non-blocking,
// close-on-exec, TCP_NODELAY) or -errno.
int connectLoopback(uint16_t port, Ms timeout);

// A TCP port on 127.0.0.1 that nothing listens on (bound to port 0, then closed).
uint16_t unusedPort();

// True when a TCP connect to 127.0.0.1:port fails (refused, or not done within `timeout`).
bool connectRefused(uint16_t port, Ms timeout = Ms(1000));

struct ReadResult {
  std::string data;
  bool closed = false;     // the peer closed (FIN or RST)
  bool reset = false;      // ...with RST
  bool timed_out = false;  // the deadline passed first
};

// A TCP client socket to 127.0.0.1:port. One thread at a time.
class RawClient {
 public:
  explicit RawClient(uint16_t port, Ms connect_timeout = Ms(3000));  // throws on failure
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  int fd() const { return fd_; }
  // Sends everything (bounded by `timeout`); false if the peer closed/reset or it timed out.
  bool send(std::string_view data, Ms timeout = Ms(10000));
  // Reads until the peer closes or `timeout` passes.
  ReadResult readUntilClosed(Ms timeout);
  // Reads until done(all bytes read so far by this call) is true, the peer closes, or timeout.
  ReadResult readUntil(const std::function<bool(std::string_view)>& done, Ms timeout);
  // Reads until `n` complete final (non-1xx) responses have arrived, or close/timeout.
  ReadResult readResponses(size_t n, Ms timeout, bool head_request = false);
  // One recv() of at most `max` bytes, waiting up to `timeout` for data. Empty + closed on EOF.
  ReadResult readSome(size_t max, Ms timeout);
  // Half-close (FIN) our side.
  void shutdownWrite();
  // Makes the close (close() or the destructor) a reset (RST, SO_LINGER 0) instead of a FIN.
  // False if the option could not be set.
  bool resetOnClose();
  void close();

 private:
  int fd_ = -1;
};

// One-shot: connect, send `request`, read until close or timeout.
ReadResult rawExchange(uint16_t port, std::string_view request, Ms timeout = Ms(5000));

}  // namespace edge::itest
