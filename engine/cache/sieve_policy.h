// SIEVE by bytes (Zhang et al., "SIEVE is simpler than LRU", NSDI'24).
//
// One FIFO (front = newest) and a hand that sweeps from the oldest object toward the newest.
// A hit sets the object's visited bit and does not move it. To evict, the hand skips visited
// objects (clearing their bit) and removes the first unvisited one, then stays where it stopped;
// at the front it wraps to the back. New objects enter at the front, behind the hand, so they
// must survive until the hand comes round: "lazy promotion, quick demotion" with one queue.
// A re-inserted (replaced) object moves to the front with its visited bit set.
#pragma once

#include <vector>

#include "engine/cache/eviction_policy.h"
#include "engine/cache/key_index.h"
#include "engine/cache/node_list.h"

namespace edge::engine {

class SievePolicy final : public EvictionPolicy {
 public:
  explicit SievePolicy(uint64_t budget_bytes);

  void onInsert(KeyId id, uint64_t bytes, std::vector<KeyId>& victims_out) override;
  void onHit(KeyId id) override;
  void onErase(KeyId id) override;

  bool contains(KeyId id) const override { return index_.find(id) != KeyIndex::kAbsent; }
  uint64_t bytes() const override { return list_.bytes(); }
  size_t size() const override { return list_.size(); }
  uint64_t budget() const override { return budget_; }
  EvictionKind kind() const override { return EvictionKind::Sieve; }

  bool visited(KeyId id) const;  // false for an untracked id

 private:
  struct Node {
    KeyId id = 0;
    uint64_t bytes = 0;
    uint32_t prev = kNilNode;
    uint32_t next = kNilNode;
    bool visited = false;
  };

  void unlink(uint32_t i);  // keeps the hand valid
  void evictOne(std::vector<KeyId>& victims_out);
  void forget(uint32_t i);  // unlinks, unindexes and frees node i

  const uint64_t budget_;
  KeyIndex index_;
  NodePool<Node> pool_;
  NodeList<Node> list_;
  uint32_t hand_ = kNilNode;  // next candidate; kNilNode: start at the back
};

}  // namespace edge::engine
