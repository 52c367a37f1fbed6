#include "engine/cache/lru_policy.h"

namespace edge::engine {

LruPolicy::LruPolicy(uint64_t budget_bytes) : budget_(budget_bytes) {}

void LruPolicy::onInsert(KeyId id, uint64_t bytes, std::vector<KeyId>& victims_out) {
  uint32_t i = index_.find(id);
  if (bytes > budget_) {
    if (i != KeyIndex::kAbsent) forget(i);
    victims_out.push_back(id);
    return;
  }
  if (i != KeyIndex::kAbsent) {
    // A replaced object: take it out while making room so it can never be its own victim.
    list_.remove(pool_, i);
  } else {
    i = pool_.allocate();
    pool_[i].id = id;
    index_.insert(id, i);
  }
  pool_[i].bytes = bytes;
  // bytes <= budget_, so while the loop condition holds the list holds > 0 bytes: never empty.
  while (list_.bytes() + bytes > budget_) {
    const uint32_t victim = list_.back();
    victims_out.push_back(pool_[victim].id);
    forget(victim);
  }
  list_.pushFront(pool_, i);
}

void LruPolicy::onHit(KeyId id) {
  const uint32_t i = index_.find(id);
  if (i == KeyIndex::kAbsent || list_.front() == i) return;
  list_.remove(pool_, i);
  list_.pushFront(pool_, i);
}

void LruPolicy::onErase(KeyId id) {
  const uint32_t i = index_.find(id);
  if (i != KeyIndex::kAbsent) forget(i);
}

std::vector<KeyId> LruPolicy::recencyOrder() const {
  std::vector<KeyId> out;
  out.reserve(list_.size());
  for (uint32_t i = list_.front(); i != kNilNode; i = pool_[i].next) out.push_back(pool_[i].id);
  return out;
}

void LruPolicy::forget(uint32_t i) {
  list_.remove(pool_, i);
  index_.erase(pool_[i].id);
  pool_.release(i);
}

}  // namespace edge::engine
