// persist() runs on worker threads: concurrent writes to one key must each persist whole, get
// distinct seqs, and publish (in either order) to the higher seq as current.
#include <gtest/gtest.h>

#include <barrier>
#include <filesystem>
#include <set>
#include <thread>

#include "origin/s3/object_store.h"
#include "tests/origin/s3/store_test_util.h"

namespace edge::s3 {
namespace {

namespace fs = std::filesystem;
using testing::md5Hex;
using testing::openStore;
using testing::readFileOrEmpty;
using testing::TempDir;

struct Race {
  PersistedVersion a, b;
  std::string body_a, body_b;
};

// Two uploads of one key, begun on this (owner) thread and persisted by two threads at once.
Race persistConcurrently(ObjectStore& store, const std::string& bucket, const std::string& key) {
  Race race;
  race.body_a = std::string(300'000, 'a');
  race.body_b = std::string(200'000, 'b');
  auto ua = store.beginUpload(bucket, key);
  auto ub = store.beginUpload(bucket, key);
  EXPECT_TRUE(ua && ub);
  if (!ua || !ub) return race;
  std::barrier sync(2);
  tl::expected<PersistedVersion, StoreError> ra = tl::unexpected(StoreError::InternalError);
  tl::expected<PersistedVersion, StoreError> rb = tl::unexpected(StoreError::InternalError);
  const auto worker = [&sync, &store](UploadPtr up, const std::string& body,
                                      tl::expected<PersistedVersion, StoreError>& result) {
    sync.arrive_and_wait();
    for (size_t off = 0; off < body.size(); off += 10'000) up->write(body.data() + off, 10'000);
    result = store.persist(std::move(up), {{"x-amz-meta-who", body.substr(0, 1)}});
  };
  std::thread ta(worker, std::move(*ua), std::cref(race.body_a), std::ref(ra));
  std::thread tb(worker, std::move(*ub), std::cref(race.body_b), std::ref(rb));
  ta.join();
  tb.join();
  EXPECT_TRUE(ra && rb);
  if (!ra || !rb) return race;
  race.a = std::move(*ra);
  race.b = std::move(*rb);
  EXPECT_NE(race.a.version.seq, race.b.version.seq);
  // Both files whole before either is published.
  EXPECT_EQ(readFileOrEmpty(race.a.version.data_path), race.body_a);
  EXPECT_EQ(readFileOrEmpty(race.b.version.data_path), race.body_b);
  EXPECT_EQ(race.a.version.etag, "\"" + md5Hex(race.body_a) + "\"");
  EXPECT_EQ(race.b.version.etag, "\"" + md5Hex(race.body_b) + "\"");
  return race;
}

class ConcurrencyTest : public ::testing::TestWithParam<std::tuple<bool, bool>> {};

TEST_P(ConcurrencyTest, HigherSeqWinsWhicheverPublishesFirst) {
  const auto [versioned, newer_first] = GetParam();
  TempDir dir;
  auto store = openStore(dir.path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->createBucket("race"));
  if (versioned) {
    ASSERT_TRUE(store->setVersioning("race", Versioning::Enabled));
  }
  Race race = persistConcurrently(*store, "race", "k");
  if (::testing::Test::HasFailure()) return;
  const bool a_newer = race.a.version.seq > race.b.version.seq;
  PersistedVersion& winner = a_newer ? race.a : race.b;
  PersistedVersion& loser = a_newer ? race.b : race.a;
  const std::string winner_body = a_newer ? race.body_a : race.body_b;
  const std::string winner_path = winner.version.data_path;
  const std::string loser_path = loser.version.data_path;
  const std::string loser_id = loser.version.version_id;
  ObjectVersion pw, pl;
  if (newer_first) {
    pw = store->publish(std::move(winner));
    pl = store->publish(std::move(loser));
  } else {
    pl = store->publish(std::move(loser));
    pw = store->publish(std::move(winner));
  }
  EXPECT_TRUE(pw.is_latest);
  EXPECT_EQ(pl.is_latest, !newer_first) << "current when published, until the newer one lands";
  for (int reopened = 0; reopened < 2; ++reopened) {
    auto cur = store->lookup("race", "k", std::nullopt);
    ASSERT_TRUE(cur);
    EXPECT_EQ(readFileOrEmpty(cur->data_path), winner_body);
    auto vs = store->listVersions("race", {});
    ASSERT_TRUE(vs);
    if (versioned) {
      ASSERT_EQ(vs->versions.size(), 2u);
      EXPECT_EQ(vs->versions[1].version_id, loser_id);
      EXPECT_FALSE(vs->versions[1].is_latest);
      EXPECT_TRUE(fs::exists(loser_path));
    } else {
      ASSERT_EQ(vs->versions.size(), 1u);
      EXPECT_FALSE(fs::exists(loser_path)) << "the losing null version stays on disk";
    }
    store.reset();
    store = openStore(dir.path());
    ASSERT_TRUE(store);
  }
}

INSTANTIATE_TEST_SUITE_P(ObjectStore, ConcurrencyTest,
                         ::testing::Combine(::testing::Bool(), ::testing::Bool()),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param) ? "Enabled" : "Unversioned") +
                                  (std::get<1>(info.param) ? "_NewerPublishedFirst"
                                                           : "_OlderPublishedFirst");
                         });

TEST(ObjectStoreConcurrency, ManyThreadsGetDistinctSeqs) {
  TempDir dir;
  auto store = openStore(dir.path());
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->createBucket("many"));
  ASSERT_TRUE(store->setVersioning("many", Versioning::Enabled));
  constexpr int kThreads = 4, kEach = 10;
  std::vector<UploadPtr> uploads;
  for (int i = 0; i < kThreads * kEach; ++i) {
    auto up = store->beginUpload("many", "k" + std::to_string(i % 3));
    ASSERT_TRUE(up);
    ASSERT_TRUE((*up)->write("x", 1));
    uploads.push_back(std::move(*up));
  }
  std::vector<std::vector<PersistedVersion>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto p = store->persist(std::move(uploads[static_cast<size_t>(t * kEach + i)]), {});
        if (p) results[static_cast<size_t>(t)].push_back(std::move(*p));
      }
    });
  }
  for (std::thread& th : threads) th.join();
  std::set<uint64_t> seqs;
  std::set<std::string> ids;
  for (auto& per_thread : results) {
    ASSERT_EQ(per_thread.size(), static_cast<size_t>(kEach));
    for (PersistedVersion& p : per_thread) {
      seqs.insert(p.version.seq);
      ids.insert(p.version.version_id);
      store->publish(std::move(p));
    }
  }
  EXPECT_EQ(seqs.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kEach));
  auto vs = store->listVersions("many", {});
  ASSERT_TRUE(vs);
  EXPECT_EQ(vs->versions.size(), static_cast<size_t>(kThreads * kEach));
  // Each key's current version is its highest seq.
  for (size_t i = 1; i < vs->versions.size(); ++i) {
    if (vs->versions[i].key == vs->versions[i - 1].key) {
      EXPECT_LT(vs->versions[i].seq, vs->versions[i - 1].seq);
    }
  }
}

TEST(ObjectStoreConcurrency, ForeignUploadIsRefused) {
  TempDir d1, d2;
  auto s1 = openStore(d1.path());
  auto s2 = openStore(d2.path());
  ASSERT_TRUE(s1 && s2);
  ASSERT_TRUE(s1->createBucket("bucket1"));
  auto up = s1->beginUpload("bucket1", "k");
  ASSERT_TRUE(up);
  EXPECT_EQ(s2->persist(std::move(*up), {}).error(), StoreError::InternalError);
  EXPECT_EQ(s1->persist(nullptr, {}).error(), StoreError::InternalError);
}

}  // namespace
}  // namespace edge::s3
