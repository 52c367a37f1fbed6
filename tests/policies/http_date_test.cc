// HTTP-date parsing (RFC 9110 §5.6.7): the IMF-fixdate fast path agrees with formatting over a
// wide range of instants, and the obsolete RFC 850 / asctime forms still parse.
#include "policies/http_date.h"

#include <gtest/gtest.h>

#include <random>

namespace edge::policies {
namespace {

TEST(HttpDate, RfcExamplesInAllThreeForms) {
  EXPECT_EQ(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT"), 784111777);
  EXPECT_EQ(parseHttpDate("Sun Nov  6 08:49:37 1994"), 784111777);
}

TEST(HttpDate, RoundTripsFrom1970To2200) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> dist(0, 7258118400);  // 2200-01-01
  for (int i = 0; i < 20000; ++i) {
    const int64_t t = dist(rng);
    ASSERT_EQ(parseHttpDate(formatHttpDate(t)), t) << formatHttpDate(t);
  }
  for (int64_t t : {int64_t{0}, int64_t{951782400} /* 2000-02-29 */, int64_t{4107456000} /* 2100-02-28 */,
                    int64_t{4107542400} /* 2100-03-01 */}) {
    EXPECT_EQ(parseHttpDate(formatHttpDate(t)), t) << formatHttpDate(t);
  }
}

TEST(HttpDate, RejectsMalformedDates) {
  EXPECT_EQ(parseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(parseHttpDate("Sun, 32 Nov 1994 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(parseHttpDate("Sun, 06 Nov 1994 24:49:37 GMT"), std::nullopt);
  EXPECT_EQ(parseHttpDate("Sun, 06 Nov 1994 08:49:37 UTC"), std::nullopt);
  EXPECT_EQ(parseHttpDate("Sun, 0x Nov 1994 08:49:37 GMT"), std::nullopt);
  EXPECT_EQ(parseHttpDate("0"), std::nullopt);
  EXPECT_EQ(parseHttpDate(""), std::nullopt);
}

TEST(HttpDate, DayPastTheMonthEndRollsOverLikeTimegm) {
  // 31 Feb 2021 → 3 Mar 2021 (the general parser's timegm normalises the same way).
  EXPECT_EQ(parseHttpDate("Wed, 31 Feb 2021 00:00:00 GMT"),
            parseHttpDate("Wed, 03 Mar 2021 00:00:00 GMT"));
}

}  // namespace
}  // namespace edge::policies
