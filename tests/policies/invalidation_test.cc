#include "policies/invalidation.h"

#include <gtest/gtest.h>

#include <string>

namespace edge::policies {
namespace {

struct MatchRow {
  const char* pattern;
  const char* path;
  bool matches;
};
std::ostream& operator<<(std::ostream& os, const MatchRow& r) {
  return os << r.pattern << " vs " << r.path;
}

class InvalidationMatch : public testing::TestWithParam<MatchRow> {};
TEST_P(InvalidationMatch, Matches) {
  EXPECT_EQ(invalidationMatches(GetParam().pattern, GetParam().path), GetParam().matches);
}
const MatchRow kMatchRows[] = {
    {"/images/a.jpg", "/images/a.jpg", true},
    {"/images/a.jpg", "/images/A.jpg", false},          // case-sensitive
    {"/images/a.jpg", "/images/a.jpg?size=1", false},   // no '*': only the query-less object
    {"/images/a.jpg", "/images/a.jpg/", false},
    {"/images/a.jpg", "/images/a.jp", false},
    {"/images/*", "/images/a.jpg", true},
    {"/images/*", "/images/2026/11/a.jpg", true},       // '*' crosses '/'
    {"/images/*", "/images/a.jpg?x=1", true},           // and the query
    {"/images/*", "/images/", true},
    {"/images/*", "/images", false},
    {"/images/*", "/Images/a.jpg", false},
    {"/images*", "/images", true},
    {"/images*", "/images-old/a", true},
    {"/logo.*", "/logo.png", true},
    {"/logo.*", "/logo", false},
    {"/*", "/", true},
    {"/*", "/anything/at/all?q", true},
    {"/img.jpg?a=1", "/img.jpg?a=1", true},
    {"/img.jpg?a=1", "/img.jpg?a=1&b=2", false},
    {"/img.jpg*", "/img.jpg?a=1", true},
    {"/img.jpg*", "/img.jpg", true},
    {"/a%20b", "/a%20b", true},                         // byte-exact: no decoding
    {"/a%20b", "/a b", false},
    {"/a~b", "/a%7Eb", false},
};
INSTANTIATE_TEST_SUITE_P(Invalidation, InvalidationMatch, testing::ValuesIn(kMatchRows));

struct PathRow {
  std::string path;
  std::optional<InvalidationPathError> error;
};
std::ostream& operator<<(std::ostream& os, const PathRow& r) { return os << r.path; }

class InvalidationPath : public testing::TestWithParam<PathRow> {};
TEST_P(InvalidationPath, Validates) {
  EXPECT_EQ(checkInvalidationPath(GetParam().path), GetParam().error);
}
using E = InvalidationPathError;
const PathRow kPathRows[] = {
    {"/images/a.jpg", std::nullopt},
    {"/*", std::nullopt},
    {"/images*", std::nullopt},
    {"/img.jpg?a=1&b=2", std::nullopt},
    {"/a%20b%2F", std::nullopt},
    {"/a~b_c-d.e!$&'()+,;=:@", std::nullopt},
    {"/" + std::string(3999, 'a'), std::nullopt},
    {"/" + std::string(4000, 'a'), E::TooLong},
    {"", E::Empty},
    {"images/a.jpg", E::MissingLeadingSlash},
    {"*", E::MissingLeadingSlash},
    {"/images/*/a.jpg", E::WildcardNotLast},
    {"/**", E::WildcardNotLast},
    {"/a b", E::UnencodedCharacter},
    {"/caf\xc3\xa9", E::UnencodedCharacter},
    {"/a\tb", E::UnencodedCharacter},
    {"/a\x7f", E::UnencodedCharacter},
    {"/a%2", E::BadPercentEncoding},
    {"/a%zz", E::BadPercentEncoding},
    {"/a%", E::BadPercentEncoding},
};
INSTANTIATE_TEST_SUITE_P(Invalidation, InvalidationPath, testing::ValuesIn(kPathRows));

TEST(Invalidation, WildcardPathsCountSeparately) {
  EXPECT_TRUE(isWildcardInvalidationPath("/images/*"));
  EXPECT_TRUE(isWildcardInvalidationPath("/*"));
  EXPECT_FALSE(isWildcardInvalidationPath("/images/a.jpg"));
  EXPECT_FALSE(isWildcardInvalidationPath(""));
  EXPECT_EQ(toString(InvalidationPathError::WildcardNotLast),
            "'*' is only allowed as the last character");
}

}  // namespace
}  // namespace edge::policies
