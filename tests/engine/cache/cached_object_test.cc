#include "engine/cache/cached_object.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/cache/cache_store.h"
#include "tests/engine/cache/cache_test_util.h"

namespace edge::engine {
namespace {

using cachetest::chunk;
using cachetest::drain;
using cachetest::makeHead;
using cachetest::makeKey;
using cachetest::runFor;
using cachetest::runUntil;

CacheStoreOptions oneShard(uint64_t max_object = 1 << 20) {
  CacheStoreOptions o;
  o.memory_bytes = 16 << 20;
  o.max_object_bytes = max_object;
  o.shards = 1;
  return o;
}

TEST(CachedObject, CompleteObjectIsReadWithoutCopyingItsChunks) {
  auto a = chunk("hello ");
  auto b = chunk("world");
  auto obj = CachedObject::makeComplete(makeKey("k"), "/k", makeHead(), {a, b});
  EXPECT_EQ(obj->state(), FillState::Complete);
  EXPECT_EQ(obj->bodyBytes(), 11u);
  ASSERT_EQ(obj->body().size(), 2u);

  BodyReader r(obj);
  EXPECT_EQ(obj->readerCount(), 0u);  // a hit subscribes to nothing
  std::vector<BodyChunk> out;
  EXPECT_EQ(r.read(out), ReadStatus::End);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].get(), a.get());  // the very same buffers
  EXPECT_EQ(out[1].get(), b.get());
  EXPECT_EQ(r.bytesRead(), 11u);
  out.clear();
  EXPECT_EQ(r.read(out), ReadStatus::End);
  EXPECT_TRUE(out.empty());
}

TEST(CachedObject, ReaderPullsAtItsOwnPace) {
  auto obj = CachedObject::makeComplete(makeKey("k"), "/k", makeHead(),
                                        {chunk("aa"), chunk("bb"), chunk("cc")});
  BodyReader r(obj);
  std::vector<BodyChunk> out;
  EXPECT_EQ(r.read(out, 1), ReadStatus::Data);  // at least one chunk, then stops at max_bytes
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(r.read(out, 1), ReadStatus::Data);
  EXPECT_EQ(r.read(out, 1), ReadStatus::End);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(*out[2], "cc");
}

TEST(CachedObject, ChargeCountsBodyHeadersKeyAndOverhead) {
  auto obj = CachedObject::makeComplete(makeKey("key"), "/p", makeHead(), {chunk("12345")});
  uint64_t headers = 0;
  for (const auto& h : obj->headers()) {
    headers += h.name.size() + h.value.size() + CachedObject::kHeaderOverhead;
  }
  EXPECT_EQ(obj->charge(),
            5 + headers + 3 + 2 + CachedObject::kChunkOverhead + CachedObject::kEntryOverhead);
}

TEST(CachedObject, RefreshedObjectSharesTheBody) {
  auto old = CachedObject::makeComplete(makeKey("k"), "/k", makeHead(200, 10), {chunk("body")});
  ObjectHead h = makeHead(200, 99);
  h.headers.set("ETag", "\"v2\"");
  auto fresh = CachedObject::makeRefreshed(*old, std::move(h));
  EXPECT_TRUE(fresh->complete());
  EXPECT_EQ(fresh->freshness().stored_at, 99);
  EXPECT_EQ(fresh->headers().get("ETag"), "\"v2\"");
  EXPECT_EQ(fresh->keyText(), "k");
  EXPECT_EQ(fresh->path(), "/k");
  ASSERT_EQ(fresh->body().size(), 1u);
  EXPECT_EQ(fresh->body()[0].get(), old->body()[0].get());
}

TEST(CachedObject, LateReaderGetsTheBytesSoFarThenTheRestInOrder) {
  CacheStore store(oneShard());
  Loop loop;
  const auto key = makeKey("late");
  JoinResult lead = store.join(key, "/late", loop, nullptr);
  ASSERT_EQ(lead.role, JoinRole::Leader);
  lead.reader.reset();  // the leader writes its viewer directly in this test
  lead.permit.setHead(makeHead());
  lead.permit.append(std::string_view("one,"));
  lead.permit.append(std::string("two,"));

  int wakes = 0;
  JoinResult late = store.join(key, "/late", loop, [&] { ++wakes; });
  ASSERT_EQ(late.role, JoinRole::Follower);
  std::string got;
  EXPECT_EQ(drain(late.reader, got), ReadStatus::Wait);
  EXPECT_EQ(got, "one,two,");

  lead.permit.append(chunk("three,"));
  lead.permit.append(chunk("four"));
  EXPECT_EQ(lead.permit.complete(), StoreOutcome::Stored);
  ASSERT_TRUE(runUntil(loop, [&] { return wakes > 0; }));
  EXPECT_EQ(drain(late.reader, got), ReadStatus::End);
  EXPECT_EQ(got, "one,two,three,four");
  EXPECT_EQ(late.reader.bytesRead(), got.size());
}

TEST(CachedObject, FollowerWaitsForTheHead) {
  CacheStore store(oneShard());
  Loop loop;
  const auto key = makeKey("head");
  JoinResult lead = store.join(key, "/head", loop, nullptr);
  int wakes = 0;
  JoinResult f = store.join(key, "/head", loop, [&] { ++wakes; });
  ASSERT_EQ(f.role, JoinRole::Follower);
  EXPECT_FALSE(f.reader.object()->hasHead());
  std::vector<BodyChunk> out;
  EXPECT_EQ(f.reader.read(out), ReadStatus::Wait);

  lead.permit.setHead(makeHead(203));
  ASSERT_TRUE(runUntil(loop, [&] { return wakes == 1; }));
  ASSERT_TRUE(f.reader.object()->hasHead());
  EXPECT_EQ(f.reader.object()->status(), 203);
  EXPECT_EQ(f.reader.read(out), ReadStatus::Wait);  // head, no body yet
}

TEST(CachedObject, WakeupsAreCoalescedWhileOneIsPending) {
  CacheStore store(oneShard());
  Loop loop;
  const auto key = makeKey("coalesce");
  JoinResult lead = store.join(key, "/c", loop, nullptr);
  int wakes = 0;
  std::string got;
  JoinResult f = store.join(key, "/c", loop, [&] { ++wakes; });
  lead.permit.setHead(makeHead());
  for (int i = 0; i < 100; ++i) lead.permit.append(std::to_string(i % 10));
  runFor(loop, 20);
  EXPECT_EQ(wakes, 1);  // one wake-up for the whole burst: the reader pulls everything
  EXPECT_EQ(drain(f.reader, got), ReadStatus::Wait);
  EXPECT_EQ(got.size(), 100u);

  lead.permit.append(std::string_view("x"));  // the pending flag was cleared: a new wake-up
  ASSERT_TRUE(runUntil(loop, [&] { return wakes == 2; }));
  EXPECT_EQ(lead.permit.complete(), StoreOutcome::Stored);
}

// The reader goes away while a wake-up for it is already posted: the posted task must not call
// into it (ASan reports a use-after-free of `Viewer` if it does).
TEST(CachedObject, ReaderThatLeavesIsNeverWokenAgain) {
  CacheStore store(oneShard());
  Loop loop;
  const auto key = makeKey("gone");
  JoinResult lead = store.join(key, "/gone", loop, nullptr);
  struct Viewer {
    BodyReader reader;
    int wakes = 0;
  };
  auto viewer = std::make_unique<Viewer>();
  Viewer* raw = viewer.get();
  JoinResult f = store.join(key, "/gone", loop, [raw] { ++raw->wakes; });
  viewer->reader = std::move(f.reader);
  EXPECT_EQ(lead.permit.object()->readerCount(), 2u);  // the leader's reader and this one

  lead.permit.setHead(makeHead());  // posts a wake-up for both readers
  lead.permit.append(std::string_view("abc"));
  viewer.reset();  // unsubscribes with the wake-up still queued
  EXPECT_EQ(lead.permit.object()->readerCount(), 1u);
  lead.permit.append(std::string_view("def"));  // nothing is posted for it any more
  runFor(loop, 20);
  EXPECT_EQ(lead.permit.complete(), StoreOutcome::Stored);
  runFor(loop, 5);
}

TEST(CachedObject, AbandonedFillFailsItsReadersAndDropsItsChunks) {
  CacheStore store(oneShard());
  Loop loop;
  const auto key = makeKey("fail");
  JoinResult lead = store.join(key, "/f", loop, nullptr);
  int wakes = 0;
  JoinResult f = store.join(key, "/f", loop, [&] { ++wakes; });
  lead.permit.setHead(makeHead());
  lead.permit.append(std::string_view("partial"));
  std::string got;
  EXPECT_EQ(drain(f.reader, got), ReadStatus::Wait);
  CachedObjectPtr obj = lead.permit.object();
  lead.permit.abandon(FillFailure::Truncated);
  EXPECT_FALSE(lead.permit);
  EXPECT_TRUE(obj->failed());
  EXPECT_EQ(obj->failure(), FillFailure::Truncated);
  EXPECT_EQ(obj->retainedBytes(), 0u);
  ASSERT_TRUE(runUntil(loop, [&] { return wakes > 0; }));
  EXPECT_EQ(drain(f.reader, got), ReadStatus::Failed);
  // Calls after the end are ignored.
  lead.permit.append(std::string_view("more"));
  EXPECT_EQ(lead.permit.complete(), StoreOutcome::NotComplete);
}

TEST(CachedObject, PermitDroppedUnfinishedAbandonsAsLeaderGone) {
  CacheStore store(oneShard());
  Loop loop;
  const auto key = makeKey("drop");
  CachedObjectPtr obj;
  JoinResult f;
  {
    JoinResult lead = store.join(key, "/d", loop, nullptr);
    obj = lead.permit.object();
    f = store.join(key, "/d", loop, nullptr);
    ASSERT_EQ(f.role, JoinRole::Follower);
  }
  EXPECT_TRUE(obj->failed());
  EXPECT_EQ(obj->failure(), FillFailure::LeaderGone);
  std::vector<BodyChunk> out;
  EXPECT_EQ(f.reader.read(out), ReadStatus::Failed);
  EXPECT_EQ(store.stats().fill_failures, 1u);
  EXPECT_EQ(store.stats().fills_inflight, 0u);
}

TEST(CachedObject, CompleteWithoutAHeadIsAFailure) {
  CacheStore store(oneShard());
  Loop loop;
  JoinResult lead = store.join(makeKey("nohead"), "/n", loop, nullptr);
  CachedObjectPtr obj = lead.permit.object();
  EXPECT_EQ(lead.permit.complete(), StoreOutcome::NotComplete);
  EXPECT_TRUE(obj->failed());
  EXPECT_EQ(obj->failure(), FillFailure::Truncated);
}

// A fill over the max object size keeps streaming but holds only what some reader has not read.
TEST(CachedObject, StreamingOnlyFillReleasesWhatEveryReaderHasRead) {
  CacheStore store(oneShard(/*max_object=*/100));
  Loop loop;
  const auto key = makeKey("big");
  JoinResult lead = store.join(key, "/big", loop, nullptr);
  JoinResult f = store.join(key, "/big", loop, nullptr);
  ASSERT_EQ(f.role, JoinRole::Follower);
  lead.permit.setHead(makeHead());
  const std::string piece(60, 'x');
  lead.permit.append(std::string_view(piece));
  EXPECT_TRUE(lead.permit.storing());
  lead.permit.append(std::string_view(piece));  // 120 > 100
  EXPECT_FALSE(lead.permit.storing());
  CachedObjectPtr obj = lead.permit.object();
  EXPECT_TRUE(obj->streamingOnly());
  EXPECT_EQ(obj->retainedBytes(), 120u);  // nobody has read anything yet

  std::string leader_got, follower_got;
  EXPECT_EQ(drain(lead.reader, leader_got), ReadStatus::Wait);
  EXPECT_EQ(obj->retainedBytes(), 120u);  // the follower has not read them
  EXPECT_EQ(drain(f.reader, follower_got), ReadStatus::Wait);
  EXPECT_EQ(obj->retainedBytes(), 0u);

  lead.permit.append(std::string_view(piece));
  EXPECT_EQ(drain(f.reader, follower_got), ReadStatus::Wait);
  EXPECT_EQ(obj->retainedBytes(), 60u);  // still unread by the leader's reader
  lead.reader.reset();                   // the slowest reader leaves
  EXPECT_EQ(obj->retainedBytes(), 0u);

  EXPECT_EQ(lead.permit.complete(), StoreOutcome::TooLarge);
  EXPECT_EQ(drain(f.reader, follower_got), ReadStatus::End);
  EXPECT_EQ(follower_got, piece + piece + piece);
  EXPECT_EQ(leader_got, piece + piece);
  runFor(loop, 5);
}

TEST(CachedObject, StreamingOnlyFillWithoutReadersKeepsNothing) {
  CacheStore store(oneShard(/*max_object=*/10));
  Loop loop;
  JoinResult lead = store.join(makeKey("nobody"), "/n", loop, nullptr);
  lead.reader.reset();
  lead.permit.setHead(makeHead(), /*declared_length=*/1'000'000);
  EXPECT_FALSE(lead.permit.storing());
  EXPECT_EQ(lead.permit.object()->readerCount(), 0u);
  for (int i = 0; i < 1'000; ++i) lead.permit.append(std::string(1'000, 'z'));
  EXPECT_EQ(lead.permit.object()->retainedBytes(), 0u);
  EXPECT_EQ(lead.permit.object()->bodyBytes(), 1'000'000u);
  EXPECT_EQ(lead.permit.complete(), StoreOutcome::TooLarge);
}

TEST(CachedObject, EnumsHaveNames) {
  EXPECT_EQ(toString(FillState::AwaitingHead), "awaiting-head");
  EXPECT_EQ(toString(FillFailure::LeaderGone), "leader-gone");
  EXPECT_EQ(toString(ReadStatus::Wait), "wait");
  EXPECT_EQ(toString(StoreOutcome::TooLarge), "too-large");
}

}  // namespace
}  // namespace edge::engine
