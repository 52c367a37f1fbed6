#include "engine/cache/s3fifo_policy.h"

#include <algorithm>
#include <cassert>

namespace edge::engine {

namespace {

// percent% of budget without overflowing for budgets near 2^64.
uint64_t percentOf(uint64_t budget, uint32_t percent) {
  return budget / 100 * percent + budget % 100 * percent / 100;
}

}  // namespace

S3FifoPolicy::S3FifoPolicy(uint64_t budget_bytes, uint32_t small_percent)
    : budget_(budget_bytes),
      small_target_(percentOf(budget_bytes, std::min<uint32_t>(small_percent, 100))),
      ghost_capacity_(budget_bytes - small_target_) {}

NodeList<S3FifoPolicy::Node>& S3FifoPolicy::listOf(Queue q) {
  switch (q) {
    case Queue::Small:
      return small_;
    case Queue::Main:
      return main_;
    case Queue::Ghost:
      break;
  }
  return ghost_;
}

void S3FifoPolicy::onInsert(KeyId id, uint64_t bytes, std::vector<KeyId>& victims_out) {
  uint32_t i = index_.find(id);
  if (bytes > budget_) {
    // Rejected. An older tracked version goes too; a Ghost entry may stay (it tracks nothing).
    if (i != KeyIndex::kAbsent && pool_[i].queue != Queue::Ghost) forget(i);
    victims_out.push_back(id);
    return;
  }
  Queue target = Queue::Small;
  uint8_t freq = 0;
  if (i == KeyIndex::kAbsent) {
    i = pool_.allocate();
    pool_[i].id = id;
    index_.insert(id, i);
  } else {
    // Unlink first so that making room can neither evict the object nor trim its Ghost entry.
    const Queue was = pool_[i].queue;
    listOf(was).remove(pool_, i);
    if (was == Queue::Ghost) {
      target = Queue::Main;  // wanted again soon after leaving Small
    } else {
      target = was;  // a replaced object: same queue, and the replacement counts as a hit
      freq = static_cast<uint8_t>(std::min<int>(pool_[i].freq + 1, kMaxFrequency));
    }
  }
  makeRoom(bytes, victims_out);
  Node& n = pool_[i];
  n.bytes = bytes;
  n.freq = freq;
  n.queue = target;
  listOf(target).pushFront(pool_, i);
}

void S3FifoPolicy::onHit(KeyId id) {
  const uint32_t i = index_.find(id);
  if (i == KeyIndex::kAbsent) return;
  Node& n = pool_[i];
  if (n.queue != Queue::Ghost && n.freq < kMaxFrequency) ++n.freq;
}

void S3FifoPolicy::onErase(KeyId id) {
  const uint32_t i = index_.find(id);
  if (i != KeyIndex::kAbsent && pool_[i].queue != Queue::Ghost) forget(i);
}

bool S3FifoPolicy::contains(KeyId id) const {
  const uint32_t i = index_.find(id);
  return i != KeyIndex::kAbsent && pool_[i].queue != Queue::Ghost;
}

std::optional<S3FifoPolicy::Queue> S3FifoPolicy::queueOf(KeyId id) const {
  const uint32_t i = index_.find(id);
  if (i == KeyIndex::kAbsent) return std::nullopt;
  return pool_[i].queue;
}

uint8_t S3FifoPolicy::frequency(KeyId id) const {
  const uint32_t i = index_.find(id);
  return i == KeyIndex::kAbsent || pool_[i].queue == Queue::Ghost ? 0 : pool_[i].freq;
}

void S3FifoPolicy::makeRoom(uint64_t incoming, std::vector<KeyId>& victims_out) {
  // incoming <= budget_, so while the condition holds Small + Main hold > 0 bytes.
  while (bytes() + incoming > budget_) {
    const bool small_turn = !small_.empty() && (small_.bytes() >= small_target_ || main_.empty());
    if (small_turn && evictFromSmall(victims_out)) continue;
    evictFromMain(victims_out);  // Small below its share, or it just emptied into Main
  }
}

bool S3FifoPolicy::evictFromSmall(std::vector<KeyId>& victims_out) {
  while (!small_.empty()) {
    const uint32_t i = small_.back();
    small_.remove(pool_, i);
    Node& n = pool_[i];
    if (n.freq > 0) {
      n.freq = 0;
      n.queue = Queue::Main;
      main_.pushFront(pool_, i);
      continue;
    }
    victims_out.push_back(n.id);
    remember(i);
    return true;
  }
  return false;
}

void S3FifoPolicy::evictFromMain(std::vector<KeyId>& victims_out) {
  assert(!main_.empty());
  // Terminates: every pass over Main decrements each counter, and counters are at most 3.
  // Amortized O(1): each reinsertion consumes one hit.
  for (;;) {
    const uint32_t i = main_.back();
    if (pool_[i].freq == 0) {
      victims_out.push_back(pool_[i].id);
      forget(i);
      return;
    }
    --pool_[i].freq;
    main_.remove(pool_, i);
    main_.pushFront(pool_, i);
  }
}

void S3FifoPolicy::remember(uint32_t i) {
  Node& n = pool_[i];
  n.queue = Queue::Ghost;
  n.freq = 0;
  n.bytes = std::max(n.bytes, kGhostMinCharge);
  ghost_.pushFront(pool_, i);
  while (ghost_.bytes() > ghost_capacity_) {
    const uint32_t oldest = ghost_.back();
    ghost_.remove(pool_, oldest);
    index_.erase(pool_[oldest].id);
    pool_.release(oldest);
  }
}

void S3FifoPolicy::forget(uint32_t i) {
  listOf(pool_[i].queue).remove(pool_, i);
  index_.erase(pool_[i].id);
  pool_.release(i);
}

std::string_view toString(S3FifoPolicy::Queue q) {
  switch (q) {
    case S3FifoPolicy::Queue::Small:
      return "Small";
    case S3FifoPolicy::Queue::Main:
      return "Main";
    case S3FifoPolicy::Queue::Ghost:
      return "Ghost";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, S3FifoPolicy::Queue q) { return os << toString(q); }

}  // namespace edge::engine
