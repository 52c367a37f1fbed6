#include "engine/worker/worker.h"

#include <unistd.h>

#include "engine/pipeline/edge_service.h"
#include "engine/server/http_server.h"

namespace edge::engine {

ServerOptions serverOptionsFrom(const policies::EdgeSettings& edge) {
  ServerOptions o;
  o.limits.max_head_bytes = edge.max_request_header_bytes;
  o.limits.max_url_bytes = edge.max_url_bytes;
  o.limits.max_header_count = edge.max_header_count;
  o.limits.max_body_bytes = edge.max_request_body_bytes;
  o.header_timeout_ms = edge.header_timeout_ms;
  o.idle_timeout_ms = edge.idle_timeout_ms;
  o.body_timeout_ms = edge.body_timeout_ms;
  o.send_timeout_ms = edge.send_timeout_ms;
  o.max_connections = edge.max_connections_per_worker;
  o.buffer_bytes = edge.max_connection_buffer_bytes;
  return o;
}

Worker::Worker(int index, const EdgeContext& context, WorkerMetrics& metrics,
               const ServerOptions& options, std::vector<int> fds)
    : index_(index), context_(context), metrics_(metrics), options_(options), fds_(std::move(fds)) {}

Worker::~Worker() {
  join();
  for (int fd : fds_) ::close(fd);  // only those never adopted remain
}

void Worker::start(std::function<void()> ready) {
  thread_ = std::thread([this, ready = std::move(ready)]() mutable { run(std::move(ready)); });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::run(std::function<void()> ready) {
  {
    EdgeService service(loop_, context_, metrics_);
    HttpServer server(loop_, service, options_);
    for (int fd : fds_) server.adopt(fd);
    fds_.clear();  // the server owns them now
    server_ = &server;
    if (ready) ready();
    loop_.run();
    server_ = nullptr;
  }
}

void Worker::shutdown(uint32_t grace_ms) {
  loop_.post([this, grace_ms] {
    if (server_ == nullptr) return;
    auto* timer = new Timer(loop_);
    auto stop = [this, timer] {
      timer->stop();
      delete timer;
      loop_.stop();
    };
    timer->start(grace_ms, [this] {
      if (server_ != nullptr) server_->closeAll();
    });
    server_->beginShutdown(stop);
  });
}

}  // namespace edge::engine
