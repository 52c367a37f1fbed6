#include "origin/s3/version_id.h"

#include <gtest/gtest.h>

#include <set>

namespace edge::s3 {
namespace {

TEST(VersionId, CarriesItsSeqAndIsUrlSafe) {
  std::set<std::string> seen;
  for (uint64_t seq :
       {0ULL, 1ULL, 2ULL, 3ULL, 1000ULL, 0xffffffffULL, ~0ULL, 0x8000000000000000ULL}) {
    const std::string id = makeVersionId(seq);
    EXPECT_EQ(id.size(), 32u);
    EXPECT_EQ(
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos)
        << id;
    EXPECT_EQ(versionIdSeq(id), seq) << id;
    EXPECT_TRUE(isValidVersionId(id));
    EXPECT_TRUE(seen.insert(id).second);
  }
  // Consecutive seqs do not give look-alike ids (the seq is scrambled, not counted).
  EXPECT_NE(makeVersionId(1).substr(0, 8), makeVersionId(2).substr(0, 8));
  // Two ids for one seq differ in their random part.
  EXPECT_NE(makeVersionId(5), makeVersionId(5));
}

TEST(VersionId, RejectsWhatItCouldNotHaveMade) {
  EXPECT_TRUE(isValidVersionId("null"));
  EXPECT_FALSE(isValidVersionId(""));
  EXPECT_FALSE(isValidVersionId("Null"));
  EXPECT_FALSE(versionIdSeq("null"));
  std::string id = makeVersionId(42);
  EXPECT_FALSE(isValidVersionId(id.substr(1)));
  EXPECT_FALSE(isValidVersionId(id + "A"));
  std::string bad = id;
  bad[5] = '+';
  EXPECT_FALSE(isValidVersionId(bad));
  bad = id;
  bad[20] = '=';
  EXPECT_FALSE(isValidVersionId(bad));
  bad = id;
  bad[0] = 'Q';  // value 16: more than 64 bits
  EXPECT_FALSE(isValidVersionId(bad));
}

}  // namespace
}  // namespace edge::s3
