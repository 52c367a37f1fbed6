#include "engine/cache/key_index.h"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace edge::engine {
namespace {

TEST(EvictionKeyIndex, InsertFindErase) {
  KeyIndex idx;
  EXPECT_EQ(idx.find(7), KeyIndex::kAbsent);
  EXPECT_FALSE(idx.erase(7));
  idx.insert(7, 70);
  idx.insert(0, 1);
  idx.insert(UINT64_MAX, 2);
  EXPECT_EQ(idx.find(7), 70u);
  EXPECT_EQ(idx.find(0), 1u);
  EXPECT_EQ(idx.find(UINT64_MAX), 2u);
  EXPECT_EQ(idx.size(), 3u);
  EXPECT_TRUE(idx.erase(7));
  EXPECT_FALSE(idx.erase(7));
  EXPECT_EQ(idx.find(7), KeyIndex::kAbsent);
  EXPECT_EQ(idx.find(0), 1u);
}

// Random churn against std::unordered_map, dense and hash-like keys, through several growths;
// backward-shift deletion must keep every survivor reachable.
TEST(EvictionKeyIndex, MatchesAReferenceMapUnderChurn) {
  for (uint64_t spread : {1ULL, 0x9e3779b97f4a7c15ULL}) {
    std::mt19937_64 rng(spread);
    KeyIndex idx;
    std::unordered_map<KeyId, uint32_t> ref;
    std::uniform_int_distribution<uint64_t> key(0, 5'000);
    for (uint32_t n = 0; n < 100'000; ++n) {
      const KeyId k = key(rng) * spread;
      if (ref.count(k)) {
        ASSERT_EQ(idx.find(k), ref[k]);
        ASSERT_TRUE(idx.erase(k));
        ref.erase(k);
      } else {
        idx.insert(k, n);
        ref[k] = n;
      }
      ASSERT_EQ(idx.size(), ref.size());
    }
    for (const auto& [k, v] : ref) ASSERT_EQ(idx.find(k), v);
    EXPECT_LE(idx.size() * 2, idx.capacity());
  }
}

TEST(EvictionKeyIndex, DoesNotShrinkSoChurnDoesNotAllocate) {
  KeyIndex idx;
  for (uint32_t k = 0; k < 1000; ++k) idx.insert(k, k);
  const size_t cap = idx.capacity();
  for (uint32_t round = 0; round < 10; ++round) {
    for (uint32_t k = 0; k < 1000; ++k) idx.erase(k + round * 1000);
    for (uint32_t k = 0; k < 1000; ++k) idx.insert(k + (round + 1) * 1000, k);
  }
  EXPECT_EQ(idx.capacity(), cap);
}

}  // namespace
}  // namespace edge::engine
