// Time helpers for the integration tests: steady-clock durations and bounded polling.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>

namespace edge::itest {

using Ms = std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// Milliseconds since `start`.
inline int64_t elapsedMs(Clock::time_point start) {
  return std::chrono::duration_cast<Ms>(Clock::now() - start).count();
}

// Polls `pred` every `step` until it returns true or `timeout` passes. Returns the last result.
inline bool waitUntil(const std::function<bool()>& pred, Ms timeout, Ms step = Ms(10)) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(step);
  }
}

}  // namespace edge::itest
