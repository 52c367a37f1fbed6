// Eviction policies: one conformance suite that every EvictionKind runs (TEST_P), then each
// policy's own behaviour (LRU order, S3-FIFO queues and scan resistance, SIEVE's hand).
#include "engine/cache/eviction_policy.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/cache/lru_policy.h"
#include "engine/cache/s3fifo_policy.h"
#include "engine/cache/sieve_policy.h"

namespace edge::engine {
namespace {

constexpr EvictionKind kAllKinds[] = {EvictionKind::Lru, EvictionKind::S3Fifo, EvictionKind::Sieve};

// What the store would hold: the policy's tracked set, rebuilt from the victims it reports.
class ShadowStore {
 public:
  explicit ShadowStore(EvictionPolicy& policy) : policy_(policy) {}

  // Inserts through the policy and checks the onInsert contract. Returns the victims.
  std::vector<KeyId> insert(KeyId id, uint64_t bytes) {
    constexpr KeyId kMarker = 0xdeadbeefULL;  // victims are appended, never cleared
    std::vector<KeyId> victims{kMarker};
    policy_.onInsert(id, bytes, victims);
    EXPECT_FALSE(victims.empty());
    EXPECT_EQ(victims.front(), kMarker);
    victims.erase(victims.begin());

    std::set<KeyId> distinct(victims.begin(), victims.end());
    EXPECT_EQ(distinct.size(), victims.size()) << "a victim reported twice";
    for (KeyId v : victims) {
      EXPECT_TRUE(live_.count(v) || v == id) << "victim " << v << " was not tracked";
      live_.erase(v);
    }
    const bool rejected = bytes > policy_.budget();
    EXPECT_EQ(distinct.count(id) == 1, rejected) << "id " << id << " bytes " << bytes;
    if (!rejected) live_[id] = bytes;
    universe_.insert(id);
    checkAgreement();
    return victims;
  }
  void hit(KeyId id) {
    policy_.onHit(id);
    universe_.insert(id);
    checkAgreement();
  }
  void erase(KeyId id) {
    policy_.onErase(id);
    live_.erase(id);
    universe_.insert(id);
    checkAgreement();
  }

  // Exactly the keys the shadow holds are tracked, with the same byte total.
  void checkAgreement() const {
    uint64_t sum = 0;
    for (const auto& [id, bytes] : live_) sum += bytes;
    ASSERT_LE(policy_.bytes(), policy_.budget());
    ASSERT_EQ(policy_.bytes(), sum);
    ASSERT_EQ(policy_.size(), live_.size());
    for (KeyId id : universe_) ASSERT_EQ(policy_.contains(id), live_.count(id) == 1) << id;
  }

  const std::map<KeyId, uint64_t>& live() const { return live_; }

 private:
  EvictionPolicy& policy_;
  std::map<KeyId, uint64_t> live_;
  std::set<KeyId> universe_;  // every id ever used
};

class EvictionConformance : public testing::TestWithParam<EvictionKind> {
 protected:
  EvictionPolicyPtr make(uint64_t budget) { return makeEvictionPolicy(GetParam(), budget); }
};

TEST_P(EvictionConformance, FactoryBuildsTheRequestedKind) {
  auto p = make(1000);
  EXPECT_EQ(p->kind(), GetParam());
  EXPECT_EQ(p->budget(), 1000u);
  EXPECT_EQ(p->bytes(), 0u);
  EXPECT_EQ(p->size(), 0u);
}

TEST_P(EvictionConformance, FillsToTheBudgetThenEvictsOnePerInsert) {
  auto p = make(1000);
  ShadowStore s(*p);
  for (KeyId id = 1; id <= 10; ++id) EXPECT_TRUE(s.insert(id, 100).empty());
  EXPECT_EQ(p->bytes(), 1000u);
  for (KeyId id = 11; id <= 40; ++id) EXPECT_EQ(s.insert(id, 100).size(), 1u);
  EXPECT_EQ(p->size(), 10u);
}

TEST_P(EvictionConformance, OversizedObjectIsItsOwnVictim) {
  auto p = make(1000);
  ShadowStore s(*p);
  s.insert(1, 400);
  EXPECT_EQ(s.insert(2, 1001), std::vector<KeyId>{2});
  EXPECT_TRUE(p->contains(1));
  EXPECT_FALSE(p->contains(2));
}

TEST_P(EvictionConformance, OversizedReplacementDropsTheOldVersion) {
  auto p = make(1000);
  ShadowStore s(*p);
  s.insert(1, 400);
  s.insert(2, 400);
  EXPECT_EQ(s.insert(1, 5000), std::vector<KeyId>{1});
  EXPECT_FALSE(p->contains(1));
  EXPECT_EQ(p->bytes(), 400u);
}

TEST_P(EvictionConformance, ObjectOfExactlyTheBudgetFitsAlone) {
  auto p = make(1000);
  ShadowStore s(*p);
  for (KeyId id = 1; id <= 4; ++id) s.insert(id, 100);
  EXPECT_EQ(s.insert(9, 1000).size(), 4u);
  EXPECT_EQ(p->size(), 1u);
  EXPECT_EQ(p->bytes(), 1000u);
}

TEST_P(EvictionConformance, ZeroBudgetKeepsOnlyEmptyObjects) {
  auto p = make(0);
  ShadowStore s(*p);
  EXPECT_TRUE(s.insert(1, 0).empty());
  EXPECT_EQ(s.insert(2, 1), std::vector<KeyId>{2});
  EXPECT_TRUE(p->contains(1));
}

TEST_P(EvictionConformance, UnknownIdsAreNoOps) {
  auto p = make(1000);
  p->onHit(42);
  p->onErase(42);
  ShadowStore s(*p);
  s.insert(1, 100);
  s.hit(2);
  s.erase(2);
  s.erase(1);
  s.erase(1);
  s.hit(1);
  EXPECT_EQ(p->size(), 0u);
  EXPECT_EQ(p->bytes(), 0u);
}

TEST_P(EvictionConformance, ReinsertReplacesTheSize) {
  auto p = make(1000);
  ShadowStore s(*p);
  s.insert(1, 100);
  s.insert(2, 100);
  EXPECT_TRUE(s.insert(1, 300).empty());
  EXPECT_EQ(p->bytes(), 400u);
  EXPECT_EQ(p->size(), 2u);
  // Growing past the budget evicts the other object, never the replaced one.
  EXPECT_EQ(s.insert(1, 950), std::vector<KeyId>{2});
  EXPECT_TRUE(s.insert(1, 10).empty());
  EXPECT_EQ(p->bytes(), 10u);
}

TEST_P(EvictionConformance, ErasedObjectsFreeTheirBytes) {
  auto p = make(1000);
  ShadowStore s(*p);
  for (KeyId id = 1; id <= 10; ++id) s.insert(id, 100);
  s.erase(3);
  s.erase(7);
  EXPECT_EQ(p->bytes(), 800u);
  EXPECT_TRUE(s.insert(11, 200).empty());
  EXPECT_EQ(s.insert(12, 100).size(), 1u);
}

TEST_P(EvictionConformance, ExtremeKeyIdsAreOrdinaryKeys) {
  auto p = make(1000);
  ShadowStore s(*p);
  s.insert(0, 100);
  s.insert(UINT64_MAX, 100);
  s.hit(0);
  s.erase(UINT64_MAX);
  EXPECT_TRUE(p->contains(0));
}

// Random inserts (new and replacing, some oversized), hits and erases over a small key space;
// after every operation the shadow store and the policy agree on every key ever used.
TEST_P(EvictionConformance, RandomWorkloadKeepsTheContract) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    auto p = make(10'000);
    ShadowStore s(*p);
    std::uniform_int_distribution<KeyId> key(0, 63);
    std::uniform_int_distribution<int> op(0, 99);
    std::uniform_int_distribution<uint64_t> size(0, 2'500);
    for (int n = 0; n < 6'000; ++n) {
      const int o = op(rng);
      const KeyId id = key(rng);
      if (o < 50) {
        s.insert(id, o == 0 ? 10'001 : size(rng));
      } else if (o < 85) {
        s.hit(id);
      } else {
        s.erase(id);
      }
      if (testing::Test::HasFatalFailure()) return;
    }
  }
}

// Many keys, slab and index reuse under churn; aggregates only (cheap per operation).
TEST_P(EvictionConformance, LongChurnStaysWithinBudget) {
  std::mt19937_64 rng(7);
  auto p = make(1'000'000);
  std::map<KeyId, uint64_t> live;
  std::uniform_int_distribution<KeyId> key(0, 20'000);
  std::uniform_int_distribution<uint64_t> size(1, 40'000);
  std::vector<KeyId> victims;
  uint64_t sum = 0;
  for (int n = 0; n < 200'000; ++n) {
    const KeyId id = key(rng);
    if (n % 5 == 0) {
      p->onErase(id);
      if (auto it = live.find(id); it != live.end()) {
        sum -= it->second;
        live.erase(it);
      }
      continue;
    }
    if (p->contains(id) && n % 3 != 0) {
      p->onHit(id);
      continue;
    }
    const uint64_t b = size(rng);
    victims.clear();
    p->onInsert(id, b, victims);
    if (auto it = live.find(id); it != live.end()) sum -= it->second;
    live[id] = b;
    sum += b;
    for (KeyId v : victims) {
      sum -= live.at(v);
      live.erase(v);
    }
    ASSERT_LE(p->bytes(), 1'000'000u);
    ASSERT_EQ(p->bytes(), sum);
    ASSERT_EQ(p->size(), live.size());
  }
  for (const auto& [id, bytes] : live) ASSERT_TRUE(p->contains(id));
}

INSTANTIATE_TEST_SUITE_P(AllKinds, EvictionConformance, testing::ValuesIn(kAllKinds),
                         [](const testing::TestParamInfo<EvictionKind>& info) {
                           return std::string(toString(info.param));
                         });

TEST(EvictionKindNames, RoundTrip) {
  for (EvictionKind k : kAllKinds) EXPECT_EQ(parseEvictionKind(toString(k)), k);
  EXPECT_EQ(parseEvictionKind("LRU"), std::nullopt);
  EXPECT_EQ(parseEvictionKind(""), std::nullopt);
}

// --- LRU ---------------------------------------------------------------------------------------

TEST(LruEviction, EvictsTheLeastRecentlyUsed) {
  LruPolicy p(300);
  std::vector<KeyId> v;
  for (KeyId id : {1, 2, 3}) p.onInsert(id, 100, v);
  p.onHit(1);
  EXPECT_EQ(p.recencyOrder(), (std::vector<KeyId>{1, 3, 2}));
  p.onInsert(4, 100, v);
  EXPECT_EQ(v, std::vector<KeyId>{2});
  EXPECT_EQ(p.recencyOrder(), (std::vector<KeyId>{4, 1, 3}));
}

TEST(LruEviction, BigObjectEvictsFromTheBackInOrder) {
  LruPolicy p(300);
  std::vector<KeyId> v;
  for (KeyId id : {1, 2, 3}) p.onInsert(id, 100, v);
  p.onInsert(4, 250, v);
  EXPECT_EQ(v, (std::vector<KeyId>{1, 2, 3}));
}

TEST(LruEviction, ReinsertMovesToTheFront) {
  LruPolicy p(300);
  std::vector<KeyId> v;
  for (KeyId id : {1, 2, 3}) p.onInsert(id, 100, v);
  p.onInsert(1, 50, v);
  EXPECT_EQ(p.recencyOrder(), (std::vector<KeyId>{1, 3, 2}));
  EXPECT_TRUE(v.empty());
}

// --- S3-FIFO -----------------------------------------------------------------------------------

using Queue = S3FifoPolicy::Queue;

TEST(S3FifoEviction, SmallShareIsTenPercent) {
  S3FifoPolicy p(1000);
  EXPECT_EQ(p.smallTarget(), 100u);
  EXPECT_EQ(p.ghostCapacity(), 900u);
  S3FifoPolicy huge(UINT64_MAX);
  EXPECT_EQ(huge.smallTarget(), UINT64_MAX / 10);
}

TEST(S3FifoEviction, NewObjectsEnterSmallAndHitsSaturateAtThree) {
  S3FifoPolicy p(1000);
  std::vector<KeyId> v;
  p.onInsert(1, 100, v);
  EXPECT_EQ(p.queueOf(1), Queue::Small);
  for (int i = 0; i < 10; ++i) p.onHit(1);
  EXPECT_EQ(p.frequency(1), 3);
}

// Hot objects (hit once while in Small) move to Main; one-time objects are evicted from Small
// and remembered in Ghost; Main is untouched while Small holds its share.
TEST(S3FifoEviction, OneHitWondersLeaveThroughSmall) {
  S3FifoPolicy p(1000);
  std::vector<KeyId> v;
  for (KeyId hot = 1; hot <= 4; ++hot) {
    p.onInsert(hot, 100, v);
    p.onHit(hot);
  }
  for (KeyId once = 100; once < 400; ++once) {
    v.clear();
    p.onInsert(once, 100, v);
    for (KeyId victim : v) {
      EXPECT_GE(victim, 100u) << "a hot object was evicted";
      EXPECT_EQ(p.queueOf(victim), Queue::Ghost);
    }
  }
  for (KeyId hot = 1; hot <= 4; ++hot) EXPECT_EQ(p.queueOf(hot), Queue::Main) << hot;
  EXPECT_EQ(p.mainBytes(), 400u);
  EXPECT_EQ(p.smallBytes(), 600u);
}

TEST(S3FifoEviction, GhostHitGoesToMain) {
  S3FifoPolicy p(1000);
  std::vector<KeyId> v;
  for (KeyId id = 1; id <= 11; ++id) p.onInsert(id, 100, v);
  ASSERT_EQ(v, std::vector<KeyId>{1});
  EXPECT_EQ(p.queueOf(1), Queue::Ghost);
  EXPECT_FALSE(p.contains(1));
  v.clear();
  p.onInsert(1, 100, v);
  EXPECT_EQ(p.queueOf(1), Queue::Main);
  EXPECT_EQ(v, std::vector<KeyId>{2});  // Small still over its share: its oldest leaves
}

TEST(S3FifoEviction, MainReinsertsHitObjectsAndDecrementsTheirCounter) {
  S3FifoPolicy p(1000);
  std::vector<KeyId> v;
  for (KeyId id = 1; id <= 10; ++id) p.onInsert(id, 100, v);
  for (KeyId id = 1; id <= 10; ++id) p.onHit(id);
  // Small drains into Main (counters reset), then Main evicts its oldest: 1.
  p.onInsert(11, 100, v);
  EXPECT_EQ(v, std::vector<KeyId>{1});
  EXPECT_EQ(p.queueOf(1), std::nullopt) << "Main evictions leave no ghost";
  EXPECT_EQ(p.queueOf(2), Queue::Main);
  EXPECT_EQ(p.queueOf(11), Queue::Small);
  p.onHit(2);
  p.onHit(2);
  p.onHit(11);  // so Small promotes it instead of evicting it
  v.clear();
  p.onInsert(12, 100, v);
  EXPECT_EQ(v, std::vector<KeyId>{3});  // 2 had counter 2: reinserted with 1
  EXPECT_EQ(p.frequency(2), 1);
  EXPECT_EQ(p.queueOf(11), Queue::Main);
}

TEST(S3FifoEviction, EraseLeavesNoGhost) {
  S3FifoPolicy p(1000);
  std::vector<KeyId> v;
  p.onInsert(1, 100, v);
  p.onErase(1);
  EXPECT_EQ(p.queueOf(1), std::nullopt);
  p.onInsert(1, 100, v);
  EXPECT_EQ(p.queueOf(1), Queue::Small);
}

TEST(S3FifoEviction, GhostIsBoundedByMainShare) {
  S3FifoPolicy p(1'000'000);
  std::vector<KeyId> v;
  for (KeyId id = 0; id < 5'000; ++id) p.onInsert(id, 10'000, v);
  EXPECT_EQ(p.ghostSize(), 90u);
  EXPECT_LE(p.ghostCharge(), p.ghostCapacity());
  // Tiny objects are charged kGhostMinCharge each.
  for (KeyId id = 10'000; id < 20'000; ++id) p.onInsert(id, 10, v);
  EXPECT_LE(p.ghostSize(), 900'000 / S3FifoPolicy::kGhostMinCharge);
}

TEST(S3FifoEviction, RejectedObjectKeepsItsGhostEntry) {
  S3FifoPolicy p(1000);
  std::vector<KeyId> v;
  for (KeyId id = 1; id <= 11; ++id) p.onInsert(id, 100, v);
  ASSERT_EQ(p.queueOf(1), Queue::Ghost);
  v.clear();
  p.onInsert(1, 2000, v);
  EXPECT_EQ(v, std::vector<KeyId>{1});
  EXPECT_FALSE(p.contains(1));
  EXPECT_EQ(p.size(), 10u);
}

// A hot set re-read throughout a long scan of one-time keys. Its reuse distance (60 hot + 60
// scan objects) exceeds the cache (100 objects), so LRU loses every hot object; S3-FIFO keeps
// them in Main while the scan cycles through Small.
double hotHitRatioDuringScan(EvictionKind kind) {
  auto p = makeEvictionPolicy(kind, 100 * 1000);
  std::vector<KeyId> v;
  auto access = [&](KeyId id) {
    if (p->contains(id)) {
      p->onHit(id);
      return true;
    }
    p->onInsert(id, 1000, v);
    return false;
  };
  constexpr KeyId kHot = 60;
  for (int round = 0; round < 3; ++round) {
    for (KeyId id = 0; id < kHot; ++id) access(id);
  }
  int hits = 0;
  int accesses = 0;
  for (KeyId scan = 1'000'000; scan < 1'000'000 + 20'000; ++scan) {
    access(scan);
    hits += access(scan % kHot) ? 1 : 0;
    ++accesses;
  }
  return static_cast<double>(hits) / accesses;
}

TEST(S3FifoEviction, ScanResistance) {
  EXPECT_GT(hotHitRatioDuringScan(EvictionKind::S3Fifo), 0.95);
  EXPECT_LT(hotHitRatioDuringScan(EvictionKind::Lru), 0.05);
}

// --- SIEVE -------------------------------------------------------------------------------------

TEST(SieveEviction, VisitedObjectSurvivesTheHandAndTheHandStays) {
  SievePolicy p(300);
  std::vector<KeyId> v;
  for (KeyId id : {1, 2, 3}) p.onInsert(id, 100, v);
  p.onHit(1);
  p.onInsert(4, 100, v);
  EXPECT_EQ(v, std::vector<KeyId>{2});
  EXPECT_FALSE(p.visited(1)) << "the hand clears the bit it passes";
  // The hand resumes at 3, not at the oldest object (1), even if 1 is not hit again.
  v.clear();
  p.onInsert(5, 100, v);
  EXPECT_EQ(v, std::vector<KeyId>{3});
}

TEST(SieveEviction, HandWrapsAroundToTheOldest) {
  SievePolicy p(300);
  std::vector<KeyId> v;
  for (KeyId id : {1, 2, 3}) p.onInsert(id, 100, v);
  for (KeyId id : {1, 2, 3}) p.onHit(id);
  p.onInsert(4, 100, v);  // a full lap clears every bit, then 1 goes
  EXPECT_EQ(v, std::vector<KeyId>{1});
}

TEST(SieveEviction, ErasingTheObjectUnderTheHandMovesTheHand) {
  SievePolicy p(300);
  std::vector<KeyId> v;
  for (KeyId id : {1, 2, 3}) p.onInsert(id, 100, v);
  p.onHit(1);
  p.onInsert(4, 100, v);  // evicts 2, hand now on 3
  p.onErase(3);           // hand moves to 4
  v.clear();
  p.onInsert(5, 100, v);
  p.onInsert(6, 100, v);
  EXPECT_EQ(v, std::vector<KeyId>{4});
}

}  // namespace
}  // namespace edge::engine
