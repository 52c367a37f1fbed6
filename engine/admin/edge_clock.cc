#include "engine/admin/edge_clock.h"

namespace edge::engine {

namespace {

int64_t systemWallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

EdgeClock::EdgeClock() : wall_(&systemWallMs) {}

EdgeClock::EdgeClock(WallSource wall) : wall_(wall != nullptr ? wall : &systemWallMs) {}

int64_t EdgeClock::nowMs() const { return wall_() + offset_ms_.load(); }

int64_t EdgeClock::advance(int64_t seconds) {
  if (seconds < 0) seconds = 0;
  if (seconds > kMaxAdvanceSeconds) seconds = kMaxAdvanceSeconds;
  offset_ms_.fetch_add(seconds * 1000);
  return nowSeconds();
}

}  // namespace edge::engine
