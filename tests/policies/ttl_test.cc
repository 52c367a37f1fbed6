#include "policies/ttl.h"

#include <gtest/gtest.h>

#include "policies/config_load.h"
#include "policies/http_date.h"

namespace edge::policies {
namespace {

constexpr int64_t kNow = 1'700'000'000;
const TtlSettings kMin0{0, 100, 1000};    // MinTTL 0, DefaultTTL 100, MaxTTL 1000
const TtlSettings kMin60{60, 100, 1000};  // MinTTL > 0
const TtlSettings kDefault{0, 86400, 31536000};

std::string at(int64_t offset) { return formatHttpDate(kNow + offset); }

Cacheable ok(int64_t ttl, TtlRule rule, std::optional<int64_t> origin = std::nullopt,
             TtlClamp clamp = TtlClamp::None) {
  Cacheable c;
  c.ttl_seconds = ttl;
  c.rule = rule;
  c.origin_value = origin;
  c.clamp = clamp;
  return c;
}

Cacheable overridden(int64_t ttl, NoCacheReason directive) {
  Cacheable c = ok(ttl, TtlRule::MinTtlOverride);
  c.overridden = directive;
  return c;
}

Cacheable err(int64_t ttl, TtlRule rule, std::optional<int64_t> origin = std::nullopt,
              TtlClamp clamp = TtlClamp::None) {
  Cacheable c = ok(ttl, rule, origin, clamp);
  c.error_response = true;
  return c;
}

Uncacheable no(NoCacheReason r) { return Uncacheable{r}; }

TtlDecision decide(int status, const HeaderList& headers, TtlSettings ttl = kDefault,
                   std::span<const CustomErrorResponse> errors = {}, bool forwards_cookies = false,
                   Method method = Method::Get) {
  TtlInputs in{.method = method, .status = status, .headers = headers, .ttl = ttl,
               .error_responses = errors, .forwards_cookies = forwards_cookies, .now = kNow};
  return decideTtl(in);
}

// --- §3.2: every row and column of the worked-cases table, plus the algorithm's edges -------

struct Row {
  std::string name;
  TtlSettings ttl;
  HeaderList headers;
  TtlDecision expected;
};
std::ostream& operator<<(std::ostream& os, const Row& r) { return os << r.name; }

std::vector<Row> workedCases() {
  using R = TtlRule;
  using C = TtlClamp;
  return {
      // Row "max-age=A": Min=0 → min(A, Max); Min>0 → A<Min→Min, Min≤A≤Max→A, A>Max→Max.
      {"MaxAge_Min0_BelowMax", kMin0, {{"Cache-Control", "max-age=500"}}, ok(500, R::MaxAge, 500)},
      {"MaxAge_Min0_AboveMax", kMin0, {{"Cache-Control", "max-age=5000"}},
       ok(1000, R::MaxAge, 5000, C::LoweredToMax)},
      {"MaxAge_MinPos_BelowMin", kMin60, {{"Cache-Control", "max-age=30"}},
       ok(60, R::MaxAge, 30, C::RaisedToMin)},
      {"MaxAge_MinPos_EqualsMin", kMin60, {{"Cache-Control", "max-age=60"}}, ok(60, R::MaxAge, 60)},
      {"MaxAge_MinPos_Between", kMin60, {{"Cache-Control", "max-age=500"}},
       ok(500, R::MaxAge, 500)},
      {"MaxAge_MinPos_EqualsMax", kMin60, {{"Cache-Control", "max-age=1000"}},
       ok(1000, R::MaxAge, 1000)},
      {"MaxAge_MinPos_AboveMax", kMin60, {{"Cache-Control", "max-age=5000"}},
       ok(1000, R::MaxAge, 5000, C::LoweredToMax)},
      // Row "max-age=A, s-maxage=S": Min=0 → min(S, Max); Min>0 → clamp(S, Min, Max).
      {"SMaxAge_Min0_BelowMax", kMin0, {{"Cache-Control", "max-age=5, s-maxage=500"}},
       ok(500, R::SMaxAge, 500)},
      {"SMaxAge_Min0_AboveMax", kMin0, {{"Cache-Control", "max-age=5, s-maxage=5000"}},
       ok(1000, R::SMaxAge, 5000, C::LoweredToMax)},
      {"SMaxAge_MinPos_BelowMin", kMin60, {{"Cache-Control", "max-age=500, s-maxage=30"}},
       ok(60, R::SMaxAge, 30, C::RaisedToMin)},
      {"SMaxAge_MinPos_Between", kMin60, {{"Cache-Control", "s-maxage=500, max-age=5"}},
       ok(500, R::SMaxAge, 500)},
      {"SMaxAge_MinPos_AboveMax", kMin60, {{"Cache-Control", "max-age=5, s-maxage=5000"}},
       ok(1000, R::SMaxAge, 5000, C::LoweredToMax)},
      // Row "Expires=E only": Min=0 → until E or Max, whichever sooner; Min>0 → clamp(E−now).
      {"Expires_Min0_BeforeMax", kMin0, {{"Expires", at(500)}}, ok(500, R::Expires, 500)},
      {"Expires_Min0_AfterMax", kMin0, {{"Expires", at(5000)}},
       ok(1000, R::Expires, 5000, C::LoweredToMax)},
      {"Expires_MinPos_BelowMin", kMin60, {{"Expires", at(30)}},
       ok(60, R::Expires, 30, C::RaisedToMin)},
      {"Expires_MinPos_Between", kMin60, {{"Expires", at(500)}}, ok(500, R::Expires, 500)},
      {"Expires_MinPos_AboveMax", kMin60, {{"Expires", at(5000)}},
       ok(1000, R::Expires, 5000, C::LoweredToMax)},
      // Row "nothing": Min=0 → Default; Min>0 → max(Min, Default).
      {"Nothing_Min0", kMin0, {}, ok(100, R::DefaultTtl)},
      {"Nothing_MinBelowDefault", kMin60, {{"Content-Type", "text/html"}}, ok(100, R::DefaultTtl)},
      {"Nothing_MinAboveDefault", TtlSettings{200, 100, 1000}, {},
       ok(200, R::DefaultTtl, std::nullopt, C::RaisedToMin)},
      // Row "no-cache/no-store/private": Min=0 → not cached; Min>0 → cached for Min (§3.5).
      {"NoCache_Min0", kMin0, {{"Cache-Control", "no-cache"}}, no(NoCacheReason::OriginNoCache)},
      {"NoStore_Min0", kMin0, {{"Cache-Control", "no-store"}}, no(NoCacheReason::OriginNoStore)},
      {"Private_Min0", kMin0, {{"Cache-Control", "private"}}, no(NoCacheReason::OriginPrivate)},
      {"NoCache_MinPos", kMin60, {{"Cache-Control", "no-cache"}},
       overridden(60, NoCacheReason::OriginNoCache)},
      {"NoStore_MinPos", kMin60, {{"Cache-Control", "no-store"}},
       overridden(60, NoCacheReason::OriginNoStore)},
      {"Private_MinPos", kMin60, {{"Cache-Control", "private"}},
       overridden(60, NoCacheReason::OriginPrivate)},

      // §3.2 step 1 beats every freshness value, and no-store is reported first.
      {"NoCacheBeatsMaxAge_Min0", kMin0, {{"Cache-Control", "max-age=600, no-cache"}},
       no(NoCacheReason::OriginNoCache)},
      {"PrivateBeatsSMaxAge_MinPos", kMin60, {{"Cache-Control", "s-maxage=600, private"}},
       overridden(60, NoCacheReason::OriginPrivate)},
      {"NoStoreReportedBeforePrivate", kMin0, {{"Cache-Control", "private, no-store"}},
       no(NoCacheReason::OriginNoStore)},
      // Field-named forms do not make the object uncacheable (§3.2 notes).
      {"NoCacheSetCookieIsCacheable", kMin0,
       {{"Cache-Control", "no-cache=\"Set-Cookie\", max-age=300"}}, ok(300, R::MaxAge, 300)},
      {"PrivateFieldIsCacheable", kMin0, {{"Cache-Control", "private=\"X-User\""}},
       ok(100, R::DefaultTtl)},
      // Directives without TTL effect (§3.2 notes).
      {"MustRevalidateNoEffect", kMin0, {{"Cache-Control", "must-revalidate, max-age=50"}},
       ok(50, R::MaxAge, 50)},
      {"ProxyRevalidatePublicImmutableNoTransformNoEffect", kMin0,
       {{"Cache-Control", "proxy-revalidate, public, immutable, no-transform"}},
       ok(100, R::DefaultTtl)},
      // Step 2 order: s-maxage > max-age > Expires; Expires ignored when max-age exists.
      {"MaxAgeBeatsExpires", kMin0, {{"Cache-Control", "max-age=50"}, {"Expires", at(500)}},
       ok(50, R::MaxAge, 50)},
      {"MaxAgeZeroBeatsFutureExpires", kMin0,
       {{"Expires", at(500)}, {"Cache-Control", "max-age=0"}}, ok(0, R::MaxAge, 0)},
      {"SMaxAgeBeatsExpires", kMin0, {{"Expires", at(500)}, {"Cache-Control", "s-maxage=7"}},
       ok(7, R::SMaxAge, 7)},
      // max-age=0 / s-maxage=0 with Min=0: stored with TTL 0 (revalidated every time).
      {"MaxAgeZero_Min0", kMin0, {{"Cache-Control", "max-age=0"}}, ok(0, R::MaxAge, 0)},
      {"SMaxAgeZero_Min0", kMin0, {{"Cache-Control", "s-maxage=0, max-age=600"}},
       ok(0, R::SMaxAge, 0)},
      {"MaxAgeZero_MinPos", kMin60, {{"Cache-Control", "max-age=0"}},
       ok(60, R::MaxAge, 0, C::RaisedToMin)},
      // Expires edges: past / now / unparsable → 0; Date present → Expires − Date.
      {"ExpiresPast_Min0", kMin0, {{"Expires", at(-10)}}, ok(0, R::Expires, 0)},
      {"ExpiresPast_MinPos", kMin60, {{"Expires", at(-10)}}, ok(60, R::Expires, 0, C::RaisedToMin)},
      {"ExpiresEqualsNow", kMin0, {{"Expires", at(0)}}, ok(0, R::Expires, 0)},
      {"ExpiresUnparsable", kMin0, {{"Expires", "0"}}, ok(0, R::Expires, 0)},
      {"ExpiresMinusDate", kMin0, {{"Date", at(-100)}, {"Expires", at(500)}},
       ok(600, R::Expires, 600)},
      {"ExpiresBadDateUsesNow", kMin0, {{"Date", "yesterday"}, {"Expires", at(500)}},
       ok(500, R::Expires, 500)},
      {"ExpiresFirstOfTwoWins", kMin0, {{"Expires", at(300)}, {"Expires", at(900)}},
       ok(300, R::Expires, 300)},
      // Invalid delta-seconds read as 0 (cache_control.h).
      {"MalformedMaxAge_Min0", kMin0, {{"Cache-Control", "max-age=soon"}}, ok(0, R::MaxAge, 0)},
      {"MalformedMaxAge_MinPos", kMin60, {{"Cache-Control", "max-age=-1"}},
       ok(60, R::MaxAge, 0, C::RaisedToMin)},
      // Several Cache-Control lines are one list.
      {"TwoCacheControlLines", kMin0,
       {{"Cache-Control", "public"}, {"cache-control", "max-age=42"}}, ok(42, R::MaxAge, 42)},
      {"SecondLineNoStore", kMin0, {{"Cache-Control", "max-age=42"}, {"Cache-Control", "no-store"}},
       no(NoCacheReason::OriginNoStore)},
      {"HugeMaxAgeClampedToMax", kDefault, {{"Cache-Control", "max-age=99999999999999"}},
       ok(31536000, R::MaxAge, kMaxDeltaSeconds, C::LoweredToMax)},
  };
}

class WorkedCases : public testing::TestWithParam<Row> {};

TEST_P(WorkedCases, Decides) {
  const Row& r = GetParam();
  EXPECT_EQ(decide(200, r.headers, r.ttl), r.expected) << r.headers;
}

INSTANTIATE_TEST_SUITE_P(Ttl, WorkedCases, testing::ValuesIn(workedCases()),
                         [](const auto& info) { return info.param.name; });

// --- §3.3 status lists ----------------------------------------------------------------------

class CachedLike200 : public testing::TestWithParam<int> {};
TEST_P(CachedLike200, UsesTheTtlAlgorithm) {
  EXPECT_EQ(decide(GetParam(), {{"Cache-Control", "max-age=60"}}, kMin0),
            TtlDecision(ok(60, TtlRule::MaxAge, 60)));
  EXPECT_EQ(decide(GetParam(), {}, kMin0), TtlDecision(ok(100, TtlRule::DefaultTtl)));
  EXPECT_EQ(decide(GetParam(), {{"Cache-Control", "no-store"}}, kMin0),
            TtlDecision(no(NoCacheReason::OriginNoStore)));
}
INSTANTIATE_TEST_SUITE_P(Ttl, CachedLike200,
                         testing::Values(200, 203, 206, 300, 301, 302, 303, 307, 308));

class NeverCached : public testing::TestWithParam<int> {};
TEST_P(NeverCached, EvenWithMaxAge) {
  EXPECT_EQ(decide(GetParam(), {{"Cache-Control", "max-age=600"}}, kMin60),
            TtlDecision(no(NoCacheReason::StatusNotCacheable)));
}
// 2xx other than 200/203/206 (UNCONFIRMED, §3.3 recommendation), 304 (a revalidation answer),
// 416 (explicitly never), and every error outside the two cached lists.
INSTANTIATE_TEST_SUITE_P(Ttl, NeverCached,
                         testing::Values(100, 101, 201, 202, 204, 205, 207, 226, 304, 305, 306,
                                         401, 402, 406, 407, 408, 409, 410, 411, 413, 416, 417,
                                         418, 421, 422, 429, 431, 451, 505, 507, 511, 599));

class AlwaysCachedErrors : public testing::TestWithParam<int> {};
TEST_P(AlwaysCachedErrors, CachedForErrorCachingMinTtlOrHeaderValue) {
  const int s = GetParam();
  using R = TtlRule;
  EXPECT_EQ(decide(s, {}, kMin0), TtlDecision(err(10, R::ErrorCachingMinTtl)));
  EXPECT_EQ(decide(s, {{"Cache-Control", "max-age=300"}}, kMin0),
            TtlDecision(err(300, R::MaxAge, 300)));
  EXPECT_EQ(decide(s, {{"Cache-Control", "max-age=2"}}, kMin0),
            TtlDecision(err(10, R::MaxAge, 2, TtlClamp::RaisedToErrorMin)));
  EXPECT_EQ(decide(s, {{"Cache-Control", "s-maxage=40, max-age=300"}}, kMin0),
            TtlDecision(err(40, R::SMaxAge, 40)));
  EXPECT_EQ(decide(s, {{"Expires", at(120)}}, kMin0), TtlDecision(err(120, R::Expires, 120)));
  // "other Cache-Control directives or no headers → ErrorCachingMinTTL" (§3.3, doc).
  EXPECT_EQ(decide(s, {{"Cache-Control", "no-store"}}, kMin0),
            TtlDecision(err(10, R::ErrorCachingMinTtl)));
  // The header value cannot exceed MaxTTL (§3.3).
  EXPECT_EQ(decide(s, {{"Cache-Control", "max-age=5000"}}, kMin0),
            TtlDecision(err(1000, R::MaxAge, 5000, TtlClamp::LoweredToMax)));
}
INSTANTIATE_TEST_SUITE_P(Ttl, AlwaysCachedErrors,
                         testing::Values(404, 414, 500, 501, 502, 503, 504));

class ErrorsCachedOnlyWithMaxAge : public testing::TestWithParam<int> {};
TEST_P(ErrorsCachedOnlyWithMaxAge, NeedMaxAgeOrSMaxAge) {
  const int s = GetParam();
  EXPECT_EQ(decide(s, {}, kMin0), TtlDecision(no(NoCacheReason::ErrorWithoutMaxAge)));
  EXPECT_EQ(decide(s, {{"Expires", at(600)}}, kMin0),
            TtlDecision(no(NoCacheReason::ErrorWithoutMaxAge)));
  EXPECT_EQ(decide(s, {{"Cache-Control", "public, must-revalidate"}}, kMin0),
            TtlDecision(no(NoCacheReason::ErrorWithoutMaxAge)));
  EXPECT_EQ(decide(s, {{"Cache-Control", "max-age=300"}}, kMin0),
            TtlDecision(err(300, TtlRule::MaxAge, 300)));
  EXPECT_EQ(decide(s, {{"Cache-Control", "s-maxage=40"}}, kMin0),
            TtlDecision(err(40, TtlRule::SMaxAge, 40)));
  EXPECT_EQ(decide(s, {{"Cache-Control", "max-age=0"}}, kMin0),
            TtlDecision(err(10, TtlRule::MaxAge, 0, TtlClamp::RaisedToErrorMin)));
}
INSTANTIATE_TEST_SUITE_P(Ttl, ErrorsCachedOnlyWithMaxAge, testing::Values(400, 403, 405, 412, 415));

TEST(Ttl, ErrorCachingMinTtlFromCustomErrorResponses) {
  const std::vector<CustomErrorResponse> errors = {
      {404, "/404.html", 404, 60},
      {503, "", std::nullopt, 0},
      {500, "/500.html", 200, std::nullopt}};
  EXPECT_EQ(decide(404, {}, kMin0, errors), TtlDecision(err(60, TtlRule::ErrorCachingMinTtl)));
  EXPECT_EQ(decide(404, {{"Cache-Control", "max-age=30"}}, kMin0, errors),
            TtlDecision(err(60, TtlRule::MaxAge, 30, TtlClamp::RaisedToErrorMin)));
  // ErrorCachingMinTTL 0: not cached without a header value (§3.3 inf) …
  EXPECT_EQ(decide(503, {}, kMin0, errors), TtlDecision(no(NoCacheReason::ErrorTtlZero)));
  EXPECT_EQ(decide(503, {{"Cache-Control", "max-age=0"}}, kMin0, errors),
            TtlDecision(no(NoCacheReason::ErrorTtlZero)));
  // … but max(0, value) with one (doc formula).
  EXPECT_EQ(decide(503, {{"Cache-Control", "max-age=30"}}, kMin0, errors),
            TtlDecision(err(30, TtlRule::MaxAge, 30)));
  // An entry without ErrorCachingMinTTL keeps the 10 s default; other codes too.
  EXPECT_EQ(decide(500, {}, kMin0, errors), TtlDecision(err(10, TtlRule::ErrorCachingMinTtl)));
  EXPECT_EQ(decide(502, {}, kMin0, errors), TtlDecision(err(10, TtlRule::ErrorCachingMinTtl)));
}

TEST(Ttl, ErrorCachingMinTtlIsNotCappedByMaxTtl) {
  const std::vector<CustomErrorResponse> errors = {{404, "", std::nullopt, 600}};
  EXPECT_EQ(decide(404, {{"Cache-Control", "max-age=900"}}, TtlSettings{0, 100, 300}, errors),
            TtlDecision(err(600, TtlRule::MaxAge, 900, TtlClamp::RaisedToErrorMin)));
}

// §3.3 inf: the error rules apply whatever the behaviour's TTLs, CachingDisabled included.
TEST(Ttl, ErrorsCachedEvenWithCachingDisabled) {
  EXPECT_EQ(decide(502, {}, TtlSettings{0, 0, 0}),
            TtlDecision(err(10, TtlRule::ErrorCachingMinTtl)));
  EXPECT_EQ(decide(502, {{"Cache-Control", "max-age=60"}}, TtlSettings{0, 0, 0}),
            TtlDecision(err(10, TtlRule::MaxAge, 60, TtlClamp::RaisedToErrorMin)));
}

TEST(Ttl, CachingDisabledStoresNothing) {
  EXPECT_EQ(decide(200, {{"Cache-Control", "max-age=600"}}, TtlSettings{0, 0, 0}),
            TtlDecision(no(NoCacheReason::CachingDisabled)));
  EXPECT_EQ(decide(200, {}, TtlSettings{0, 0, 0}), TtlDecision(no(NoCacheReason::CachingDisabled)));
}

TEST(Ttl, MethodsCachedPerSection1_3) {
  const HeaderList h = {{"Cache-Control", "max-age=60"}};
  auto with = [&](Method m, bool options_cached) {
    TtlInputs in{.method = m, .options_cached = options_cached, .status = 200, .headers = h,
                 .ttl = kMin0, .now = kNow};
    return decideTtl(in);
  };
  const TtlDecision cached = ok(60, TtlRule::MaxAge, 60);
  const TtlDecision not_cached = no(NoCacheReason::MethodNotCached);
  EXPECT_EQ(with(Method::Get, false), cached);
  EXPECT_EQ(with(Method::Head, false), cached);
  EXPECT_EQ(with(Method::Options, true), cached);
  EXPECT_EQ(with(Method::Options, false), not_cached);
  for (Method m : {Method::Post, Method::Put, Method::Patch, Method::Delete, Method::Other}) {
    EXPECT_EQ(with(m, true), not_cached) << toString(m);
  }
}

// --- §3.7 stale directives ------------------------------------------------------------------

TEST(Ttl, StaleDirectivesPassThroughUncapped) {
  const auto d = decide(200, {{"Cache-Control", "max-age=5000, stale-while-revalidate=3000, "
                                                 "stale-if-error=86400"}},
                        kMin0);
  Cacheable expected = ok(1000, TtlRule::MaxAge, 5000, TtlClamp::LoweredToMax);
  expected.stale_while_revalidate = 3000;  // not capped by MaxTTL (§3.7 recommendation)
  expected.stale_if_error = 86400;
  EXPECT_EQ(d, TtlDecision(expected));
}

TEST(Ttl, StaleIfErrorZeroIsKeptDistinctFromAbsent) {
  const auto zero =
      std::get<Cacheable>(decide(200, {{"Cache-Control", "no-store, stale-if-error=0"}}, kMin60));
  EXPECT_EQ(zero.stale_if_error, 0);  // disables the §3.5 fallback
  EXPECT_EQ(zero.rule, TtlRule::MinTtlOverride);
  const auto absent = std::get<Cacheable>(decide(200, {{"Cache-Control", "no-store"}}, kMin60));
  EXPECT_EQ(absent.stale_if_error, std::nullopt);
}

// --- §3.8 Vary ------------------------------------------------------------------------------

TEST(Ttl, VaryStarWithMinZeroForwardsEveryRequestUnconditionally) {
  Cacheable expected = ok(0, TtlRule::VaryStar);
  expected.conditional_revalidation = false;
  EXPECT_EQ(decide(200, {{"Vary", "*"}, {"Cache-Control", "max-age=600"}}, kMin0),
            TtlDecision(expected));
  EXPECT_EQ(decide(200, {{"Vary", "Accept-Encoding, *"}}, kMin0), TtlDecision(expected));
}

TEST(Ttl, VaryStarWithMinPositiveIsLikeAnyVary) {
  EXPECT_EQ(decide(200, {{"Vary", "*"}, {"Cache-Control", "max-age=600"}}, kMin60),
            TtlDecision(ok(600, TtlRule::MaxAge, 600)));
}

TEST(Ttl, OrdinaryVaryDoesNotChangeTheDecision) {
  EXPECT_EQ(decide(200, {{"Vary", "Accept-Encoding, User-Agent"}, {"Cache-Control", "max-age=6"}},
                   kMin0),
            TtlDecision(ok(6, TtlRule::MaxAge, 6)));
}

TEST(Ttl, NoStoreBeatsVaryStar) {
  EXPECT_EQ(decide(200, {{"Vary", "*"}, {"Cache-Control", "no-store"}}, kMin0),
            TtlDecision(no(NoCacheReason::OriginNoStore)));
}

// --- §3.10 Set-Cookie -----------------------------------------------------------------------

struct CookieRow {
  const char* name;
  bool forwards_cookies;
  const char* cache_control;
  bool has_set_cookie;
  SetCookieHandling expected;
};
std::ostream& operator<<(std::ostream& os, const CookieRow& r) { return os << r.name; }

class SetCookieRules : public testing::TestWithParam<CookieRow> {};
TEST_P(SetCookieRules, Decides) {
  const CookieRow& r = GetParam();
  HeaderList h = {{"Cache-Control", r.cache_control}};
  if (r.has_set_cookie) h.add("Set-Cookie", "sid=1; Path=/");
  const auto d = decide(200, h, kMin0, {}, r.forwards_cookies);
  ASSERT_TRUE(std::holds_alternative<Cacheable>(d)) << d;  // Set-Cookie never blocks caching
  EXPECT_EQ(std::get<Cacheable>(d).set_cookie, r.expected);
}
const CookieRow kCookieRows[] = {
    {"NoSetCookie", true, "max-age=60", false, SetCookieHandling::Absent},
    {"NotForwardedStripped", false, "max-age=60", true, SetCookieHandling::Stripped},
    {"NotForwardedStrippedEvenWithNoCacheField", false, "no-cache=\"Set-Cookie\"", true,
     SetCookieHandling::Stripped},
    {"ForwardedStoredAndReplayed", true, "max-age=60", true, SetCookieHandling::Stored},
    {"ForwardedNoCacheSetCookieNotStored", true, "max-age=60, no-cache=\"Set-Cookie\"", true,
     SetCookieHandling::NotStored},
    {"ForwardedNoCacheFieldCaseInsensitive", true, "no-cache=\"set-cookie, x-a\"", true,
     SetCookieHandling::NotStored},
    {"ForwardedOtherNoCacheFieldStillStored", true, "no-cache=\"X-Other\"", true,
     SetCookieHandling::Stored},
    {"ForwardedPrivateSetCookieNotStored", true, "private=\"Set-Cookie\"", true,
     SetCookieHandling::NotStored},
};
INSTANTIATE_TEST_SUITE_P(Ttl, SetCookieRules, testing::ValuesIn(kCookieRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Ttl, UncacheableCarriesSetCookieHandling) {
  const auto d =
      decide(200, {{"Cache-Control", "no-store"}, {"Set-Cookie", "a=b"}}, kMin0, {}, false);
  EXPECT_EQ(d, TtlDecision(Uncacheable{NoCacheReason::OriginNoStore, SetCookieHandling::Stripped}));
}

// --- overloads, settings, explanation -------------------------------------------------------

TEST(Ttl, PreParsedOverloadMatches) {
  const HeaderList h = {{"Cache-Control", "max-age=3600, stale-while-revalidate=60"},
                        {"Set-Cookie", "a=b"}, {"Vary", "Accept-Encoding"}};
  TtlInputs in{.status = 200, .headers = h, .ttl = kMin0, .forwards_cookies = true, .now = kNow};
  EXPECT_EQ(decideTtl(in, parseResponseCacheControl("max-age=3600, stale-while-revalidate=60")),
            decideTtl(in));
  // The pre-parsed value is what counts, not in.headers' Cache-Control.
  EXPECT_EQ(decideTtl(in, parseResponseCacheControl("no-store")),
            TtlDecision(Uncacheable{NoCacheReason::OriginNoStore, SetCookieHandling::Stored}));
}

TEST(Ttl, SettingsFromPolicyOrLegacyBehavior) {
  Config config;
  config.cache_policies = managedCachePolicies();
  Behavior policy;
  policy.cache_policy_id = "658327ea-f89d-4fab-a63d-7e88639e58f6";  // CachingOptimized
  EXPECT_EQ(ttlSettingsFor(policy, config), (TtlSettings{1, 86400, 31536000}));
  policy.cache_policy_id = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";  // CachingDisabled
  EXPECT_EQ(ttlSettingsFor(policy, config), (TtlSettings{0, 0, 0}));
  policy.cache_policy_id = "2e54312d-136d-493c-8eb9-b001f22f67d2";  // Amplify
  EXPECT_EQ(ttlSettingsFor(policy, config), (TtlSettings{2, 2, 600}));
  policy.cache_policy_id = "no-such-policy";
  EXPECT_EQ(ttlSettingsFor(policy, config), (TtlSettings{0, 0, 0}));
  Behavior legacy;
  legacy.forwarded_values = ForwardedValues{};
  legacy.min_ttl = 5;
  legacy.default_ttl = 60;
  legacy.max_ttl = 600;
  legacy.cache_policy_id = "658327ea-f89d-4fab-a63d-7e88639e58f6";  // ignored for legacy
  EXPECT_EQ(ttlSettingsFor(legacy, config), (TtlSettings{5, 60, 600}));
}

TEST(Ttl, ErrorCachingMinTtlLookup) {
  const std::vector<CustomErrorResponse> errors = {{403, "", std::nullopt, 0},
                                                   {404, "", std::nullopt, 300},
                                                   {500, "/x", 200, std::nullopt}};
  EXPECT_EQ(errorCachingMinTtl(errors, 403), 0);
  EXPECT_EQ(errorCachingMinTtl(errors, 404), 300);
  EXPECT_EQ(errorCachingMinTtl(errors, 500), kDefaultErrorCachingMinTtl);
  EXPECT_EQ(errorCachingMinTtl(errors, 502), kDefaultErrorCachingMinTtl);
  EXPECT_EQ(errorCachingMinTtl({}, 404), 10);
}

TEST(Ttl, Explanations) {
  auto explain = [](const TtlDecision& d) { return std::get<Cacheable>(d).explanation(); };
  EXPECT_EQ(explain(decide(200, {{"Cache-Control", "s-maxage=600"}}, TtlSettings{0, 100, 300})),
            "s-maxage=600 clamped to MaxTTL 300");
  EXPECT_EQ(explain(decide(200, {{"Cache-Control", "max-age=30"}}, kMin60)),
            "max-age=30 raised to MinTTL 60");
  EXPECT_EQ(explain(decide(200, {{"Cache-Control", "max-age=3600"}}, kDefault)),
            "max-age=3600 -> TTL 3600");
  EXPECT_EQ(explain(decide(200, {{"Cache-Control", "no-store"}}, kMin60)),
            "no-store overridden by MinTTL 60");
  EXPECT_EQ(explain(decide(200, {}, kMin0)), "no s-maxage, max-age or Expires: DefaultTTL 100");
  EXPECT_EQ(explain(decide(200, {}, TtlSettings{200, 100, 1000})),
            "no s-maxage, max-age or Expires: MinTTL 200");
  EXPECT_EQ(explain(decide(200, {{"Expires", at(500)}}, kMin0)), "Expires gives 500 s -> TTL 500");
  EXPECT_EQ(explain(decide(404, {}, kMin0)), "error response: ErrorCachingMinTTL 10");
  EXPECT_EQ(explain(decide(503, {{"Cache-Control", "max-age=2"}}, kMin0)),
            "error response: max-age=2 raised to ErrorCachingMinTTL 10");
}

TEST(Ttl, PrintsDecisions) {
  std::ostringstream os;
  os << decide(200, {{"Cache-Control", "no-cache"}}, kMin0);
  EXPECT_EQ(os.str(), "Uncacheable{origin-no-cache, set-cookie absent}");
}

}  // namespace
}  // namespace edge::policies
