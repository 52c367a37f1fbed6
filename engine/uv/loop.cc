#include "engine/uv/loop.h"

#include <cstdlib>
#include <cstdio>

namespace edge::engine {

Loop::Loop() {
  if (uv_loop_init(&loop_) != 0) {
    std::fprintf(stderr, "edged: uv_loop_init failed\n");
    std::abort();
  }
  async_.initWith([this](uv_async_t* h) {
    return uv_async_init(&loop_, h, [](uv_async_t* a) {
      if (a->data != nullptr) static_cast<Loop*>(a->data)->drainPosted();
    });
  });
  async_.get()->data = this;
  // post() must not keep the loop alive by itself: run() ends when nothing else is left.
  uv_unref(async_.handle());
  idle_.init(uv_idle_init, &loop_);
  idle_.get()->data = this;
}

Loop::~Loop() {
  async_.close();
  idle_.close();
  // Let every pending close callback run so no handle memory leaks.
  uv_run(&loop_, UV_RUN_DEFAULT);
  if (uv_loop_close(&loop_) != 0) {
    uv_walk(&loop_, [](uv_handle_t* h, void*) {
      if (!uv_is_closing(h)) uv_close(h, nullptr);
    }, nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
}

void Loop::post(std::function<void()> fn) {
  if (runner_.load(std::memory_order_relaxed) == std::this_thread::get_id()) {
    defer(std::move(fn));
    return;
  }
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    posted_.push_back(std::move(fn));
  }
  uv_async_send(async_.get());
}

void Loop::drainPosted() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(posted_mu_);
    batch.swap(posted_);
  }
  for (auto& fn : batch) fn();
}

void Loop::defer(std::function<void()> fn) {
  deferred_.push_back(std::move(fn));
  if (!idle_running_) {
    idle_running_ = true;
    uv_idle_start(idle_.get(), [](uv_idle_t* h) {
      if (h->data != nullptr) static_cast<Loop*>(h->data)->drainDeferred();
    });
  }
}

void Loop::drainDeferred() {
  std::vector<std::function<void()>> batch;
  batch.swap(deferred_);
  for (auto& fn : batch) fn();
  if (deferred_.empty()) {
    uv_idle_stop(idle_.get());
    idle_running_ = false;
  }
}

void Loop::run() {
  runner_.store(std::this_thread::get_id(), std::memory_order_relaxed);
  uv_run(&loop_, UV_RUN_DEFAULT);
  runner_.store(std::thread::id{}, std::memory_order_relaxed);
}

Timer::Timer(Loop& loop) {
  timer_.init(uv_timer_init, loop.raw());
  timer_.get()->data = this;
}

void Timer::start(uint64_t timeout_ms, std::function<void()> fn, uint64_t repeat_ms) {
  fn_ = std::move(fn);
  armed_ = true;
  uv_timer_start(timer_.get(), [](uv_timer_t* t) {
    auto* self = static_cast<Timer*>(t->data);
    if (self == nullptr) return;
    if (uv_timer_get_repeat(t) == 0) self->armed_ = false;
    // Copy: the callback may restart or destroy this timer.
    auto fn = self->fn_;
    fn();
  }, timeout_ms, repeat_ms);
}

void Timer::stop() {
  armed_ = false;
  if (timer_.active()) uv_timer_stop(timer_.get());
}

}  // namespace edge::engine
