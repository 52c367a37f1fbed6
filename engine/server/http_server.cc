#include "engine/server/http_server.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace edge::engine {

HttpServer::HttpServer(Loop& loop, HttpService& service, const ServerOptions& options)
    : loop_(loop), service_(service), options_(options) {}

HttpServer::~HttpServer() {
  listeners_.clear();
  conns_.clear();
}

bool HttpServer::adopt(int fd) {
  // Accepted sockets inherit TCP_NODELAY from the listening one (Linux): one setsockopt here
  // instead of one per connection.
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto l = std::make_unique<UvHandle<uv_tcp_t>>();
  if (l->init(uv_tcp_init, loop_.raw()) != 0) {
    ::close(fd);
    return false;
  }
  if (uv_tcp_open(l->get(), fd) != 0) {
    ::close(fd);
    return false;
  }
  l->get()->data = this;
  const int rc = uv_listen(l->stream(), 1024, [](uv_stream_t* s, int status) {
    if (status == 0 && s->data != nullptr) static_cast<HttpServer*>(s->data)->onAccept(s);
  });
  if (rc != 0) return false;
  listeners_.push_back(std::move(l));
  return true;
}

void HttpServer::onAccept(uv_stream_t* server) {
  auto conn = std::make_unique<Connection>(loop_, service_, options_, *this);
  if (!conn->accept(server)) return;  // destroyed: the handle closes itself
  if (shutting_down_ || conns_.size() >= options_.max_connections) {
    conn->beginShutdown();  // idle: closes at once
  }
  Connection* raw = conn.get();
  conns_.emplace(raw, std::move(conn));
  service_.onConnectionOpened();
}

void HttpServer::beginShutdown(std::function<void()> drained) {
  shutting_down_ = true;
  drained_ = std::move(drained);
  listeners_.clear();  // closes the listening handles: new connections are refused
  std::vector<Connection*> all;
  all.reserve(conns_.size());
  for (auto& [c, _] : conns_) all.push_back(c);
  for (Connection* c : all) c->beginShutdown();
  if (conns_.empty() && drained_) {
    auto fn = std::move(drained_);
    drained_ = nullptr;
    loop_.defer(std::move(fn));
  }
}

void HttpServer::closeAll() {
  std::vector<Connection*> all;
  for (auto& [c, _] : conns_) all.push_back(c);
  for (Connection* c : all) c->abort();
}

void HttpServer::onConnectionClosed(Connection* conn) {
  if (conns_.erase(conn) != 0) service_.onConnectionClosed();
  if (shutting_down_ && conns_.empty() && drained_) {
    auto fn = std::move(drained_);
    drained_ = nullptr;
    fn();
  }
}

}  // namespace edge::engine
