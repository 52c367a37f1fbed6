#include "origin/s3/s3_conditional.h"

#include <gtest/gtest.h>

namespace edge::s3 {
namespace {

constexpr std::string_view kEtag = "\"5d41402abc4b2a76b9719d911017c592\"";
constexpr int64_t kModified = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr const char* kBefore = "Sun, 06 Nov 1994 08:49:36 GMT";
constexpr const char* kAt = "Sun, 06 Nov 1994 08:49:37 GMT";
constexpr const char* kAfter = "Sun, 06 Nov 1994 08:49:38 GMT";

struct Case {
  const char* name;
  std::optional<std::string_view> if_match, if_none_match, if_modified_since, if_unmodified_since;
  Precondition expected;
};
std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class S3Conditional : public ::testing::TestWithParam<Case> {};

TEST_P(S3Conditional, Precedence) {
  const Case& c = GetParam();
  ConditionalHeaders h{c.if_match, c.if_none_match, c.if_modified_since, c.if_unmodified_since};
  EXPECT_EQ(evaluatePreconditions(h, kEtag, kModified), c.expected);
}

const auto kNone = std::nullopt;
INSTANTIATE_TEST_SUITE_P(
    Table, S3Conditional,
    ::testing::Values(
        Case{"none", kNone, kNone, kNone, kNone, Precondition::Proceed},
        Case{"if-match hit", kEtag, kNone, kNone, kNone, Precondition::Proceed},
        Case{"if-match star", "*", kNone, kNone, kNone, Precondition::Proceed},
        Case{"if-match unquoted", "5d41402abc4b2a76b9719d911017c592", kNone, kNone, kNone, Precondition::Proceed},
        Case{"if-match list", "\"x\", " "\"5d41402abc4b2a76b9719d911017c592\"", kNone, kNone, kNone,
             Precondition::Proceed},
        Case{"if-match miss", "\"other\"", kNone, kNone, kNone, Precondition::Failed},
        Case{"if-match weak is not strong", "W/\"5d41402abc4b2a76b9719d911017c592\"", kNone, kNone, kNone,
             Precondition::Failed},
        Case{"ius modified after", kNone, kNone, kNone, kBefore, Precondition::Failed},
        Case{"ius same second", kNone, kNone, kNone, kAt, Precondition::Proceed},
        Case{"ius invalid ignored", kNone, kNone, kNone, "yesterday", Precondition::Proceed},
        // S3: If-Match true and If-Unmodified-Since false → 200.
        Case{"if-match true beats ius false", kEtag, kNone, kNone, kBefore, Precondition::Proceed},
        Case{"if-match false with ius true", "\"x\"", kNone, kNone, kAfter, Precondition::Failed},
        Case{"inm hit", kNone, kEtag, kNone, kNone, Precondition::NotModified},
        Case{"inm weak hit", kNone, "W/\"5d41402abc4b2a76b9719d911017c592\"", kNone, kNone,
             Precondition::NotModified},
        Case{"inm star", kNone, "*", kNone, kNone, Precondition::NotModified},
        Case{"inm miss", kNone, "\"x\"", kNone, kNone, Precondition::Proceed},
        // S3: If-None-Match false and If-Modified-Since true → 304.
        Case{"inm false beats ims true", kNone, kEtag, kBefore, kNone, Precondition::NotModified},
        // RFC 9110 §13.1.3: If-None-Match present → If-Modified-Since ignored.
        Case{"inm true ignores ims", kNone, "\"x\"", kAfter, kNone, Precondition::Proceed},
        Case{"ims not modified", kNone, kNone, kAt, kNone, Precondition::NotModified},
        Case{"ims later", kNone, kNone, kAfter, kNone, Precondition::NotModified},
        Case{"ims modified", kNone, kNone, kBefore, kNone, Precondition::Proceed},
        Case{"ims invalid ignored", kNone, kNone, "garbage", kNone, Precondition::Proceed},
        Case{"412 wins over 304", "\"x\"", kEtag, kNone, kNone, Precondition::Failed},
        Case{"ius fail wins over ims", kNone, kNone, kAt, kBefore, Precondition::Failed}));

TEST(S3Conditional, ReadsHeaderSets) {
  policies::HeaderList h{{"If-Match", "\"a\""}, {"x-amz-copy-source-if-none-match", "\"b\""}};
  EXPECT_EQ(requestConditionals(h).if_match, "\"a\"");
  EXPECT_FALSE(requestConditionals(h).if_none_match);
  EXPECT_EQ(copySourceConditionals(h).if_none_match, "\"b\"");
  EXPECT_FALSE(copySourceConditionals(h).if_match);
}

TEST(S3Conditional, NamesFailedCondition) {
  EXPECT_EQ(failedCondition({"\"x\"", {}, {}, {}}, kEtag), "If-Match");
  EXPECT_EQ(failedCondition({{}, {}, {}, kBefore}, kEtag), "If-Unmodified-Since");
}

}  // namespace
}  // namespace edge::s3
