// CacheStore::topEntries: the most-hit stored objects for the admin dashboard (bounded, ordered,
// the count kept per key), and listing while workers hit, insert and erase.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "engine/cache/cache_store.h"
#include "tests/engine/cache/cache_test_util.h"

namespace edge::engine {
namespace {

using cachetest::forgedKey;
using cachetest::makeHead;
using cachetest::makeKey;
using cachetest::makeObject;

CacheStoreOptions options(uint64_t memory, uint32_t shards) {
  CacheStoreOptions o;
  o.memory_bytes = memory;
  o.shards = shards;
  o.max_object_bytes = 64 << 10;
  return o;
}

std::string keyName(int i) { return "K1 p" + std::to_string(i); }

std::vector<std::pair<std::string, uint64_t>> listing(const CacheStore& store, size_t limit) {
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const StoredEntry& e : store.topEntries(limit))
    out.emplace_back(e.object->keyText(), e.hits);
  return out;
}

TEST(CacheStoreTopEntries, MostHitFirstAcrossShardsAndBounded) {
  CacheStore store(options(1 << 20, 4));
  for (int i = 0; i < 10; ++i) {
    const auto key = makeKey(keyName(i));
    ASSERT_EQ(store.insert(makeObject(key, "/" + std::to_string(i), "body")), StoreOutcome::Stored);
    for (int h = 0; h < i; ++h) ASSERT_NE(store.lookup(key), nullptr);
  }
  store.lookup(makeKey("absent"));  // a miss counts for nobody

  using Listing = std::vector<std::pair<std::string, uint64_t>>;
  EXPECT_EQ(listing(store, 3), (Listing{{keyName(9), 9}, {keyName(8), 8}, {keyName(7), 7}}));
  const auto all = listing(store, 100);
  ASSERT_EQ(all.size(), 10u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].second, 9 - i) << all[i].first;
  EXPECT_TRUE(store.topEntries(0).empty());
  EXPECT_TRUE(CacheStore(options(1 << 20, 2)).topEntries(5).empty());
}

TEST(CacheStoreTopEntries, JoinHitsCountAsHits) {
  CacheStore store(options(1 << 20, 2));
  Loop loop;
  const auto key = makeKey("joined");
  JoinResult lead = store.join(key, "/joined", loop, nullptr);
  ASSERT_EQ(lead.role, JoinRole::Leader);
  lead.permit.setHead(makeHead());
  lead.permit.append(std::string_view("abc"));
  ASSERT_EQ(lead.permit.complete(), StoreOutcome::Stored);
  lead.reader.reset();
  EXPECT_EQ(store.join(key, "/joined", loop, nullptr).role, JoinRole::Hit);
  store.lookup(key);
  const auto top = store.topEntries(1);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].hits, 2u);
  EXPECT_EQ(top[0].object->path(), "/joined");
}

TEST(CacheStoreTopEntries, CountBelongsToTheKeyUntilItLeaves) {
  CacheStore store(options(1 << 20, 1));
  const auto key = makeKey("versions");
  store.insert(makeObject(key, "/v", "one"));
  for (int i = 0; i < 3; ++i) store.lookup(key);
  // A newer version of the same key (a refetch) and a 304 refresh keep the count.
  store.insert(makeObject(key, "/v", "two"));
  EXPECT_EQ(store.topEntries(1).at(0).hits, 3u);
  const CacheStore::Refreshed r = store.refresh(store.lookup(key), makeHead(200, 2'000));
  ASSERT_EQ(r.outcome, StoreOutcome::Stored);
  const auto top = store.topEntries(1);
  EXPECT_EQ(top.at(0).hits, 4u);
  EXPECT_EQ(top.at(0).object, r.object);
  // Erased, then stored again: counted from zero.
  ASSERT_TRUE(store.erase(key));
  EXPECT_TRUE(store.topEntries(5).empty());
  store.insert(makeObject(key, "/v", "three"));
  EXPECT_EQ(store.topEntries(1).at(0).hits, 0u);
  // Invalidated: gone from the listing.
  store.lookup(key);
  store.invalidate([](std::string_view p) { return p == "/v"; });
  EXPECT_TRUE(store.topEntries(5).empty());
}

TEST(CacheStoreTopEntries, CollidingKeyStartsFromZero) {
  CacheStore store(options(1 << 20, 1));
  const auto a = forgedKey("K1 p2:/a", 42, 7);
  const auto b = forgedKey("K1 p2:/b", 42, 9);  // same KeyId (low 64 bits), another key
  store.insert(makeObject(a, "/a", "x"));
  store.lookup(a);
  store.lookup(a);
  store.insert(makeObject(b, "/b", "y"));
  const auto top = store.topEntries(5);
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].object->keyText(), "K1 p2:/b");
  EXPECT_EQ(top[0].hits, 0u);
}

TEST(CacheStoreTopEntries, TiesGoToTheLargerObjectThenTheKeyText) {
  CacheStore store(options(1 << 20, 4));
  store.insert(makeObject(makeKey("K1 b"), "/b", "small"));
  store.insert(makeObject(makeKey("K1 a"), "/a", "small"));
  store.insert(makeObject(makeKey("K1 c"), "/c", std::string(500, 'x')));
  using Listing = std::vector<std::pair<std::string, uint64_t>>;
  EXPECT_EQ(listing(store, 3), (Listing{{"K1 c", 0}, {"K1 a", 0}, {"K1 b", 0}}));
}

TEST(CacheStoreTopEntries, LimitIsCapped) {
  CacheStore store(options(8 << 20, 2));
  for (size_t i = 0; i < CacheStore::kMaxTopEntries + 20; ++i) {
    ASSERT_EQ(store.insert(makeObject(makeKey(keyName(static_cast<int>(i))), "/x", "b")),
              StoreOutcome::Stored);
  }
  EXPECT_EQ(store.topEntries(1'000'000).size(), CacheStore::kMaxTopEntries);
}

// Workers hit, replace and erase keys while the admin thread lists: every listing is ordered,
// bounded and made of live objects (ThreadSanitizer runs this: the CacheStore* filter in
// tests/CMakeLists.txt).
TEST(CacheStoreTopEntries, ListingWhileWorkersHitInsertAndErase) {
  CacheStore store(options(4 << 20, 4));
  constexpr int kKeys = 64;
  for (int i = 0; i < kKeys; ++i) store.insert(makeObject(makeKey(keyName(i)), "/k", "body"));
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&, w] {
      for (uint32_t n = 0; !stop.load(std::memory_order_relaxed); ++n) {
        const auto key = makeKey(keyName(static_cast<int>((n * 7 + w) % kKeys)));
        if (n % 50 == 0) {
          store.erase(key);
        } else if (n % 10 == 0) {
          store.insert(makeObject(key, "/k", "new body"));
        } else {
          store.lookup(key);
        }
      }
    });
  }
  for (int round = 0; round < 200; ++round) {
    const auto top = store.topEntries(10);
    ASSERT_LE(top.size(), 10u);
    for (size_t i = 0; i < top.size(); ++i) {
      ASSERT_NE(top[i].object, nullptr);
      EXPECT_TRUE(top[i].object->complete());
      if (i > 0) {
        EXPECT_GE(top[i - 1].hits, top[i].hits);
      }
    }
  }
  stop = true;
  for (auto& t : workers) t.join();
  EXPECT_EQ(store.topEntries(kKeys).size(), store.stats().objects);
}

}  // namespace
}  // namespace edge::engine
