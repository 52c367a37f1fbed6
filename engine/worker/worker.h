// One worker: a thread running its own libuv loop, with its own listening sockets
// (SO_REUSEPORT), HTTP server, edge service and curl multi handle. Nothing of a worker is
// touched by another thread except through Loop::post.
#pragma once

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "engine/metrics/worker_metrics.h"
#include "engine/pipeline/edge_context.h"
#include "engine/server/connection.h"
#include "engine/uv/loop.h"
#include "policies/config.h"

namespace edge::engine {

class HttpServer;

class Worker {
 public:
  // `metrics`: this worker's counters (written by its thread only); must outlive the worker.
  Worker(int index, const EdgeContext& context, WorkerMetrics& metrics, const ServerOptions& options,
         std::vector<int> fds);
  ~Worker();  // joins

  // Starts the thread; `ready` is called on the worker thread once it accepts connections.
  void start(std::function<void()> ready);
  // Any thread: stop accepting, let in-flight requests finish for up to `grace_ms`, then close
  // what is left; the thread ends when no connection remains.
  void shutdown(uint32_t grace_ms);
  void join();

 private:
  void run(std::function<void()> ready);

  int index_;
  EdgeContext context_;
  WorkerMetrics& metrics_;
  const ServerOptions& options_;
  std::vector<int> fds_;
  Loop loop_;
  HttpServer* server_ = nullptr;  // worker thread; valid while run() is on the stack
  std::thread thread_;
};

// Builds the viewer-side server options from the Edge settings.
ServerOptions serverOptionsFrom(const policies::EdgeSettings& edge);

}  // namespace edge::engine
