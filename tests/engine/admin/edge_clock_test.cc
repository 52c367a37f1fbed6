#include "engine/admin/edge_clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace edge::engine {
namespace {

int64_t fixedWallMs() { return 1767225600123; }  // 2026-01-01T00:00:00.123Z

TEST(EdgeClock, StartsAtWallTime) {
  EdgeClock clock(&fixedWallMs);
  EXPECT_EQ(clock.nowMs(), 1767225600123);
  EXPECT_EQ(clock.nowSeconds(), 1767225600);
  EXPECT_EQ(clock.offsetSeconds(), 0);
  EXPECT_EQ(clock.now().time_since_epoch(), std::chrono::milliseconds(1767225600123));
}

TEST(EdgeClock, AdvanceMovesForwardAndReturnsTheNewTime) {
  EdgeClock clock(&fixedWallMs);
  EXPECT_EQ(clock.advance(600), 1767225600 + 600);
  EXPECT_EQ(clock.advance(60), 1767225600 + 660);
  EXPECT_EQ(clock.offsetSeconds(), 660);
  EXPECT_EQ(clock.nowMs(), 1767225600123 + 660000);
}

TEST(EdgeClock, NeverGoesBackAndCapsOneStep) {
  EdgeClock clock(&fixedWallMs);
  EXPECT_EQ(clock.advance(-100), 1767225600);
  EXPECT_EQ(clock.offsetSeconds(), 0);
  clock.advance(EdgeClock::kMaxAdvanceSeconds + 1);
  EXPECT_EQ(clock.offsetSeconds(), EdgeClock::kMaxAdvanceSeconds);
}

TEST(EdgeClock, RealWallClockByDefault) {
  EdgeClock clock;
  const auto before = std::chrono::system_clock::now();
  const auto now = clock.now();
  const auto after = std::chrono::system_clock::now();
  EXPECT_GE(now, std::chrono::time_point_cast<std::chrono::milliseconds>(before));
  EXPECT_LE(now, after);
}

TEST(EdgeClock, ConcurrentAdvancesAllCount) {
  EdgeClock clock(&fixedWallMs);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) clock.advance(1);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.offsetSeconds(), 4000);
}

}  // namespace
}  // namespace edge::engine
