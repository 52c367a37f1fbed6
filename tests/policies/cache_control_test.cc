#include "policies/cache_control.h"

#include <gtest/gtest.h>

namespace edge::policies {
namespace {

// Builds the expected value field by field so each row says only what differs from "nothing".
struct Expect {
  ResponseCacheControl cc;
  Expect& maxAge(int64_t v) { cc.max_age = v; return *this; }
  Expect& sMaxAge(int64_t v) { cc.s_maxage = v; return *this; }
  Expect& noStore() { cc.no_store = true; return *this; }
  Expect& noCache() { cc.no_cache = true; return *this; }
  Expect& noCacheFields(std::string f) { cc.no_cache_fields = std::move(f); return *this; }
  Expect& priv() { cc.is_private = true; return *this; }
  Expect& privFields(std::string f) { cc.private_fields = std::move(f); return *this; }
  Expect& pub() { cc.is_public = true; return *this; }
  Expect& mustRevalidate() { cc.must_revalidate = true; return *this; }
  Expect& proxyRevalidate() { cc.proxy_revalidate = true; return *this; }
  Expect& noTransform() { cc.no_transform = true; return *this; }
  Expect& immutable() { cc.immutable = true; return *this; }
  Expect& swr(int64_t v) { cc.stale_while_revalidate = v; return *this; }
  Expect& sie(int64_t v) { cc.stale_if_error = v; return *this; }
  Expect& malformed() { cc.malformed = true; return *this; }
};

struct Case {
  const char* name;
  const char* header;
  ResponseCacheControl expected;
};

std::ostream& operator<<(std::ostream& os, const Case& c) { return os << c.name; }

class ParseResponseCacheControl : public testing::TestWithParam<Case> {};

TEST_P(ParseResponseCacheControl, Parses) {
  EXPECT_EQ(parseResponseCacheControl(GetParam().header), GetParam().expected)
      << "header: " << GetParam().header;
}

const Case kCases[] = {
    {"Empty", "", Expect().cc},
    {"OnlySeparators", " , ,\t,", Expect().cc},
    {"MaxAge", "max-age=3600", Expect().maxAge(3600).cc},
    {"MaxAgeZero", "max-age=0", Expect().maxAge(0).cc},
    {"SMaxAge", "s-maxage=600", Expect().sMaxAge(600).cc},
    {"BothAges", "max-age=60, s-maxage=600", Expect().maxAge(60).sMaxAge(600).cc},
    {"CaseInsensitiveNames", "MAX-AGE=5, No-Store, PUBLIC", Expect().maxAge(5).noStore().pub().cc},
    {"AllFlags",
     "public, must-revalidate, proxy-revalidate, no-transform, immutable, no-store",
     Expect().pub().mustRevalidate().proxyRevalidate().noTransform().immutable().noStore().cc},
    {"NoCacheBare", "no-cache", Expect().noCache().cc},
    {"NoCacheQualified", "no-cache=\"Set-Cookie\"", Expect().noCacheFields("set-cookie").cc},
    {"NoCacheQualifiedList", "no-cache=\"Set-Cookie, X-Foo\", max-age=10",
     Expect().noCacheFields("set-cookie,x-foo").maxAge(10).cc},
    {"NoCacheQualifiedToken", "no-cache=Set-Cookie", Expect().noCacheFields("set-cookie").cc},
    {"NoCacheEmptyQuotedIsBare", "no-cache=\"\"", Expect().noCache().cc},
    {"NoCacheBareAndQualified", "no-cache=\"set-cookie\", no-cache",
     Expect().noCache().noCacheFields("set-cookie").cc},
    {"NoCacheQualifiedTwiceMerges", "no-cache=\"a\", no-cache=\"B\"",
     Expect().noCacheFields("a,b").cc},
    {"PrivateBare", "private, max-age=60", Expect().priv().maxAge(60).cc},
    {"PrivateQualified", "private=\"Set-Cookie\"", Expect().privFields("set-cookie").cc},
    {"StaleDirectives", "max-age=60, stale-while-revalidate=30, stale-if-error=86400",
     Expect().maxAge(60).swr(30).sie(86400).cc},
    {"StaleIfErrorZero", "stale-if-error=0", Expect().sie(0).cc},
    // RFC 9111 §4.2.1: first occurrence wins for duplicated valued directives.
    {"DuplicateMaxAgeFirstWins", "max-age=10, max-age=99999", Expect().maxAge(10).cc},
    {"DuplicateSMaxAgeFirstWins", "s-maxage=5, s-maxage=1", Expect().sMaxAge(5).cc},
    {"DuplicateSwrFirstWins", "stale-while-revalidate=7, stale-while-revalidate=8",
     Expect().swr(7).cc},
    // RFC 9111 §5.2: recipients accept the quoted form too.
    {"QuotedMaxAge", "max-age=\"120\"", Expect().maxAge(120).cc},
    // A comma inside quotes does not end the directive.
    {"CommaInsideQuotes", "no-cache=\"a,b\", max-age=7",
     Expect().noCacheFields("a,b").maxAge(7).cc},
    {"EscapedQuoteInQuotedString", "foo=\"x\\\",max-age=1\", max-age=2", Expect().maxAge(2).cc},
    {"EscapedFieldName", "no-cache=\"set\\-cookie\"", Expect().noCacheFields("set-cookie").cc},
    // Invalid delta-seconds: the directive counts with value 0 (stale), flagged malformed.
    {"InvalidMaxAgeLetters", "max-age=abc", Expect().maxAge(0).malformed().cc},
    {"InvalidMaxAgeNegative", "max-age=-5", Expect().maxAge(0).malformed().cc},
    {"InvalidMaxAgeFraction", "max-age=1.5", Expect().maxAge(0).malformed().cc},
    {"InvalidMaxAgeEmpty", "max-age=", Expect().maxAge(0).malformed().cc},
    {"InvalidMaxAgeMissingArgument", "max-age", Expect().maxAge(0).malformed().cc},
    {"InvalidMaxAgeTrailingJunk", "max-age=60 junk, public",
     Expect().maxAge(0).malformed().pub().cc},
    {"InvalidFirstStillWins", "max-age=x, max-age=60", Expect().maxAge(0).malformed().cc},
    {"InvalidSwr", "stale-while-revalidate=soon", Expect().swr(0).malformed().cc},
    {"InvalidSie", "stale-if-error=-1", Expect().sie(0).malformed().cc},
    {"UnterminatedQuote", "max-age=\"60", Expect().maxAge(0).malformed().cc},
    {"SpacesAroundEquals", "max-age = 60", Expect().maxAge(60).cc},
    {"LeadingZeros", "max-age=000060", Expect().maxAge(60).cc},
    {"ManyLeadingZeros", "max-age=0000000000000000000000000007", Expect().maxAge(7).cc},
    {"SpaceBeforeComma", "max-age=5 , public", Expect().maxAge(5).pub().cc},
    {"StrayEquals", "=5, max-age=1", Expect().maxAge(1).cc},
    {"StrayQuote", "\"abc, max-age=1", Expect().maxAge(1).cc},
    {"DoubleEquals", "max-age=5=6", Expect().maxAge(0).malformed().cc},
    {"NameThenJunkNoEquals", "max-age 60", Expect().maxAge(0).malformed().cc},
    {"PlainDeltaThenSecondDuplicate", "s-maxage=10,s-maxage=20", Expect().sMaxAge(10).cc},
    {"UpperCaseFastPath", "MAX-AGE=99", Expect().maxAge(99).cc},
    {"HighBytesIgnored", "\xff\xfe, max-age=3", Expect().maxAge(3).cc},
    // RFC 9111 §1.2.2: huge values saturate instead of overflowing.
    {"HugeSaturates", "max-age=99999999999999999999999999", Expect().maxAge(kMaxDeltaSeconds).cc},
    {"JustAboveCapSaturates", "s-maxage=3153600001", Expect().sMaxAge(kMaxDeltaSeconds).cc},
    {"UnknownDirectivesIgnored", "foo, bar=baz, x-y=\"q\", max-age=1", Expect().maxAge(1).cc},
    {"ArgumentOnFlagIgnored", "no-store=1, public=\"yes\"", Expect().noStore().pub().cc},
    {"PrefixOfNameIsNotName", "max-ages=5, no-stores, s-max-age=3", Expect().cc},
    {"JoinedLines", "max-age=60, no-cache=\"Set-Cookie\", public",
     Expect().maxAge(60).noCacheFields("set-cookie").pub().cc},
    {"TabsAndNoSpaces", "\tmax-age=1,public,\tno-transform",
     Expect().maxAge(1).pub().noTransform().cc},
};

INSTANTIATE_TEST_SUITE_P(Table, ParseResponseCacheControl, testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(CacheControl, IntoAccumulatesLikeJoinedLines) {
  ResponseCacheControl cc;
  parseResponseCacheControlInto("max-age=60, no-cache=\"Set-Cookie\"", cc);
  parseResponseCacheControlInto("max-age=5, public", cc);
  EXPECT_EQ(cc,
            parseResponseCacheControl("max-age=60, no-cache=\"Set-Cookie\", max-age=5, public"));
  EXPECT_EQ(cc.max_age, 60);
}

// tests/fuzz (cache_control_fuzz): a line ending inside an unterminated quoted-string must not
// swallow the next line. Line by line is the reference; joining such lines loses directives.
TEST(CacheControl, UnterminatedQuoteEndsAtItsLine) {
  const HeaderList unterminated{{"Cache-Control", "=\""}, {"cache-control", "no-cache"}};
  EXPECT_TRUE(parseResponseCacheControl(unterminated).no_cache);
  const HeaderList quote_in_name{{"Cache-Control", "\"=\""}, {"Cache-Control", "immutable"}};
  EXPECT_TRUE(parseResponseCacheControl(quote_in_name).immutable);
  const HeaderList private_open{{"Cache-Control", "private=\"Set-Co0000 0"},
                                {"X-Other", "max-age=5"},
                                {"Cache-Control", "no-cache=a, x-b\""}};
  const ResponseCacheControl cc = parseResponseCacheControl(private_open);
  EXPECT_TRUE(cc.is_private);  // an unterminated qualified form reads as the bare one
  EXPECT_EQ(cc.no_cache_fields, "a");
  EXPECT_FALSE(cc.max_age);
  // The joined text cannot tell a line join from ", " inside a quoted-string.
  EXPECT_FALSE(parseResponseCacheControl(*unterminated.getJoined("cache-control")).no_cache);
}

TEST(CacheControl, HeaderListParsesEveryLine) {
  const HeaderList h{{"Cache-Control", "max-age=60, no-cache=\"Set-Cookie\""},
                     {"Content-Type", "text/plain"},
                     {"CACHE-CONTROL", "max-age=5, public"}};
  EXPECT_EQ(parseResponseCacheControl(h),
            parseResponseCacheControl("max-age=60, no-cache=\"Set-Cookie\", max-age=5, public"));
  EXPECT_EQ(parseResponseCacheControl(HeaderList{}), ResponseCacheControl{});
}

TEST(CacheControl, NamesFieldsCaseInsensitively) {
  const auto cc =
      parseResponseCacheControl("no-cache=\"Set-Cookie, X-A\", private=\"Authorization\"");
  EXPECT_TRUE(cc.namesNoCacheField("set-cookie"));
  EXPECT_TRUE(cc.namesNoCacheField("SET-COOKIE"));
  EXPECT_TRUE(cc.namesNoCacheField("x-a"));
  EXPECT_FALSE(cc.namesNoCacheField("set-cookie2"));
  EXPECT_FALSE(cc.namesNoCacheField("x"));
  EXPECT_TRUE(cc.namesPrivateField("authorization"));
  EXPECT_TRUE(cc.excludesFieldFromStore("Set-Cookie"));
  EXPECT_TRUE(cc.excludesFieldFromStore("Authorization"));
  EXPECT_FALSE(cc.excludesFieldFromStore("ETag"));
  EXPECT_FALSE(cc.no_cache);
  EXPECT_FALSE(cc.is_private);
}

TEST(CacheControl, PrintsCanonicalForm) {
  std::ostringstream os;
  os << parseResponseCacheControl("Public, no-cache=\"Set-Cookie\", MAX-AGE=60, stale-if-error=5");
  EXPECT_EQ(os.str(), "max-age=60, no-cache=\"set-cookie\", public, stale-if-error=5");
  std::ostringstream empty;
  empty << ResponseCacheControl{};
  EXPECT_EQ(empty.str(), "<empty>");
}

TEST(CacheControl, DeltaSeconds) {
  EXPECT_EQ(parseDeltaSeconds("0"), 0);
  EXPECT_EQ(parseDeltaSeconds("86400"), 86400);
  EXPECT_EQ(parseDeltaSeconds("3153600000"), kMaxDeltaSeconds);
  EXPECT_EQ(parseDeltaSeconds("18446744073709551616"), kMaxDeltaSeconds);
  EXPECT_EQ(parseDeltaSeconds("999999999999999999999999"), kMaxDeltaSeconds);
  EXPECT_EQ(parseDeltaSeconds("0000000000000000000000060"), 60);  // leading zeros don't count
  EXPECT_EQ(parseDeltaSeconds("000000000000000000000000x"), std::nullopt);
  EXPECT_EQ(parseDeltaSeconds(""), std::nullopt);
  EXPECT_EQ(parseDeltaSeconds("+1"), std::nullopt);
  EXPECT_EQ(parseDeltaSeconds("1 "), std::nullopt);
  EXPECT_EQ(parseDeltaSeconds("0x10"), std::nullopt);
}

}  // namespace
}  // namespace edge::policies
