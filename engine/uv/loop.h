// One libuv loop, owned by one worker thread. The only cross-thread entry point is post().
#pragma once

#include <uv.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <atomic>
#include <vector>

#include "engine/uv/uv_handle.h"

namespace edge::engine {

class Loop {
 public:
  Loop();
  ~Loop();  // closes the loop's own handles and runs it until every handle is closed
  Loop(const Loop&) = delete;
  Loop& operator=(const Loop&) = delete;

  uv_loop_t* raw() { return &loop_; }

  // Thread-safe: runs `fn` on the loop thread soon (uv_async), never inside the caller. From the
  // loop's own thread (while run() runs) this is defer(): no eventfd round trip.
  void post(std::function<void()> fn);
  // Loop thread: runs `fn` on a later iteration, never inside the caller (house convention 6).
  void defer(std::function<void()> fn);

  // Runs until stop() or until nothing is left to do.
  void run();
  // Loop thread: makes run() return after the current iteration.
  void stop() { uv_stop(&loop_); }

  uint64_t nowMs() const { return uv_now(&loop_); }

 private:
  void drainPosted();
  void drainDeferred();

  uv_loop_t loop_{};
  UvHandle<uv_async_t> async_;
  UvHandle<uv_idle_t> idle_;
  std::mutex posted_mu_;
  std::vector<std::function<void()>> posted_;  // guarded by posted_mu_
  std::vector<std::function<void()>> deferred_;  // loop thread
  bool idle_running_ = false;
  std::atomic<std::thread::id> runner_{};  // the thread inside run(), if any
};

// A restartable one-shot/repeating timer owned by one object on the loop thread.
class Timer {
 public:
  explicit Timer(Loop& loop);
  void start(uint64_t timeout_ms, std::function<void()> fn, uint64_t repeat_ms = 0);
  void stop();
  bool armed() const { return armed_; }

 private:
  UvHandle<uv_timer_t> timer_;
  std::function<void()> fn_;
  bool armed_ = false;
};

}  // namespace edge::engine
