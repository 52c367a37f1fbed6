// An HTTP/1.1 server on one loop: adopts listening sockets, accepts connections and owns them,
// and shuts down gracefully. Loop thread only.
#pragma once

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "engine/server/connection.h"

namespace edge::engine {

class HttpServer final : public ConnectionOwner {
 public:
  HttpServer(Loop& loop, HttpService& service, const ServerOptions& options);
  ~HttpServer() override;

  // Adopts a bound, listening socket (see listener.h) and starts accepting on it.
  bool adopt(int fd);
  // Stops accepting, closes idle connections, lets in-flight exchanges finish; `drained` runs
  // once no connection is left.
  void beginShutdown(std::function<void()> drained);
  // Closes every connection at once (grace period over).
  void closeAll();
  size_t connectionCount() const { return conns_.size(); }

  void onConnectionClosed(Connection* conn) override;

 private:
  void onAccept(uv_stream_t* server);

  Loop& loop_;
  HttpService& service_;
  const ServerOptions& options_;
  std::vector<std::unique_ptr<UvHandle<uv_tcp_t>>> listeners_;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> conns_;
  std::function<void()> drained_;
  bool shutting_down_ = false;
};

}  // namespace edge::engine
