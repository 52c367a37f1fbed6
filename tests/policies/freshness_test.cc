#include "policies/freshness.h"

#include <gtest/gtest.h>

namespace edge::policies {
namespace {

StoredFreshness meta(int64_t ttl, int64_t swr = 0, bool validators = true) {
  StoredFreshness m;
  m.stored_at = 1000;
  m.ttl = ttl;
  m.stale_while_revalidate = swr;
  m.has_validators = validators;
  return m;
}

struct UsabilityRow {
  const char* name;
  StoredFreshness meta;
  int64_t now;
  CacheEntryUsability expected;
};
std::ostream& operator<<(std::ostream& os, const UsabilityRow& r) { return os << r.name; }

class EvaluateFreshness : public testing::TestWithParam<UsabilityRow> {};
TEST_P(EvaluateFreshness, Decides) {
  EXPECT_EQ(evaluateFreshness(GetParam().meta, GetParam().now), GetParam().expected)
      << GetParam().meta;
}

StoredFreshness withOriginAge(StoredFreshness m, int64_t age) {
  m.age_at_store = age;
  return m;
}
StoredFreshness unconditional(StoredFreshness m) {
  m.conditional_revalidation = false;
  return m;
}

using U = Usability;
const UsabilityRow kRows[] = {
    {"FreshAtStore", meta(100), 1000, {U::Fresh, 0}},
    {"FreshLastSecond", meta(100), 1099, {U::Fresh, 99}},
    {"StaleAtTtl", meta(100), 1100, {U::MustRevalidate, 100}},
    {"SwrWindowStartsAtExpiry", meta(100, 30), 1100, {U::StaleWhileRevalidate, 100}},
    {"SwrWindowLastSecond", meta(100, 30), 1129, {U::StaleWhileRevalidate, 129}},
    {"AfterSwrWindowRevalidate", meta(100, 30), 1130, {U::MustRevalidate, 130}},
    {"NoValidatorsExpired", meta(100, 0, false), 1200, {U::Expired, 200}},
    {"VaryStarOrCookiesExpired", unconditional(meta(100)), 1200, {U::Expired, 200}},
    {"TtlZeroNeverFresh", meta(0), 1000, {U::MustRevalidate, 0}},
    {"TtlZeroWithSwr", meta(0, 10), 1005, {U::StaleWhileRevalidate, 5}},
    // §3.2 step 5: freshness counts from receipt; the origin's Age only adds to the Age header.
    {"OriginAgeDoesNotShortenFreshness", withOriginAge(meta(100), 5000), 1050, {U::Fresh, 5050}},
    {"OriginAgeAddsToAge", withOriginAge(meta(100), 7), 1200, {U::MustRevalidate, 207}},
    // A clock that stepped back: 0 s resident.
    {"ClockBehindStore", withOriginAge(meta(100), 3), 900, {U::Fresh, 3}},
};
INSTANTIATE_TEST_SUITE_P(Freshness, EvaluateFreshness, testing::ValuesIn(kRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Freshness, CurrentAgeSection3_9) {
  StoredFreshness m = meta(100);
  m.age_at_store = 20;
  EXPECT_EQ(currentAge(m, 1000), 20);
  EXPECT_EQ(currentAge(m, 1213), 233);
  EXPECT_EQ(currentAge(m, 10), 20);
}

TEST(Freshness, MakeStoredFreshnessFromDecision) {
  Cacheable c;
  c.ttl_seconds = 600;
  c.stale_while_revalidate = 30;
  c.stale_if_error = 0;
  const StoredFreshness m =
      makeStoredFreshness(c, {{"Age", " 42 "}, {"ETag", "\"x\""}}, 5000, /*legacy cookies=*/false);
  StoredFreshness expected;
  expected.stored_at = 5000;
  expected.age_at_store = 42;
  expected.ttl = 600;
  expected.stale_while_revalidate = 30;
  expected.stale_if_error = 0;
  expected.has_validators = true;
  EXPECT_EQ(m, expected);

  EXPECT_EQ(makeStoredFreshness(c, {{"Age", "-3"}}, 5000, false).age_at_store, 0);
  EXPECT_EQ(makeStoredFreshness(c, {{"Age", "abc"}}, 5000, false).age_at_store, 0);
  EXPECT_FALSE(makeStoredFreshness(c, {}, 5000, false).has_validators);
  EXPECT_TRUE(makeStoredFreshness(c, {{"Last-Modified", "x"}}, 5000, false).has_validators);
  // §2.8: no conditional requests when a legacy behaviour forwards cookies.
  EXPECT_FALSE(makeStoredFreshness(c, {{"ETag", "\"x\""}}, 5000, true).conditional_revalidation);
  // §3.8: Vary: * with MinTTL 0.
  c.conditional_revalidation = false;
  EXPECT_FALSE(makeStoredFreshness(c, {{"ETag", "\"x\""}}, 5000, false).conditional_revalidation);
}

// --- §3.4 / §3.5 / §3.7 stale on error ------------------------------------------------------

struct ErrorRow {
  const char* name;
  std::optional<int64_t> sie;
  int64_t now;  // stored_at 1000, ttl 100: expired at 1100
  int status;
  StaleOnError expected;
};
std::ostream& operator<<(std::ostream& os, const ErrorRow& r) { return os << r.name; }

class StaleOnErrorRules : public testing::TestWithParam<ErrorRow> {};
TEST_P(StaleOnErrorRules, Decides) {
  StoredFreshness m = meta(100);
  m.stale_if_error = GetParam().sie;
  EXPECT_EQ(decideStaleOnError(m, GetParam().now, {GetParam().status}, 10), GetParam().expected);
}
const StaleOnError kServe{true, 10};
const StaleOnError kPass{};
const ErrorRow kErrorRows[] = {
    // Built-in (§3.4): any 5xx or no response, however long ago it expired.
    {"BuiltIn500", std::nullopt, 1200, 500, kServe},
    {"BuiltIn501", std::nullopt, 1200, 501, kServe},
    {"BuiltIn503LongExpired", std::nullopt, 999999, 503, kServe},
    {"BuiltInNoResponse", std::nullopt, 1200, 0, kServe},
    {"BuiltIn4xxReturnsError", std::nullopt, 1200, 404, kPass},
    {"BuiltIn403ReturnsError", std::nullopt, 1200, 403, kPass},
    {"NotAnError", std::nullopt, 1200, 200, kPass},
    // §3.5: stale-if-error=0 disables the fallback.
    {"SieZeroDisables", 0, 1101, 503, kPass},
    {"SieZeroDisablesNoResponse", 0, 1101, 0, kPass},
    // §3.7: stale-if-error=N: 500/502/503/504 or no response within N s of expiry.
    {"SieWithinWindow", 60, 1159, 502, kServe},
    {"SieWindowEnds", 60, 1160, 502, kPass},
    {"SieNoResponse", 60, 1130, 0, kServe},
    {"Sie504", 60, 1130, 504, kServe},
    {"Sie501NotListed", 60, 1130, 501, kPass},
    {"Sie4xx", 60, 1130, 400, kPass},
};
INSTANTIATE_TEST_SUITE_P(Freshness, StaleOnErrorRules, testing::ValuesIn(kErrorRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Freshness, StaleOnErrorHoldsForErrorCachingMinTtl) {
  EXPECT_EQ(decideStaleOnError(meta(100), 1200, {503}, 30), (StaleOnError{true, 30}));
  EXPECT_EQ(decideStaleOnError(meta(100), 1200, {503}, 0), (StaleOnError{true, 0}));
}

// --- §3.6 revalidation ----------------------------------------------------------------------

TEST(Freshness, RevalidationHeadersCopyValidatorsVerbatim) {
  EXPECT_EQ(revalidationHeaders({{"ETag", "W/\"abc\""},
                                 {"Last-Modified", "Tue, 01 Jan 2030 00:00:00 GMT"},
                                 {"Content-Type", "text/html"}}),
            (HeaderList{{"If-None-Match", "W/\"abc\""},
                        {"If-Modified-Since", "Tue, 01 Jan 2030 00:00:00 GMT"}}));
  EXPECT_EQ(revalidationHeaders({{"etag", "\"x\""}}), (HeaderList{{"If-None-Match", "\"x\""}}));
  EXPECT_TRUE(revalidationHeaders({{"Content-Type", "text/html"}}).empty());
}

TEST(Freshness, NotModifiedUpdatesStoredHeaders) {
  HeaderList stored = {{"Content-Type", "text/html"}, {"Content-Length", "10"},
                       {"Content-Encoding", "gzip"}, {"Cache-Control", "max-age=60"},
                       {"Date", "old"}, {"ETag", "\"1\""}, {"Set-Cookie", "a=1"},
                       {"Set-Cookie", "b=2"}, {"X-Keep", "k"}};
  updateStoredHeaders(stored, {{"Cache-Control", "max-age=600"}, {"Date", "new"},
                               {"Content-Length", "0"}, {"Content-Encoding", "identity"},
                               {"Connection", "keep-alive, X-Hop"}, {"X-Hop", "h"},
                               {"Set-Cookie", "c=3"}, {"ETag", "\"1\""}});
  EXPECT_EQ(stored, (HeaderList{{"Content-Type", "text/html"}, {"Content-Length", "10"},
                                {"Content-Encoding", "gzip"}, {"X-Keep", "k"},
                                {"Cache-Control", "max-age=600"}, {"Date", "new"},
                                {"Set-Cookie", "c=3"}, {"ETag", "\"1\""}}));
}

}  // namespace
}  // namespace edge::policies
