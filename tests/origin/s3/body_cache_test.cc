// BodyCache: small objects' bytes read once and served from memory, least recently used evicted
// past the budget, files that cannot be read whole refused.
#include "origin/s3/body_cache.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace edge::s3 {
namespace {

class BodyCacheTest : public ::testing::Test {
 protected:
  BodyCacheTest() {
    char tmpl[] = "/tmp/edged-body-cache-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
  }
  ~BodyCacheTest() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  std::string dir_;
};

TEST_F(BodyCacheTest, ReadsOnceThenServesFromMemory) {
  BodyCache cache(100, 1000);
  const std::string path = write("a", std::string(100, 'a'));
  auto first = cache.get(path, 100);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, std::string(100, 'a'));
  std::filesystem::remove(path);  // served from memory from now on
  auto again = cache.get(path, 100);
  ASSERT_TRUE(again);
  EXPECT_EQ(again.get(), first.get());
  EXPECT_EQ(cache.bytes(), 100u);
  EXPECT_TRUE(cache.eligible(100));
  EXPECT_FALSE(cache.eligible(101));
  EXPECT_FALSE(cache.eligible(0));
}

TEST_F(BodyCacheTest, EvictsLeastRecentlyUsedPastTheBudget) {
  BodyCache cache(100, 250);
  const std::string a = write("a", std::string(100, 'a'));
  const std::string b = write("b", std::string(100, 'b'));
  const std::string c = write("c", std::string(100, 'c'));
  ASSERT_TRUE(cache.get(a, 100));
  ASSERT_TRUE(cache.get(b, 100));
  ASSERT_TRUE(cache.get(a, 100));  // a is now the most recent
  ASSERT_TRUE(cache.get(c, 100));  // over 250: b goes
  EXPECT_EQ(cache.entries(), 2u);
  EXPECT_EQ(cache.bytes(), 200u);
  std::filesystem::remove(a);
  std::filesystem::remove(b);
  EXPECT_TRUE(cache.get(a, 100));   // still in memory
  EXPECT_FALSE(cache.get(b, 100));  // evicted, and its file is gone
}

TEST_F(BodyCacheTest, RefusesMissingAndShortFiles) {
  BodyCache cache(100, 1000);
  EXPECT_FALSE(cache.get(dir_ + "/missing", 10));
  const std::string shorter = write("short", "abc");
  EXPECT_FALSE(cache.get(shorter, 10));  // the metadata says 10 bytes, the file has 3
  EXPECT_EQ(cache.entries(), 0u);
}

}  // namespace
}  // namespace edge::s3
