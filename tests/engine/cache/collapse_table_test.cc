#include "engine/cache/collapse_table.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/cache/cache_store.h"
#include "tests/engine/cache/cache_test_util.h"

namespace edge::engine {
namespace {

using cachetest::drain;
using cachetest::forgedKey;
using cachetest::LoopThread;
using cachetest::makeHead;
using cachetest::makeKey;
using cachetest::makeObject;
using cachetest::runUntil;

CacheStoreOptions smallStore(uint32_t shards = 4) {
  CacheStoreOptions o;
  o.memory_bytes = 16 << 20;
  o.max_object_bytes = 1 << 20;
  o.shards = shards;
  return o;
}

struct AdviceCase {
  FillFailure failure;
  bool has_error;
  bool response_started;
  FollowerAction expected;
};

class CollapseAdvice : public ::testing::TestWithParam<AdviceCase> {};

TEST_P(CollapseAdvice, FollowerActionForEachOutcome) {
  const AdviceCase& c = GetParam();
  EXPECT_EQ(adviseFollower(c.failure, c.has_error, c.response_started), c.expected)
      << c.failure << " error=" << c.has_error << " started=" << c.response_started;
}

INSTANTIATE_TEST_SUITE_P(
    Table, CollapseAdvice,
    ::testing::Values(
        AdviceCase{FillFailure::LeaderGone, false, false, FollowerAction::Rejoin},
        AdviceCase{FillFailure::Truncated, false, false, FollowerAction::Rejoin},
        AdviceCase{FillFailure::Truncated, true, false, FollowerAction::ServeError},
        AdviceCase{FillFailure::Uncacheable, false, false, FollowerAction::FetchAlone},
        AdviceCase{FillFailure::OriginFailed, true, false, FollowerAction::ServeError},
        AdviceCase{FillFailure::OriginFailed, false, false, FollowerAction::Rejoin},
        AdviceCase{FillFailure::Truncated, false, true, FollowerAction::Abort},
        AdviceCase{FillFailure::Uncacheable, false, true, FollowerAction::Abort},
        AdviceCase{FillFailure::OriginFailed, true, true, FollowerAction::Abort}));

TEST(CollapseTable, FindLeadRelease) {
  CollapseTable t;
  const auto key = makeKey("k");
  EXPECT_EQ(t.find(key).slot, CollapseTable::Slot::Free);
  std::shared_ptr<CachedObject> fill = makeObject(key, "/k", "b");
  t.lead(fill);
  EXPECT_EQ(t.leaders(), 1u);
  EXPECT_EQ(t.inflight(), 1u);
  CollapseTable::Found f = t.find(key);
  EXPECT_EQ(f.slot, CollapseTable::Slot::Joinable);
  EXPECT_EQ(f.fill, fill);
  EXPECT_EQ(t.find(forgedKey("other", key.hash.low64, key.hash.high64)).slot,
            CollapseTable::Slot::Collision);
  auto other = makeObject(makeKey("k2"), "/k2", "b");
  EXPECT_FALSE(t.release(*other));
  EXPECT_TRUE(t.release(*fill));
  EXPECT_FALSE(t.release(*fill));
  EXPECT_EQ(t.find(key).slot, CollapseTable::Slot::Free);
  t.untrack(fill.get());
  EXPECT_EQ(t.inflight(), 0u);
}

TEST(CollapseJoin, ConcurrentMissesShareOneFill) {
  CacheStore store(smallStore());
  Loop loop;
  const auto key = makeKey("shared");
  JoinResult lead = store.join(key, "/s", loop, nullptr);
  ASSERT_EQ(lead.role, JoinRole::Leader);
  EXPECT_TRUE(lead.permit.collapsed());
  std::vector<JoinResult> followers;
  int wakes = 0;
  for (int i = 0; i < 3; ++i) {
    followers.push_back(store.join(key, "/s", loop, [&] { ++wakes; }));
    ASSERT_EQ(followers.back().role, JoinRole::Follower);
    EXPECT_FALSE(followers.back().permit);
    EXPECT_EQ(followers.back().reader.object(), lead.permit.object());
  }
  lead.permit.setHead(makeHead());
  lead.permit.append(std::string_view("payload"));
  EXPECT_EQ(lead.permit.complete(), StoreOutcome::Stored);
  ASSERT_TRUE(runUntil(loop, [&] { return wakes >= 3; }));
  for (JoinResult& f : followers) {
    std::string got;
    EXPECT_EQ(drain(f.reader, got), ReadStatus::End);
    EXPECT_EQ(got, "payload");
  }
  const CacheStats s = store.stats();
  EXPECT_EQ(s.fills, 1u);
  EXPECT_EQ(s.collapsed, 3u);
  EXPECT_EQ(s.inserts, 1u);
}

TEST(CollapseJoin, JoinAfterPublishIsAHitUnlessReplacingIt) {
  CacheStore store(smallStore());
  Loop loop;
  const auto key = makeKey("published");
  auto stored = makeObject(key, "/p", "old");
  ASSERT_EQ(store.insert(stored), StoreOutcome::Stored);
  JoinResult hit = store.join(key, "/p", loop, nullptr);
  EXPECT_EQ(hit.role, JoinRole::Hit);
  EXPECT_EQ(hit.reader.object(), stored);
  EXPECT_EQ(store.stats().hits, 1u);
  // The stored object is stale: the caller refetches it and the others collapse onto that.
  JoinResult refetch = store.join(key, "/p", loop, nullptr, stored.get());
  ASSERT_EQ(refetch.role, JoinRole::Leader);
  JoinResult waiting = store.join(key, "/p", loop, nullptr, stored.get());
  EXPECT_EQ(waiting.role, JoinRole::Follower);
  EXPECT_EQ(store.lookup(key), stored);  // still served (stale-while-revalidate) meanwhile
  refetch.permit.setHead(makeHead());
  refetch.permit.append(std::string_view("new"));
  EXPECT_EQ(refetch.permit.complete(), StoreOutcome::Stored);
  EXPECT_EQ(store.lookup(key), refetch.reader.object());
}

// A 304 revalidation led through the collapse table: followers get the stored body, shared.
TEST(CollapseJoin, RevalidationFillReusesTheStoredBody) {
  CacheStore store(smallStore());
  Loop loop;
  const auto key = makeKey("reval");
  auto stored = makeObject(key, "/r", "the body");
  store.insert(stored);
  JoinResult lead = store.join(key, "/r", loop, nullptr, stored.get());
  JoinResult f = store.join(key, "/r", loop, nullptr, stored.get());
  ASSERT_EQ(f.role, JoinRole::Follower);
  lead.permit.setHead(makeHead(200, 2'000));
  lead.permit.appendBodyOf(*stored);
  EXPECT_EQ(lead.permit.complete(), StoreOutcome::Stored);
  std::vector<BodyChunk> out;
  EXPECT_EQ(f.reader.read(out), ReadStatus::End);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].get(), stored->body()[0].get());
  EXPECT_EQ(store.lookup(key)->freshness().stored_at, 2'000);
}

TEST(CollapseJoin, AbandonWakesFollowersWithTheOutcome) {
  CacheStore store(smallStore());
  Loop loop;
  const auto key = makeKey("abandon");
  JoinResult lead = store.join(key, "/a", loop, nullptr);
  int wakes = 0;
  JoinResult f = store.join(key, "/a", loop, [&] { ++wakes; });
  lead.permit.abandon(FillFailure::OriginFailed, policies::EdgeErrorKind::OriginConnectTimeout);
  ASSERT_TRUE(runUntil(loop, [&] { return wakes == 1; }));
  std::vector<BodyChunk> out;
  ASSERT_EQ(f.reader.read(out), ReadStatus::Failed);
  const CachedObject& obj = *f.reader.object();
  EXPECT_EQ(obj.failure(), FillFailure::OriginFailed);
  ASSERT_TRUE(obj.error().has_value());
  EXPECT_EQ(*obj.error(), policies::EdgeErrorKind::OriginConnectTimeout);
  EXPECT_EQ(adviseFollower(obj.failure(), obj.error().has_value(), false),
            FollowerAction::ServeError);

  // Uncacheable: followers fetch on their own; the next join leads a fresh fill.
  JoinResult lead2 = store.join(key, "/a", loop, nullptr);
  ASSERT_EQ(lead2.role, JoinRole::Leader);
  JoinResult f2 = store.join(key, "/a", loop, nullptr);
  lead2.permit.abandon(FillFailure::Uncacheable);
  ASSERT_EQ(f2.reader.read(out), ReadStatus::Failed);
  EXPECT_EQ(adviseFollower(f2.reader.object()->failure(), false, false),
            FollowerAction::FetchAlone);
  EXPECT_EQ(store.stats().fill_failures, 2u);
}

TEST(CollapseJoin, StartFillNeverCollapses) {
  CacheStore store(smallStore());
  Loop loop;
  const auto key = makeKey("bypass");
  JoinResult a = store.startFill(key, "/b", loop, nullptr);
  JoinResult b = store.startFill(key, "/b", loop, nullptr);
  EXPECT_EQ(a.role, JoinRole::Leader);
  EXPECT_EQ(b.role, JoinRole::Leader);
  EXPECT_FALSE(a.permit.collapsed());
  EXPECT_NE(a.permit.object(), b.permit.object());
  // Nor does a bypass fill attract joiners.
  JoinResult c = store.join(key, "/b", loop, nullptr);
  EXPECT_EQ(c.role, JoinRole::Leader);
  c.permit.abandon(FillFailure::LeaderGone);
  a.permit.setHead(makeHead());
  a.permit.append(std::string_view("a"));
  b.permit.setHead(makeHead());
  b.permit.append(std::string_view("bb"));
  EXPECT_EQ(a.permit.complete(), StoreOutcome::Stored);
  EXPECT_EQ(b.permit.complete(), StoreOutcome::Stored);  // the last one wins
  EXPECT_EQ(store.lookup(key)->bodyBytes(), 2u);
  EXPECT_EQ(store.stats().collapsed, 0u);
}

TEST(CollapseJoin, KeyIdCollisionDoesNotCollapse) {
  CacheStore store(smallStore(1));
  Loop loop;
  const auto a = forgedKey("K1 /a", 9, 1);
  const auto b = forgedKey("K1 /b", 9, 2);
  JoinResult la = store.join(a, "/a", loop, nullptr);
  JoinResult lb = store.join(b, "/b", loop, nullptr);
  EXPECT_EQ(la.role, JoinRole::Leader);
  EXPECT_EQ(lb.role, JoinRole::Leader);  // not a follower of another key's fill
  EXPECT_FALSE(lb.permit.collapsed());
  EXPECT_EQ(store.join(a, "/a", loop, nullptr).role, JoinRole::Follower);
  la.permit.setHead(makeHead());
  lb.permit.setHead(makeHead());
  EXPECT_EQ(la.permit.complete(), StoreOutcome::Stored);
  EXPECT_EQ(store.lookup(b), nullptr);
  EXPECT_EQ(lb.permit.complete(), StoreOutcome::Stored);
  EXPECT_EQ(store.lookup(a), nullptr);  // replaced by its KeyId twin
  EXPECT_NE(store.lookup(b), nullptr);
}

// One viewer on a follower loop: wakes, reads and checks its thread.
struct Follower {
  BodyReader reader;
  std::string got;
  int wakes = 0;
  bool done = false;
  bool failed = false;
  bool wrong_thread = false;

  void pull() {
    const ReadStatus s = drain(reader, got);
    if (s == ReadStatus::End) done = true;
    if (s == ReadStatus::Failed) failed = true;
  }
};

// The leader fills on one worker loop; followers on another get every byte, in order, and every
// notification on their own thread.
TEST(CollapseJoin, FollowersOnAnotherLoopAreNotifiedOnTheirOwnThread) {
  CacheStore store(smallStore());
  LoopThread leader_loop;
  LoopThread follower_loop;
  const auto key = makeKey("two-loops");
  FillPermit permit;
  leader_loop.call([&] {
    JoinResult r = store.join(key, "/t", leader_loop.loop(), nullptr);
    ASSERT_EQ(r.role, JoinRole::Leader);
    permit = std::move(r.permit);  // the leader writes its own viewer directly
  });

  std::vector<std::unique_ptr<Follower>> followers;  // touched on the follower thread only
  auto addFollower = [&] {
    follower_loop.call([&] {
      auto f = std::make_unique<Follower>();
      Follower* raw = f.get();
      const std::thread::id expected = follower_loop.id();
      JoinResult r = store.join(key, "/t", follower_loop.loop(), [raw, expected] {
        ++raw->wakes;
        if (std::this_thread::get_id() != expected) raw->wrong_thread = true;
        raw->pull();
      });
      ASSERT_EQ(r.role, JoinRole::Follower);
      raw->reader = std::move(r.reader);
      raw->pull();
      followers.push_back(std::move(f));
    });
  };
  for (int i = 0; i < 3; ++i) addFollower();

  std::string expected;
  leader_loop.call([&] { permit.setHead(makeHead()); });
  for (int i = 0; i < 50; ++i) {
    std::string piece = std::to_string(i) + std::string(500, static_cast<char>('a' + i % 26));
    expected += piece;
    leader_loop.call([&] { permit.append(std::move(piece)); });
    if (i == 25) addFollower();  // joins late: gets bytes 0..25, then the rest
    if (i % 10 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  leader_loop.call([&] { EXPECT_EQ(permit.complete(), StoreOutcome::Stored); });

  bool all_done = false;
  for (int attempt = 0; attempt < 5'000 && !all_done; ++attempt) {
    follower_loop.call([&] {
      all_done = true;
      for (auto& f : followers) all_done = all_done && (f->done || f->failed);
    });
    if (!all_done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_TRUE(all_done);
  follower_loop.call([&] {
    ASSERT_EQ(followers.size(), 4u);
    for (auto& f : followers) {
      EXPECT_TRUE(f->done);
      EXPECT_FALSE(f->failed);
      EXPECT_FALSE(f->wrong_thread);
      EXPECT_GE(f->wakes, 1);
      EXPECT_EQ(f->got, expected);
    }
    followers.clear();  // readers leave on their own thread
  });
  EXPECT_NE(store.lookup(key), nullptr);
  EXPECT_EQ(store.stats().collapsed, 4u);
}

// Followers on one thread subscribe and leave at random while the leader appends on another:
// wake-ups already posted for readers that left must be dropped (run under ASan).
TEST(CollapseJoin, ReadersLeavingDuringAFillFromAnotherThreadAreSafe) {
  CacheStore store(smallStore());
  LoopThread leader_loop;
  LoopThread follower_loop;
  const auto key = makeKey("churn");
  FillPermit permit;
  leader_loop.call([&] {
    JoinResult r = store.join(key, "/c", leader_loop.loop(), nullptr);
    permit = std::move(r.permit);
    permit.setHead(makeHead());
  });
  std::atomic<int> appended{0};
  for (int i = 0; i < 2'000; ++i) {
    leader_loop.post([&] {
      permit.append(std::string(64, 'x'));
      appended.fetch_add(1);
    });
  }
  std::vector<std::unique_ptr<Follower>> live;  // follower thread only
  int followed = 0;                             // follower thread only
  for (int round = 0; round < 200; ++round) {
    follower_loop.call([&] {
      auto f = std::make_unique<Follower>();
      Follower* raw = f.get();
      JoinResult r = store.join(key, "/c", follower_loop.loop(), [raw] { raw->pull(); });
      if (r.role != JoinRole::Follower) return;  // the fill already completed: a hit
      ++followed;
      raw->reader = std::move(r.reader);
      raw->pull();
      live.push_back(std::move(f));
      if (live.size() > 3) live.erase(live.begin());  // the oldest viewer disconnects
    });
  }
  leader_loop.call([&] { EXPECT_EQ(permit.complete(), StoreOutcome::Stored); });
  EXPECT_EQ(appended.load(), 2'000);
  bool done = false;
  for (int attempt = 0; attempt < 5'000 && !done; ++attempt) {
    follower_loop.call([&] {
      done = true;
      for (auto& f : live) done = done && f->done;
    });
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_TRUE(done);
  follower_loop.call([&] {
    EXPECT_GT(followed, 0);
    for (auto& f : live) EXPECT_EQ(f->got.size(), 2'000u * 64);
    live.clear();
  });
}

TEST(CollapseJoin, EnumsHaveNames) {
  EXPECT_EQ(toString(JoinRole::Follower), "follower");
  EXPECT_EQ(toString(FollowerAction::ServeError), "serve-error");
}

}  // namespace
}  // namespace edge::engine
