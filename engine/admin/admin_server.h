// The admin listener (Edge.AdminListen): its own thread and libuv loop running the same
// HttpServer stack as the viewer workers, with AdminService behind it. Admin traffic never
// shares a loop with viewer traffic, and the viewer listeners never see the admin API.
//
// Hook (engine/cli/main.cc, `serve`):
//   fd = openListenSocket(*cfg.edge.admin_listen)          // before the workers start
//   admin = std::make_unique<AdminServer>(cfg, clock, invalidator, fd, worker_metrics);
//   admin->start(on_ready);      // like Worker::start
//   admin->setReady(true);       // once every worker is ready too (/readyz)
//   admin->shutdown(grace_ms);   // on SIGINT/SIGTERM, with the workers
//   admin->join();
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <thread>

#include "engine/admin/cache_invalidator.h"
#include "engine/admin/edge_clock.h"
#include "engine/metrics/worker_metrics.h"
#include "engine/server/connection.h"
#include "engine/uv/loop.h"
#include "policies/config.h"

namespace edge::engine {

class HttpServer;

class AdminServer {
 public:
  // `listen_fd`: a bound, listening socket (listener.h); owned from here on. `config`, `clock` and
  // `cache` must outlive the server; `cache` is called on the admin thread.
  // `workers`: the viewer workers' counters GET /metrics sums (they must outlive the server).
  AdminServer(const policies::Config& config, EdgeClock& clock, CacheInvalidator& cache,
              int listen_fd, WorkerMetricsList workers = {});
  ~AdminServer();  // joins
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  // Starts the thread; `ready` runs on the admin thread once it accepts connections (or right
  // away if the socket could not be adopted; the failure is logged).
  void start(std::function<void()> ready);
  // Any thread: what GET /readyz reports (false until called).
  void setReady(bool ready) { ready_.store(ready); }
  // Any thread: /readyz turns 503, the listener closes, in-flight requests get `grace_ms`, then
  // the thread ends.
  void shutdown(uint32_t grace_ms);
  void join();

 private:
  void run(std::function<void()> ready);

  const policies::Config& config_;
  EdgeClock& clock_;
  CacheInvalidator& cache_;
  int fd_;
  WorkerMetricsList workers_;
  ServerOptions options_;
  std::atomic<bool> ready_{false};  // any thread
  Loop loop_;
  HttpServer* server_ = nullptr;  // admin thread; valid while run() is on the stack
  Timer* grace_ = nullptr;        // admin thread; same
  std::thread thread_;
};

// The admin listener's connection settings: the viewer ones from Edge, a body limit that fits a
// full invalidation batch, and a small connection cap.
ServerOptions adminServerOptions(const policies::EdgeSettings& edge);

}  // namespace edge::engine
