#include "engine/admin/invalidation_registry.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/engine/admin/fake_cache_invalidator.h"

namespace edge::engine {
namespace {

using testing_admin::FakeCacheInvalidator;
using Outcome = InvalidationRegistry::Outcome;

bool isCloudFrontLikeId(const std::string& id) {
  if (id.size() != 14 || id[0] != 'I') return false;
  for (char c : id) {
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

TEST(InvalidationRegistry, CreatedInvalidatesTheCache) {
  FakeCacheInvalidator cache({"/images/a.jpg", "/images/b.jpg?w=1", "/index.html", "/Images/c"});
  InvalidationRegistry reg(cache, 10, 42);
  const auto s = reg.submit({"ref-1", {"/images/*"}}, 5000);
  EXPECT_EQ(s.outcome, Outcome::Created);
  ASSERT_NE(s.record, nullptr);
  EXPECT_TRUE(isCloudFrontLikeId(s.record->id)) << s.record->id;
  EXPECT_EQ(s.record->create_time_ms, 5000);
  EXPECT_EQ(s.record->objects_invalidated, 2u);
  EXPECT_EQ(s.record->batch, (InvalidationBatch{"ref-1", {"/images/*"}}));
  EXPECT_EQ(cache.objects(), (std::vector<std::string>{"/index.html", "/Images/c"}));
  EXPECT_EQ(cache.lastIssuedAtMs(), 5000);
  EXPECT_EQ(reg.find(s.record->id), s.record);
  EXPECT_EQ(reg.size(), 1u);
}

TEST(InvalidationRegistry, SameReferenceSamePathsReplaysWithoutReRunning) {
  FakeCacheInvalidator cache({"/a", "/b"});
  InvalidationRegistry reg(cache, 10, 42);
  const std::string id = reg.submit({"ref", {"/a", "/b"}}, 1000).record->id;
  const auto again = reg.submit({"ref", {"/b", "/a"}}, 2000);
  EXPECT_EQ(again.outcome, Outcome::Replayed);
  EXPECT_EQ(again.record->id, id);
  EXPECT_EQ(again.record->create_time_ms, 1000);
  EXPECT_EQ(cache.calls(), 1);
  EXPECT_EQ(reg.size(), 1u);
}

TEST(InvalidationRegistry, SameReferenceDifferentPathsConflicts) {
  FakeCacheInvalidator cache;
  InvalidationRegistry reg(cache, 10, 42);
  const std::string id = reg.submit({"ref", {"/a"}}, 1000).record->id;
  const auto clash = reg.submit({"ref", {"/a", "/b"}}, 2000);
  EXPECT_EQ(clash.outcome, Outcome::Conflict);
  EXPECT_EQ(clash.record->id, id);  // the earlier one
  EXPECT_EQ(cache.calls(), 1);
  EXPECT_EQ(reg.size(), 1u);
}

TEST(InvalidationRegistry, RecentIsNewestFirstAndBounded) {
  FakeCacheInvalidator cache;
  InvalidationRegistry reg(cache, 3, 42);
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(reg.submit({"ref-" + std::to_string(i), {"/p"}}, i).record->id);
  }
  EXPECT_EQ(reg.size(), 3u);
  const auto recent = reg.recent(10);
  ASSERT_EQ(recent.size(), 3u);
  EXPECT_EQ(recent[0]->id, ids[4]);
  EXPECT_EQ(recent[1]->id, ids[3]);
  EXPECT_EQ(recent[2]->id, ids[2]);
  EXPECT_EQ(reg.recent(1).size(), 1u);
  // The two oldest are forgotten, their CallerReferences too: reusing one creates a new one.
  EXPECT_EQ(reg.find(ids[0]), nullptr);
  EXPECT_EQ(reg.submit({"ref-0", {"/other"}}, 9).outcome, Outcome::Created);
  // A still-known reference is still deduplicated.
  EXPECT_EQ(reg.submit({"ref-4", {"/other"}}, 9).outcome, Outcome::Conflict);
}

TEST(InvalidationRegistry, IdsAreUnique) {
  FakeCacheInvalidator cache;
  InvalidationRegistry reg(cache, 1000);
  std::set<std::string> ids;
  for (int i = 0; i < 500; ++i) ids.insert(reg.submit({std::to_string(i), {"/x"}}, i).record->id);
  EXPECT_EQ(ids.size(), 500u);
}

TEST(InvalidationRegistry, OutcomeNames) {
  EXPECT_EQ(toString(Outcome::Created), "created");
  EXPECT_EQ(toString(Outcome::Replayed), "replayed");
  EXPECT_EQ(toString(Outcome::Conflict), "conflict");
}

}  // namespace
}  // namespace edge::engine
