#include "engine/cache/sieve_policy.h"

#include <cassert>

namespace edge::engine {

SievePolicy::SievePolicy(uint64_t budget_bytes) : budget_(budget_bytes) {}

void SievePolicy::onInsert(KeyId id, uint64_t bytes, std::vector<KeyId>& victims_out) {
  uint32_t i = index_.find(id);
  if (bytes > budget_) {
    if (i != KeyIndex::kAbsent) forget(i);
    victims_out.push_back(id);
    return;
  }
  bool visited = false;
  if (i != KeyIndex::kAbsent) {
    unlink(i);  // so that making room cannot pick it
    visited = true;
  } else {
    i = pool_.allocate();
    pool_[i].id = id;
    index_.insert(id, i);
  }
  pool_[i].bytes = bytes;
  pool_[i].visited = visited;
  // bytes <= budget_, so while the condition holds the list holds > 0 bytes: never empty.
  while (list_.bytes() + bytes > budget_) evictOne(victims_out);
  list_.pushFront(pool_, i);
}

void SievePolicy::onHit(KeyId id) {
  const uint32_t i = index_.find(id);
  if (i != KeyIndex::kAbsent) pool_[i].visited = true;
}

void SievePolicy::onErase(KeyId id) {
  const uint32_t i = index_.find(id);
  if (i != KeyIndex::kAbsent) forget(i);
}

bool SievePolicy::visited(KeyId id) const {
  const uint32_t i = index_.find(id);
  return i != KeyIndex::kAbsent && pool_[i].visited;
}

void SievePolicy::evictOne(std::vector<KeyId>& victims_out) {
  assert(!list_.empty());
  // Terminates within one lap: every visited object it passes is cleared.
  uint32_t i = hand_ != kNilNode ? hand_ : list_.back();
  while (pool_[i].visited) {
    pool_[i].visited = false;
    i = pool_[i].prev != kNilNode ? pool_[i].prev : list_.back();
  }
  victims_out.push_back(pool_[i].id);
  hand_ = i;
  forget(i);  // the hand moves on to the next newer object (or wraps to the back)
}

void SievePolicy::unlink(uint32_t i) {
  if (hand_ == i) hand_ = pool_[i].prev;  // kNilNode at the front: wrap to the back
  list_.remove(pool_, i);
}

void SievePolicy::forget(uint32_t i) {
  unlink(i);
  index_.erase(pool_[i].id);
  pool_.release(i);
}

}  // namespace edge::engine
