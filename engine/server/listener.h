// Listening sockets. Each worker loop gets its own SO_REUSEPORT socket for each address, so the
// kernel spreads connections across loops (libuv 1.44 has no flag for it: the socket is created
// here and handed to uv_tcp_open).
#pragma once

#include <cstdint>
#include <string>

#include <tl/expected.hpp>

#include "policies/config.h"

namespace edge::engine {

// Creates, binds (SO_REUSEADDR + SO_REUSEPORT) and listens on `addr`. Returns the fd.
tl::expected<int, std::string> openListenSocket(const policies::ListenAddress& addr);
// The port a bound socket ended up on (for port 0).
uint16_t boundPort(int fd);

}  // namespace edge::engine
