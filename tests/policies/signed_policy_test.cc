#include "policies/signed_policy.h"

#include <gtest/gtest.h>

#include <random>

namespace edge::policies {
namespace {

// --- §5.5 URL-safe base64 -------------------------------------------------------------------

TEST(CloudFrontBase64, EncodesWithTheCloudFrontAlphabet) {
  EXPECT_EQ(encodeCloudFrontBase64(""), "");
  EXPECT_EQ(encodeCloudFrontBase64("f"), "Zg__");
  EXPECT_EQ(encodeCloudFrontBase64("fo"), "Zm8_");
  EXPECT_EQ(encodeCloudFrontBase64("foo"), "Zm9v");
  // Standard base64 of FB FF BF is "+/+/": '+' → '-', '/' → '~'.
  EXPECT_EQ(encodeCloudFrontBase64("\xfb\xff\xbf"), "-~-~");
  EXPECT_EQ(encodeCloudFrontBase64("\xfb\xff"), "-~8_");
}

TEST(CloudFrontBase64, DecodesAndToleratesMissingPadding) {
  EXPECT_EQ(decodeCloudFrontBase64("Zg__"), "f");
  EXPECT_EQ(decodeCloudFrontBase64("Zg"), "f");
  EXPECT_EQ(decodeCloudFrontBase64("Zm8_"), "fo");
  EXPECT_EQ(decodeCloudFrontBase64("Zm8"), "fo");
  EXPECT_EQ(decodeCloudFrontBase64("-~-~"), "\xfb\xff\xbf");
  EXPECT_EQ(decodeCloudFrontBase64(""), "");
}

TEST(CloudFrontBase64, RejectsOtherCharactersAndBadShapes) {
  for (const char* bad : {"+/+/", "Zg==", "Zm8=", "Zm 9v", "Zm9v\n", "Zm9%", "Z", "Zm9vZ", "Zg_",
                          "Zm9v_", "Zm9v__", "Z___", "Zh__" /* unused bits set */}) {
    EXPECT_EQ(decodeCloudFrontBase64(bad), std::nullopt) << bad;
  }
}

TEST(CloudFrontBase64, RoundTripsEveryLength) {
  std::mt19937 rng(7);
  for (size_t n = 0; n < 70; ++n) {
    std::string bytes(n, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    const std::string text = encodeCloudFrontBase64(bytes);
    EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
    EXPECT_EQ(decodeCloudFrontBase64(text), bytes) << n;
    // Without padding too.
    std::string unpadded = text;
    while (!unpadded.empty() && unpadded.back() == '_') unpadded.pop_back();
    EXPECT_EQ(decodeCloudFrontBase64(unpadded), bytes) << n;
  }
}

// --- §5.3 canned policy ---------------------------------------------------------------------

TEST(CannedPolicy, ByteExactDocumentedExample) {
  EXPECT_EQ(
      cannedPolicy("https://d111111abcdef8.cloudfront.net/horizon.jpg?size=large&license=yes",
                   "1357034400"),
      R"({"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/horizon.jpg?size=large&license=yes","Condition":{"DateLessThan":{"AWS:EpochTime":1357034400}}}]})");
}

TEST(CannedPolicy, EscapesQuotesAndBackslashesLikeJsonDumps) {
  EXPECT_EQ(
      cannedPolicy("http://h/a\"b\\c\x01", "1"),
      R"({"Statement":[{"Resource":"http://h/a\"b\\c\u0001","Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]})");
}

// --- §5.4 custom policy ---------------------------------------------------------------------

TEST(CustomPolicy, ParsesArrayOfOneWithEveryCondition) {
  const auto p = parseCustomPolicy(R"({"Statement":[{"Resource":"https://d/*",
    "Condition":{"DateLessThan":{"AWS:EpochTime":2000},"DateGreaterThan":{"AWS:EpochTime":1000},
                 "IpAddress":{"AWS:SourceIp":"192.0.2.0/24"}}}]})");
  ASSERT_TRUE(p) << p.error();
  SignedPolicy want;
  want.resource = "https://d/*";
  want.date_less_than = 2000;
  want.date_greater_than = 1000;
  want.source_ip = parseIpRange("192.0.2.0/24");
  EXPECT_EQ(*p, want);
}

TEST(CustomPolicy, StatementObjectAndOptionalResource) {
  const auto p =
      parseCustomPolicy(R"({"Statement":{"Condition":{"DateLessThan":{"AWS:EpochTime":5}}}})");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->resource, std::nullopt);
  EXPECT_EQ(p->date_less_than, 5);
  EXPECT_FALSE(p->date_greater_than);
  EXPECT_FALSE(p->source_ip);
}

TEST(CustomPolicy, SourceIpIPv6AndBareAddresses) {
  auto p = parseCustomPolicy(R"({"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":5},
    "IpAddress":{"AWS:SourceIp":"2001:db8::/32"}}}]})");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->source_ip->toString(), "2001:db8::/32");
  p = parseCustomPolicy(R"({"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":5},
    "IpAddress":{"AWS:SourceIp":"2001:db8::7"}}}]})");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->source_ip->toString(), "2001:db8::7/128");
  p = parseCustomPolicy(R"({"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":5},
    "IpAddress":{"AWS:SourceIp":"192.0.2.7"}}}]})");
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->source_ip->toString(), "192.0.2.7/32");
}

struct MalformedCase {
  std::string name;
  std::string json;
};
std::ostream& operator<<(std::ostream& os, const MalformedCase& c) { return os << c.name; }

class MalformedPolicy : public testing::TestWithParam<MalformedCase> {};

TEST_P(MalformedPolicy, IsRefused) { EXPECT_FALSE(parseCustomPolicy(GetParam().json)); }

INSTANTIATE_TEST_SUITE_P(
    CustomPolicy, MalformedPolicy,
    testing::Values(
        MalformedCase{"NotJson", R"({"Statement":[)"}, MalformedCase{"NotObject", R"([1])"},
        MalformedCase{"NoStatement", R"({"Statements":[]})"},
        MalformedCase{"EmptyStatementArray", R"({"Statement":[]})"},
        MalformedCase{"TwoStatements",
                      R"({"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1}}},
                                       {"Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]})"},
        MalformedCase{"NoCondition", R"({"Statement":[{"Resource":"*"}]})"},
        MalformedCase{"NoDateLessThan",
                      R"({"Statement":[{"Condition":{"DateGreaterThan":{"AWS:EpochTime":1}}}]})"},
        MalformedCase{"EpochAsString",
                      R"({"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":"1"}}}]})"},
        MalformedCase{"EpochAsFloat",
                      R"({"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1.5}}}]})"},
        MalformedCase{
            "ResourceNotString",
            R"({"Statement":[{"Resource":["a"],"Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]})"},
        MalformedCase{"BadCidr", R"({"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1},
                                    "IpAddress":{"AWS:SourceIp":"192.0.2.0/33"}}}]})"},
        MalformedCase{"UnknownCondition",
                      R"({"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1},
                                             "StringEquals":{"aws:Referer":"x"}}}]})"},
        MalformedCase{
            "UnknownStatementMember",
            R"({"Statement":[{"Effect":"Deny","Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]})"},
        MalformedCase{
            "UnknownTopLevel",
            R"({"Version":"1","Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]})"}),
    [](const testing::TestParamInfo<MalformedCase>& i) { return i.param.name; });

// --- §5.4 Resource wildcards ------------------------------------------------------------------

struct MatchCase {
  std::string pattern;
  std::string url;
  bool match;
};
std::ostream& operator<<(std::ostream& os, const MatchCase& c) {
  return os << c.pattern << " vs " << c.url << " → " << c.match;
}

class ResourceMatch : public testing::TestWithParam<MatchCase> {};

TEST_P(ResourceMatch, Table) {
  EXPECT_EQ(resourceMatches(GetParam().pattern, GetParam().url), GetParam().match);
}

constexpr const char* kD = "https://d111111abcdef8.cloudfront.net";

std::vector<MatchCase> matchCases() {
  const std::string d = kD;
  return {
      // §5.4 documented example: *game_download.zip*
      {d + "/*game_download.zip*", d + "/game_download.zip", true},
      {d + "/*game_download.zip*", d + "/example_game_download.zip?license=yes", true},
      {d + "/*game_download.zip*", d + "/test_game_download.zip?license=temp", true},
      {d + "/*game_download.zip*", d + "/game_download.zap", false},
      // Exact URLs, with the query written \? (documented) or bare ? (botocore, JS SDK).
      {d + "/horizon.jpg\\?size=large&license=yes", d + "/horizon.jpg?size=large&license=yes",
       true},
      {d + "/horizon.jpg?size=large&license=yes", d + "/horizon.jpg?size=large&license=yes", true},
      {d + "/horizon.jpg\\?size=large", d + "/horizon.jpg?size=small", false},
      {d + "/horizon.jpg", d + "/horizon.jpg?size=large", false},
      {d + "/horizon.jpg", d + "/horizon.jpg", true},
      // `?` is one character; `\?` only the literal '?'.
      {d + "/a?c.jpg", d + "/abc.jpg", true},
      {d + "/a?c.jpg", d + "/ac.jpg", false},
      {d + "/a\\?c", d + "/abc", false},
      // A `*` in the path stays in the path unless it is trailing.
      {d + "/*.jpg", d + "/a/b/c.jpg", true},
      {d + "/*.jpg", d + "/a?x=.jpg", false},
      {d + "/images/*", d + "/images/a.jpg?w=100", true},
      {d + "/images/*", d + "/img/a.jpg", false},
      {d + "/*\\?w=*", d + "/a.jpg?w=100", true},
      {d + "/*\\?w=*", d + "/a.jpg?h=100", false},
      {d + "/*\\?*w=1*", d + "/a.jpg?h=2&w=1", true},
      // Trailing `*` in the domain implies /*\?*.
      {"https://d111111abcdef8.*", d + "/anything?at=all", true},
      {"https://*", d + "/x", true},
      {"https://*.cloudfront.net/a", d + "/a", true},
      {"https://*.cloudfront.net/a", "https://example.com/a", false},
      {"https://d*", "https://example.com/a", false},
      // A `*` in the domain does not reach into the path.
      {"https://*/a", d + "/b/a", false},
      // Protocols.
      {"*://d111111abcdef8.cloudfront.net/x", "http://d111111abcdef8.cloudfront.net/x", true},
      {"*://d111111abcdef8.cloudfront.net/x", d + "/x", true},
      {"http://d111111abcdef8.cloudfront.net/x", d + "/x", false},
      {"http*://d111111abcdef8.cloudfront.net/x", d + "/x", true},
      // Leading `*` without a protocol implies *://; "*" alone matches everything.
      {"*", "http://example.com/a?b", true},
      {"*/x", d + "/x", true},
      {"*d111111abcdef8.cloudfront.net/x", "http://d111111abcdef8.cloudfront.net/x", true},
      {"*.cloudfront.net/x", "http://example.com/x", false},
      {"d111111abcdef8.cloudfront.net/x", d + "/x", false},  // no protocol, no leading *
      // Domains compare case-insensitively, paths byte-exactly.
      {"https://D111111ABCDEF8.cloudfront.net/x", d + "/x", true},
      {d + "/X", d + "/x", false},
  };
}

INSTANTIATE_TEST_SUITE_P(Section54, ResourceMatch, testing::ValuesIn(matchCases()));

// A slow reference for the path+query rules (exhaustive recursion over every way each `*` can
// consume), compared on random inputs with the linear matcher, which only backtracks to the
// most recent `*`. `pos` is the position in `url`, `sep` the index of its query '?' (or npos).
bool referenceRest(std::string_view p, std::string_view url, size_t pos, size_t sep) {
  if (p.empty()) return pos == url.size();
  if (p[0] == '*') {
    const bool trailing = p.size() == 1;
    const bool bounded = !trailing && sep != std::string_view::npos && pos <= sep;
    for (size_t k = pos; k <= url.size(); ++k) {  // the `*` consumes url[pos, k)
      if (bounded && k > sep) break;
      if (referenceRest(p.substr(1), url, k, sep)) return true;
    }
    return false;
  }
  if (pos == url.size()) return false;
  if (p.size() >= 2 && p[0] == '\\' && p[1] == '?') {
    return url[pos] == '?' && referenceRest(p.substr(2), url, pos + 1, sep);
  }
  if (p[0] == '?' || p[0] == url[pos]) return referenceRest(p.substr(1), url, pos + 1, sep);
  return false;
}

TEST(ResourceMatchProperty, LinearMatcherAgreesWithExhaustiveReference) {
  std::mt19937 rng(42);
  const char pat_chars[] = {'a', 'b', '/', '*', '?', '\\', '='};
  const char url_chars[] = {'a', 'b', '/', '='};
  int matched = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string pat = "/";
    for (int n = static_cast<int>(rng() % 7); n > 0; --n)
      pat += pat_chars[rng() % sizeof pat_chars];
    std::string rest = "/";
    for (int n = static_cast<int>(rng() % 5); n > 0; --n)
      rest += url_chars[rng() % sizeof url_chars];
    if (rng() % 2) {
      rest += '?';
      for (int n = static_cast<int>(rng() % 4); n > 0; --n)
        rest += url_chars[rng() % sizeof url_chars];
    }
    const bool want = referenceRest(pat, rest, 0, rest.find('?'));
    matched += want;
    ASSERT_EQ(resourceMatches("https://h" + pat, "https://h" + rest), want)
        << "pattern " << pat << " url " << rest;
  }
  EXPECT_GT(matched, 500);  // the inputs exercise matches, not only mismatches
}

// --- request-time conditions ----------------------------------------------------------------

TEST(PolicyConditions, StrictTimeBoundsIpAndResource) {
  SignedPolicy p;
  p.resource = std::string(kD) + "/private/*";
  p.date_less_than = 2000;
  p.date_greater_than = 1000;
  p.source_ip = parseIpRange("192.0.2.0/24");
  const std::string url = std::string(kD) + "/private/a.mp4";
  EXPECT_EQ(checkPolicyConditions(p, url, "192.0.2.9", 1500), std::nullopt);
  EXPECT_EQ(checkPolicyConditions(p, url, "192.0.2.9", 1999), std::nullopt);
  EXPECT_EQ(checkPolicyConditions(p, url, "192.0.2.9", 2000), PolicyViolation::Expired);
  EXPECT_EQ(checkPolicyConditions(p, url, "192.0.2.9", 2001), PolicyViolation::Expired);
  EXPECT_EQ(checkPolicyConditions(p, url, "192.0.2.9", 1000), PolicyViolation::NotYetValid);
  EXPECT_EQ(checkPolicyConditions(p, url, "192.0.2.9", 999), PolicyViolation::NotYetValid);
  EXPECT_EQ(checkPolicyConditions(p, url, "192.0.3.9", 1500), PolicyViolation::IpMismatch);
  EXPECT_EQ(checkPolicyConditions(p, url, "::ffff:192.0.2.9", 1500), std::nullopt);
  EXPECT_EQ(checkPolicyConditions(p, url, "2001:db8::1", 1500), PolicyViolation::IpMismatch);
  EXPECT_EQ(checkPolicyConditions(p, url, "", 1500), PolicyViolation::IpMismatch);
  EXPECT_EQ(checkPolicyConditions(p, std::string(kD) + "/public/a", "192.0.2.9", 1500),
            PolicyViolation::ResourceMismatch);
  p.date_less_than = kMaxSignedEpoch + 1;
  EXPECT_EQ(checkPolicyConditions(p, url, "192.0.2.9", 1500), PolicyViolation::TooLateEpoch);
}

TEST(PolicyConditions, CannedResourceIsExact) {
  SignedPolicy p;
  p.resource = std::string(kD) + "/a?b";  // would match "/a?b" and "/aXb" as a pattern
  p.exact_resource = true;
  p.date_less_than = 10;
  EXPECT_EQ(checkPolicyConditions(p, std::string(kD) + "/a?b", "", 5), std::nullopt);
  EXPECT_EQ(checkPolicyConditions(p, std::string(kD) + "/aXb", "", 5),
            PolicyViolation::ResourceMismatch);
}

// --- building policies ----------------------------------------------------------------------

TEST(BuildCustomPolicy, AwsCliKeyOrderAndSlash32) {
  EXPECT_EQ(
      buildCustomPolicy({"https://example.com/x?a=1", 1893456000, 1577836800, "127.0.0.1"}),
      R"({"Statement":[{"Resource":"https://example.com/x?a=1","Condition":{"DateLessThan":{"AWS:EpochTime":1893456000},"IpAddress":{"AWS:SourceIp":"127.0.0.1/32"},"DateGreaterThan":{"AWS:EpochTime":1577836800}}}]})");
  EXPECT_EQ(
      buildCustomPolicy({"https://example.com/*", 5, std::nullopt, std::nullopt}),
      R"({"Statement":[{"Resource":"https://example.com/*","Condition":{"DateLessThan":{"AWS:EpochTime":5}}}]})");
  EXPECT_EQ(
      buildCustomPolicy({"https://e/x", 5, std::nullopt, "2001:db8::1"}),
      R"({"Statement":[{"Resource":"https://e/x","Condition":{"DateLessThan":{"AWS:EpochTime":5},"IpAddress":{"AWS:SourceIp":"2001:db8::1/128"}}}]})");
  EXPECT_EQ(
      buildCustomPolicy({"https://e/x", 5, std::nullopt, "10.0.0.0/8"}),
      R"({"Statement":[{"Resource":"https://e/x","Condition":{"DateLessThan":{"AWS:EpochTime":5},"IpAddress":{"AWS:SourceIp":"10.0.0.0/8"}}}]})");
}

TEST(BuildCustomPolicy, ParsesBack) {
  const auto p = parseCustomPolicy(buildCustomPolicy({"https://e/*", 9, 3, "10.1.0.0/16"}));
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(p->resource, "https://e/*");
  EXPECT_EQ(p->date_less_than, 9);
  EXPECT_EQ(p->date_greater_than, 3);
  EXPECT_EQ(p->source_ip, parseIpRange("10.1.0.0/16"));
}

}  // namespace
}  // namespace edge::policies
