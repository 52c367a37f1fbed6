#include "engine/admin/cache_invalidator.h"

#include <gtest/gtest.h>

namespace edge::engine {
namespace {

struct MatchRow {
  std::vector<std::string> paths;
  const char* object;  // CacheKeyParts::pathAndQuery()
  bool matches;
};
std::ostream& operator<<(std::ostream& os, const MatchRow& r) {
  for (const auto& p : r.paths) os << p << ' ';
  return os << "vs " << r.object;
}

class InvalidationMatcherRows : public ::testing::TestWithParam<MatchRow> {};
TEST_P(InvalidationMatcherRows, Matches) {
  const InvalidationMatcher m(GetParam().paths, 0);
  EXPECT_EQ(m.matches(GetParam().object), GetParam().matches);
}
INSTANTIATE_TEST_SUITE_P(
    Rows, InvalidationMatcherRows,
    ::testing::Values(MatchRow{{"/a.jpg"}, "/a.jpg", true},
                      MatchRow{{"/a.jpg"}, "/A.jpg", false},         // case-sensitive (§8)
                      MatchRow{{"/a.jpg"}, "/a.jpg?x=1", false},     // no '*': query-less only
                      MatchRow{{"/a.jpg?x=1"}, "/a.jpg?x=1", true},  // the exact keyed query
                      MatchRow{{"/a.jpg*"}, "/a.jpg?x=1", true},     // all query variants
                      MatchRow{{"/images/*"}, "/images/2026/a.png", true},
                      MatchRow{{"/images/*"}, "/images", false},
                      MatchRow{{"/images*"}, "/images", true}, MatchRow{{"/*"}, "/", true},
                      MatchRow{{"/x", "/y", "/img/*"}, "/y", true},
                      MatchRow{{"/x", "/y", "/img/*"}, "/img/1", true},
                      MatchRow{{"/x", "/y", "/img/*"}, "/z", false}));

TEST(InvalidationMatcher, KeepsIssueTimeAndCounts) {
  const InvalidationMatcher m({"/a", "/b*", "/a"}, 1234);
  EXPECT_EQ(m.issuedAtMs(), 1234);
  EXPECT_EQ(m.pathCount(), 2u);  // the duplicate exact path is one entry
}

TEST(InvalidationMatcher, NullInvalidatorRemovesNothing) {
  NullCacheInvalidator none;
  EXPECT_EQ(none.invalidate(InvalidationMatcher({"/*"}, 0)), 0u);
}

}  // namespace
}  // namespace edge::engine
