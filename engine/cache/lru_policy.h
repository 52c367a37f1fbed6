// LRU by bytes: evicts the least recently used objects until the newcomer fits.
//
// One list, front = most recently used. A hit or a re-insert moves the object to the front;
// eviction takes from the back. Every hit is a list splice (two cache-line writes on neighbours),
// which is what S3-FIFO and SIEVE avoid. Not scan resistant: a scan of one-time keys larger than
// the budget flushes everything.
#pragma once

#include <vector>

#include "engine/cache/eviction_policy.h"
#include "engine/cache/key_index.h"
#include "engine/cache/node_list.h"

namespace edge::engine {

class LruPolicy final : public EvictionPolicy {
 public:
  explicit LruPolicy(uint64_t budget_bytes);

  void onInsert(KeyId id, uint64_t bytes, std::vector<KeyId>& victims_out) override;
  void onHit(KeyId id) override;
  void onErase(KeyId id) override;

  bool contains(KeyId id) const override { return index_.find(id) != KeyIndex::kAbsent; }
  uint64_t bytes() const override { return list_.bytes(); }
  size_t size() const override { return list_.size(); }
  uint64_t budget() const override { return budget_; }
  EvictionKind kind() const override { return EvictionKind::Lru; }

  // Tracked ids, most recently used first. O(n); for tests and `edged explain`-style dumps.
  std::vector<KeyId> recencyOrder() const;

 private:
  struct Node {
    KeyId id = 0;
    uint64_t bytes = 0;
    uint32_t prev = kNilNode;
    uint32_t next = kNilNode;
  };

  void forget(uint32_t i);  // unlinks, unindexes and frees node i

  const uint64_t budget_;
  KeyIndex index_;
  NodePool<Node> pool_;
  NodeList<Node> list_;
};

}  // namespace edge::engine
