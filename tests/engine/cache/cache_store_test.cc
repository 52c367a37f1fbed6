#include "engine/cache/cache_store.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "policies/invalidation.h"
#include "tests/engine/cache/cache_test_util.h"

namespace edge::engine {
namespace {

using cachetest::chunk;
using cachetest::drain;
using cachetest::forgedKey;
using cachetest::makeHead;
using cachetest::makeKey;
using cachetest::makeObject;

CacheStoreOptions options(uint64_t memory, uint32_t shards, uint64_t max_object = 1 << 20,
                          EvictionKind kind = EvictionKind::S3Fifo) {
  CacheStoreOptions o;
  o.memory_bytes = memory;
  o.shards = shards;
  o.max_object_bytes = max_object;
  o.eviction = kind;
  return o;
}

TEST(CacheStore, ShardCountForKeepsTheLargestObjectStorable) {
  // edged's defaults: 256 MiB, 64 MiB objects → 4 shards of 64 MiB (16 would cap objects at 16).
  EXPECT_EQ(CacheStore::shardCountFor(256ull << 20, 64ull << 20), 4u);
  EXPECT_EQ(CacheStore::shardCountFor(1ull << 30, 64ull << 20), 16u);
  EXPECT_EQ(CacheStore::shardCountFor(8ull << 30, 64ull << 20), 16u);  // never above max_shards
  EXPECT_EQ(CacheStore::shardCountFor(32ull << 20, 64ull << 20), 1u);  // budget < object: one
  EXPECT_EQ(CacheStore::shardCountFor(100ull << 20, 10ull << 20, 12), 8u);  // power of two
  CacheStore store(options(256ull << 20, CacheStore::shardCountFor(256ull << 20, 64ull << 20),
                           64ull << 20));
  EXPECT_EQ(store.storableBodyBytes(), 64ull << 20);
}

TEST(CacheStore, ShardCountIsAPowerOfTwoAndSplitsTheBudget) {
  CacheStore a(options(1 << 20, 12));
  EXPECT_EQ(a.shardCount(), 16u);
  EXPECT_EQ(a.shardBudget(), (1u << 20) / 16);
  EXPECT_EQ(a.storableBodyBytes(), (1u << 20) / 16);  // the shard budget caps max_object_bytes
  CacheStore b(options(1 << 20, 0));
  EXPECT_EQ(b.shardCount(), 1u);
  EXPECT_EQ(b.storableBodyBytes(), 1u << 20);
  // The shard comes from the hash's high bits.
  EXPECT_EQ(a.shardOf(forgedKey("x", 0, 5)), 5u);
  EXPECT_EQ(a.shardOf(forgedKey("x", 7, 0x13)), 3u);
}

TEST(CacheStore, LookupFindsOnlyTheSameFullKey) {
  CacheStore store(options(1 << 20, 4));
  const auto key = makeKey("K1 d3:a.b p2:/x");
  EXPECT_EQ(store.lookup(key), nullptr);
  auto obj = makeObject(key, "/x", "body");
  EXPECT_EQ(store.insert(obj), StoreOutcome::Stored);
  EXPECT_EQ(store.lookup(key), obj);
  EXPECT_EQ(store.lookup(makeKey("K1 d3:a.b p2:/y")), nullptr);
  const CacheStats s = store.stats();
  EXPECT_EQ(s.objects, 1u);
  EXPECT_EQ(s.bytes, obj->charge());
  EXPECT_EQ(s.inserts, 1u);
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(store.shardStats(store.shardOf(key)).objects, 1u);
}

// Two different keys with the same 128-bit hash, and two with only the same low 64 bits (the
// KeyId): neither ever returns the other's object.
TEST(CacheStore, HashCollisionNeverReturnsAnotherKeysObject) {
  CacheStore store(options(1 << 20, 1));
  const auto a = forgedKey("K1 p2:/a", 42, 7);
  const auto b = forgedKey("K1 p2:/b", 42, 7);  // full 128-bit collision
  const auto c = forgedKey("K1 p2:/c", 42, 8);  // KeyId collision only
  auto obj_a = makeObject(a, "/a", "A");
  ASSERT_EQ(store.insert(obj_a), StoreOutcome::Stored);
  EXPECT_EQ(store.lookup(a), obj_a);
  EXPECT_EQ(store.lookup(b), nullptr);
  EXPECT_EQ(store.lookup(c), nullptr);
  EXPECT_FALSE(store.erase(b));
  store.touch(b);  // no effect on a

  // A colliding newcomer replaces the older object (KeyId -> object stays one-to-one).
  auto obj_b = makeObject(b, "/b", "BB");
  ASSERT_EQ(store.insert(obj_b), StoreOutcome::Stored);
  EXPECT_EQ(store.lookup(a), nullptr);
  EXPECT_EQ(store.lookup(b), obj_b);
  auto obj_c = makeObject(c, "/c", "CCC");
  ASSERT_EQ(store.insert(obj_c), StoreOutcome::Stored);
  EXPECT_EQ(store.lookup(b), nullptr);
  EXPECT_EQ(store.lookup(c), obj_c);
  const CacheStats s = store.stats();
  EXPECT_EQ(s.objects, 1u);
  EXPECT_EQ(s.bytes, obj_c->charge());  // the policy forgot the replaced objects
  EXPECT_EQ(s.evictions, 0u);
}

TEST(CacheStore, ReplacingAKeyChargesOnlyTheNewObject) {
  CacheStore store(options(1 << 20, 1));
  const auto key = makeKey("k");
  ASSERT_EQ(store.insert(makeObject(key, "/k", std::string(100, 'a'))), StoreOutcome::Stored);
  auto second = makeObject(key, "/k", std::string(300, 'b'));
  ASSERT_EQ(store.insert(second), StoreOutcome::Stored);
  EXPECT_EQ(store.lookup(key), second);
  EXPECT_EQ(store.stats().objects, 1u);
  EXPECT_EQ(store.stats().bytes, second->charge());
}

class CacheStoreBudget : public ::testing::TestWithParam<EvictionKind> {};

// Every shard stays within its budget after every insert, whatever the policy, and the store's
// map and the policy agree on what is stored.
TEST_P(CacheStoreBudget, EveryShardStaysWithinItsBudgetAfterEveryInsert) {
  CacheStore store(options(256 << 10, 4, 32 << 10, GetParam()));
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> size(0, 20'000);
  std::uniform_int_distribution<int> id(0, 399);
  uint64_t stored = 0;
  for (int i = 0; i < 3'000; ++i) {
    const auto key = makeKey("K" + std::to_string(id(rng)));
    if (store.lookup(key) != nullptr) continue;
    if (store.insert(makeObject(key, "/p", std::string(size(rng), 'x'))) == StoreOutcome::Stored) {
      ++stored;
    }
    for (size_t s = 0; s < store.shardCount(); ++s) {
      ASSERT_LE(store.shardStats(s).bytes, store.shardBudget()) << "shard " << s << " op " << i;
    }
  }
  const CacheStats s = store.stats();
  EXPECT_LE(s.bytes, 256u << 10);
  EXPECT_GT(s.evictions, 0u);
  EXPECT_EQ(s.inserts, stored);
  EXPECT_EQ(s.inserts - s.evictions, s.objects);  // nothing else removed objects
  // Every object the stats count is really findable.
  uint64_t found = 0;
  for (int k = 0; k < 400; ++k) found += store.lookup(makeKey("K" + std::to_string(k))) != nullptr;
  EXPECT_EQ(found, s.objects);
}

INSTANTIATE_TEST_SUITE_P(Policies, CacheStoreBudget,
                         ::testing::Values(EvictionKind::S3Fifo, EvictionKind::Lru,
                                           EvictionKind::Sieve),
                         [](const auto& info) { return std::string(toString(info.param)); });

TEST(CacheStore, ObjectLargerThanTheShardBudgetIsNotStored) {
  CacheStore store(options(4'000, 1, 1 << 20));
  EXPECT_EQ(store.storableBodyBytes(), 4'000u);
  // The body fits under the limit, but not with its overhead.
  auto obj = makeObject(makeKey("big"), "/big", std::string(3'900, 'x'));
  EXPECT_EQ(store.insert(obj), StoreOutcome::TooLarge);
  EXPECT_EQ(store.lookup(makeKey("big")), nullptr);
  EXPECT_EQ(store.insert(makeObject(makeKey("huge"), "/h", std::string(5'000, 'x'))),
            StoreOutcome::TooLarge);
  EXPECT_EQ(store.stats().too_large, 2u);
  EXPECT_EQ(store.stats().objects, 0u);
  EXPECT_EQ(store.stats().bytes, 0u);
}

// Eviction removes the object from the store; a reader that holds it still reads it whole.
TEST(CacheStore, EvictedObjectStaysReadableByItsReader) {
  CacheStore store(options(64 << 10, 1, 32 << 10, EvictionKind::Lru));
  const auto key = makeKey("victim");
  std::string body;
  std::vector<BodyChunk> chunks;
  for (int i = 0; i < 20; ++i) {
    chunks.push_back(chunk(std::string(1'000, static_cast<char>('a' + i))));
    body += *chunks.back();
  }
  ASSERT_EQ(store.insert(CachedObject::makeComplete(key, "/v", makeHead(), std::move(chunks))),
            StoreOutcome::Stored);
  BodyReader reader(store.lookup(key));
  ASSERT_TRUE(reader);
  std::vector<BodyChunk> first;
  EXPECT_EQ(reader.read(first, 5'000), ReadStatus::Data);  // mid-body: stops after 5 chunks
  ASSERT_EQ(first.size(), 5u);
  std::string got;
  for (const BodyChunk& c : first) got += *c;
  for (int i = 0; i < 10; ++i) {
    store.insert(makeObject(makeKey("other" + std::to_string(i)), "/o", std::string(20'000, 'o')));
  }
  EXPECT_EQ(store.lookup(key), nullptr);
  EXPECT_GT(store.stats().evictions, 0u);
  EXPECT_EQ(drain(reader, got), ReadStatus::End);
  EXPECT_EQ(got, body);
}

TEST(CacheStore, FillIsInvisibleToLookupUntilItCompletes) {
  CacheStore store(options(1 << 20, 2));
  Loop loop;
  const auto key = makeKey("fill");
  JoinResult lead = store.join(key, "/fill", loop, nullptr);
  ASSERT_EQ(lead.role, JoinRole::Leader);
  EXPECT_EQ(store.lookup(key), nullptr);
  lead.permit.setHead(makeHead());
  lead.permit.append(std::string_view("abc"));
  EXPECT_EQ(store.lookup(key), nullptr);
  EXPECT_EQ(store.stats().fills_inflight, 1u);
  CachedObjectPtr obj = lead.permit.object();
  EXPECT_EQ(lead.permit.complete(), StoreOutcome::Stored);
  EXPECT_EQ(store.lookup(key), obj);
  EXPECT_EQ(store.stats().fills_inflight, 0u);
  EXPECT_EQ(store.stats().bytes, obj->charge());
}

TEST(CacheStore, FailedFillIsNeverVisibleToLookup) {
  CacheStore store(options(1 << 20, 2));
  Loop loop;
  const auto key = makeKey("fails");
  JoinResult lead = store.join(key, "/f", loop, nullptr);
  lead.permit.setHead(makeHead());
  lead.permit.append(std::string_view("half a bo"));
  lead.permit.abandon(FillFailure::Truncated);  // the origin went away mid-body
  EXPECT_EQ(store.lookup(key), nullptr);
  EXPECT_EQ(store.stats().objects, 0u);
  EXPECT_EQ(store.stats().fill_failures, 1u);
  // The next request leads a new fill rather than joining the dead one.
  JoinResult next = store.join(key, "/f", loop, nullptr);
  EXPECT_EQ(next.role, JoinRole::Leader);
  next.permit.abandon(FillFailure::OriginFailed, policies::EdgeErrorKind::OriginConnectError);
  EXPECT_EQ(store.lookup(key), nullptr);
}

// A viewer that disconnects (its reader goes away) never affects what is stored, and a fill
// whose leader goes away leaves nothing behind.
TEST(CacheStore, ViewerOrLeaderLeavingMidBodyLeavesNoTruncatedObject) {
  CacheStore store(options(1 << 20, 1));
  Loop loop;
  const auto key = makeKey("disc");
  {
    JoinResult lead = store.join(key, "/d", loop, nullptr);
    lead.permit.setHead(makeHead());
    lead.permit.append(std::string_view("part"));
  }  // the leader's request is destroyed mid-body
  EXPECT_EQ(store.lookup(key), nullptr);

  JoinResult lead = store.join(key, "/d", loop, nullptr);
  JoinResult f = store.join(key, "/d", loop, nullptr);
  lead.permit.setHead(makeHead());
  lead.permit.append(std::string_view("whole "));
  f.reader.reset();     // a follower's viewer disconnects
  lead.reader.reset();  // and so does the leader's: the fill still completes
  lead.permit.append(std::string_view("body"));
  EXPECT_EQ(lead.permit.complete(), StoreOutcome::Stored);
  ASSERT_NE(store.lookup(key), nullptr);
  EXPECT_EQ(store.lookup(key)->bodyBytes(), 10u);
}

TEST(CacheStore, OversizeObjectIsStreamedToItsReadersButNotStored) {
  CacheStore store(options(1 << 20, 1, /*max_object=*/1'000));
  Loop loop;
  const auto key = makeKey("oversize");
  JoinResult lead = store.join(key, "/o", loop, nullptr);
  JoinResult f = store.join(key, "/o", loop, nullptr);
  ASSERT_EQ(f.role, JoinRole::Follower);
  lead.permit.setHead(makeHead());
  std::string expected;
  std::string got;
  for (int i = 0; i < 30; ++i) {
    std::string piece(100, static_cast<char>('A' + i % 26));
    expected += piece;
    lead.permit.append(std::move(piece));
    EXPECT_NE(drain(f.reader, got), ReadStatus::Failed);
  }
  EXPECT_FALSE(lead.permit.storing());
  // Nobody new joins a fill whose first bytes are gone: a newcomer leads its own fetch.
  JoinResult newcomer = store.join(key, "/o", loop, nullptr);
  EXPECT_EQ(newcomer.role, JoinRole::Leader);
  newcomer.permit.abandon(FillFailure::LeaderGone);

  EXPECT_EQ(lead.permit.complete(), StoreOutcome::TooLarge);
  EXPECT_EQ(drain(f.reader, got), ReadStatus::End);
  EXPECT_EQ(got, expected);
  EXPECT_EQ(store.lookup(key), nullptr);
  EXPECT_EQ(store.stats().too_large, 1u);
  EXPECT_EQ(store.stats().objects, 0u);
}

TEST(CacheStore, DeclaredLengthOverTheLimitIsNeverStored) {
  CacheStore store(options(1 << 20, 1, /*max_object=*/1'000));
  Loop loop;
  JoinResult lead = store.join(makeKey("cl"), "/cl", loop, nullptr);
  lead.permit.setHead(makeHead(), /*declared_length=*/5'000);
  EXPECT_FALSE(lead.permit.storing());
  lead.permit.append(std::string(10, 'x'));  // the origin lied; still not stored
  EXPECT_EQ(lead.permit.complete(), StoreOutcome::TooLarge);
  EXPECT_EQ(store.lookup(makeKey("cl")), nullptr);
}

// §8: one path removes every variant (header / cookie / encoding keys sharing a path).
TEST(CacheStore, InvalidateByPathRemovesEveryVariant) {
  CacheStore store(options(1 << 20, 8));
  const std::vector<std::pair<std::string, std::string>> objects = {
      {"K1 /img/a.jpg gzip", "/img/a.jpg"},
      {"K1 /img/a.jpg br", "/img/a.jpg"},
      {"K1 /img/a.jpg", "/img/a.jpg"},
      {"K1 /img/b/c.png", "/img/b/c.png"},
      {"K1 /img/a.jpg?v=2", "/img/a.jpg?v=2"},
      {"K1 /css/site.css", "/css/site.css"},
      {"K1 /imgx", "/imgx"},
  };
  for (const auto& [text, path] : objects) {
    ASSERT_EQ(store.insert(makeObject(makeKey(text), path, "b")), StoreOutcome::Stored);
  }
  const size_t removed = store.invalidate(
      [](std::string_view p) { return policies::invalidationMatches("/img/*", p); });
  EXPECT_EQ(removed, 5u);
  for (const auto& [text, path] : objects) {
    const bool kept = path == "/css/site.css" || path == "/imgx";
    EXPECT_EQ(store.lookup(makeKey(text)) != nullptr, kept) << text;
  }
  EXPECT_EQ(store.stats().objects, 2u);
  EXPECT_EQ(store.stats().erased, 5u);

  // An exact path matches only itself (not its query variants).
  EXPECT_EQ(store.insert(makeObject(makeKey("q1"), "/a?x=1", "b")), StoreOutcome::Stored);
  EXPECT_EQ(
      store.invalidate([](std::string_view p) { return policies::invalidationMatches("/a", p); }),
      0u);
}

// A fill that already has its response head carries pre-invalidation content: it is not stored.
// One still waiting for its head will get a post-invalidation response and is stored.
TEST(CacheStore, InvalidateStopsMatchingFillsInFlightFromBeingStored) {
  CacheStore store(options(1 << 20, 4));
  Loop loop;
  const auto k1 = makeKey("inflight1");
  const auto k2 = makeKey("inflight2");
  JoinResult with_head = store.join(k1, "/img/1", loop, nullptr);
  with_head.permit.setHead(makeHead());
  with_head.permit.append(std::string_view("old"));
  JoinResult awaiting = store.join(k2, "/img/2", loop, nullptr);
  JoinResult bypass = store.startFill(k1, "/img/1", loop, nullptr);
  bypass.permit.setHead(makeHead());
  EXPECT_EQ(store.invalidate([](std::string_view p) { return p.starts_with("/img/"); }), 0u);
  // New requests do not join the doomed fill.
  JoinResult newcomer = store.join(k1, "/img/1", loop, nullptr);
  EXPECT_EQ(newcomer.role, JoinRole::Leader);
  newcomer.permit.abandon(FillFailure::LeaderGone);

  EXPECT_EQ(with_head.permit.complete(), StoreOutcome::Invalidated);
  EXPECT_EQ(bypass.permit.complete(), StoreOutcome::Invalidated);
  awaiting.permit.setHead(makeHead());
  EXPECT_EQ(awaiting.permit.complete(), StoreOutcome::Stored);
  EXPECT_EQ(store.lookup(k1), nullptr);
  EXPECT_NE(store.lookup(k2), nullptr);
}

TEST(CacheStore, EraseCanBeConditionalOnTheObject) {
  CacheStore store(options(1 << 20, 2));
  const auto key = makeKey("erase");
  auto first = makeObject(key, "/e", "1");
  auto second = makeObject(key, "/e", "2");
  store.insert(first);
  store.insert(second);
  EXPECT_FALSE(store.erase(key, first.get()));  // already replaced: leave the newer one
  EXPECT_EQ(store.lookup(key), second);
  EXPECT_TRUE(store.erase(key, second.get()));
  EXPECT_EQ(store.lookup(key), nullptr);
  EXPECT_FALSE(store.erase(key));
  EXPECT_EQ(store.stats().objects, 0u);
  EXPECT_EQ(store.stats().bytes, 0u);
}

TEST(CacheStore, RefreshReplacesOnlyTheCurrentObject) {
  CacheStore store(options(1 << 20, 2));
  const auto key = makeKey("refresh");
  auto old = makeObject(key, "/r", "body");
  store.insert(old);
  CacheStore::Refreshed r = store.refresh(old, makeHead(200, 5'000));
  EXPECT_EQ(r.outcome, StoreOutcome::Stored);
  ASSERT_NE(r.object, nullptr);
  EXPECT_EQ(store.lookup(key), r.object);
  EXPECT_EQ(r.object->freshness().stored_at, 5'000);
  EXPECT_EQ(r.object->body()[0].get(), old->body()[0].get());
  // `old` is no longer the stored object: a second refresh of it must not clobber the first.
  CacheStore::Refreshed again = store.refresh(old, makeHead(200, 6'000));
  EXPECT_EQ(again.outcome, StoreOutcome::Superseded);
  EXPECT_EQ(store.lookup(key), r.object);
  // Invalidated meanwhile: the refresh is served but not stored.
  store.invalidate([](std::string_view) { return true; });
  EXPECT_EQ(store.refresh(r.object, makeHead()).outcome, StoreOutcome::Superseded);
  EXPECT_EQ(store.lookup(key), nullptr);
}

TEST(CacheStore, InsertRefusesObjectsThatAreNotComplete) {
  CacheStore store(options(1 << 20, 1));
  Loop loop;
  JoinResult lead = store.join(makeKey("nc"), "/nc", loop, nullptr);
  EXPECT_EQ(store.insert(lead.permit.object()), StoreOutcome::NotComplete);
  EXPECT_EQ(store.insert(nullptr), StoreOutcome::NotComplete);
  lead.permit.abandon(FillFailure::Uncacheable);
}

TEST(CacheStore, StatsPrint) {
  CacheStats s;
  s.hits = 3;
  std::ostringstream os;
  os << s;
  EXPECT_NE(os.str().find("hits=3"), std::string::npos);
}

}  // namespace
}  // namespace edge::engine
