#include "engine/admin/admin_server.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "engine/admin/admin_service.h"
#include "engine/server/http_server.h"
#include "engine/worker/worker.h"

namespace edge::engine {

ServerOptions adminServerOptions(const policies::EdgeSettings& edge) {
  ServerOptions o = serverOptionsFrom(edge);
  o.limits.max_body_bytes = AdminService::kMaxBodyBytes;
  o.max_connections = std::min<uint32_t>(o.max_connections, 64);
  return o;
}

AdminServer::AdminServer(const policies::Config& config, EdgeClock& clock, CacheInvalidator& cache,
                         int listen_fd, WorkerMetricsList workers)
    : config_(config),
      clock_(clock),
      cache_(cache),
      fd_(listen_fd),
      workers_(std::move(workers)),
      options_(adminServerOptions(config.edge)) {}

AdminServer::~AdminServer() {
  join();
  if (fd_ >= 0) ::close(fd_);  // never adopted
}

void AdminServer::start(std::function<void()> ready) {
  thread_ = std::thread([this, ready = std::move(ready)]() mutable { run(std::move(ready)); });
}

void AdminServer::join() {
  if (thread_.joinable()) thread_.join();
}

void AdminServer::run(std::function<void()> ready) {
  AdminService service(config_, clock_, cache_, ready_, workers_);
  HttpServer server(loop_, service, options_);
  Timer grace(loop_);
  const bool adopted = server.adopt(fd_);
  fd_ = -1;  // adopt() owns it, whether it succeeded or not
  if (!adopted) {
    std::fprintf(stderr, "edged: admin listener: cannot adopt the listening socket\n");
    if (ready) ready();
    return;
  }
  server_ = &server;
  grace_ = &grace;
  if (ready) ready();
  loop_.run();
  server_ = nullptr;
  grace_ = nullptr;
}

void AdminServer::shutdown(uint32_t grace_ms) {
  ready_.store(false);
  loop_.post([this, grace_ms] {
    if (server_ == nullptr) return;
    grace_->start(grace_ms, [this] {
      if (server_ != nullptr) server_->closeAll();
    });
    server_->beginShutdown([this] {
      grace_->stop();
      loop_.stop();
    });
  });
}

}  // namespace edge::engine
