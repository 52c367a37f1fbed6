// KeyIndex: KeyId -> uint32_t slot, the lookup structure behind every eviction policy.
//
// Open addressing with linear probing and backward-shift deletion (no tombstones, so a table
// under insert/erase churn never degrades). Keys are arbitrary 64-bit values (0 and ~0 are
// fine); the empty marker lives in the value, so values must be < kAbsent. Slots hold the key
// passed through a bijective mixer, so equality is unchanged, the home slot is the low bits and
// moving entries never rehashes. Most lookups are misses (a cache miss asks the policy first),
// so the load stays at most 1/2 (~2.5 probes per unsuccessful search, short clusters to shift
// on erase), at 32-64 bytes per key. The table doubles and never shrinks: once a shard has seen
// its peak population, insert/erase allocate nothing. Not thread-safe; owned by one policy,
// used under the store's shard lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/cache/eviction_policy.h"

namespace edge::engine {

class KeyIndex {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  KeyIndex();

  // The value stored for `key`, or kAbsent.
  uint32_t find(KeyId key) const;
  // Precondition: `key` is absent and value != kAbsent.
  void insert(KeyId key, uint32_t value);
  // Removes `key`; false if it was absent.
  bool erase(KeyId key);

  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }

 private:
  struct Slot {
    uint64_t mixed = 0;        // mix(key)
    uint32_t value = kAbsent;  // kAbsent: empty slot
  };

  size_t home(uint64_t mixed) const { return static_cast<size_t>(mixed) & mask_; }
  void grow();

  std::vector<Slot> slots_;  // size is a power of two
  size_t mask_ = 0;
  size_t size_ = 0;
};

}  // namespace edge::engine
