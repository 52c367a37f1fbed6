// The edge's clock: real wall time plus an offset that only moves forward, through the admin
// listener's `POST /clock/advance` when Edge.TestClock is on (spec §0.4, a test convenience, not
// CloudFront behaviour). One instance per process, shared by every worker and the admin thread.
// policies/ never reads a clock: the engine reads this one and passes `now` in.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace edge::engine {

class EdgeClock {
 public:
  // Milliseconds since the epoch, as the real clock says (injectable for tests).
  using WallSource = int64_t (*)();

  EdgeClock();
  explicit EdgeClock(WallSource wall);
  EdgeClock(const EdgeClock&) = delete;
  EdgeClock& operator=(const EdgeClock&) = delete;

  // Any thread, lock-free: wall time + offset (epoch milliseconds / seconds; the wall clock is
  // past 1970, so truncation is flooring).
  int64_t nowMs() const;
  int64_t nowSeconds() const { return nowMs() / 1000; }
  std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::time_point(std::chrono::milliseconds(nowMs()));
  }
  int64_t offsetSeconds() const { return offset_ms_.load() / 1000; }

  // Any thread: moves the clock forward by `seconds` (≥ 0; the admin service rejects negative
  // values, and the clock never goes back so stored objects never get younger). Returns the new
  // nowSeconds().
  int64_t advance(int64_t seconds);

  // The largest single step accepted (100 years, CloudFront's TTL ceiling §3.1).
  static constexpr int64_t kMaxAdvanceSeconds = 3153600000;

 private:
  WallSource wall_;
  std::atomic<int64_t> offset_ms_{0};  // any thread
};

}  // namespace edge::engine
