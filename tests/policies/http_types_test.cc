#include "policies/http_types.h"

#include <array>
#include <sstream>

#include <gtest/gtest.h>

namespace edge::policies {
namespace {

TEST(HttpTypes, IequalsIgnoresAsciiCaseOnly) {
  EXPECT_TRUE(iequals("Content-Type", "content-type"));
  EXPECT_TRUE(iequals("", ""));
  EXPECT_FALSE(iequals("Host", "Hosts"));
  EXPECT_FALSE(iequals("a", "b"));
  EXPECT_FALSE(iequals("[", "{"));  // 0x5B vs 0x7B: differ by 32 but are not letters
}

TEST(HttpTypes, ToLowerAndTrimOws) {
  EXPECT_EQ(toLower("X-Amz-CF-Id"), "x-amz-cf-id");
  EXPECT_EQ(toLower("ÄB"), "Äb");  // non-ASCII bytes untouched
  EXPECT_EQ(trimOws(" \t value \t"), "value");
  EXPECT_EQ(trimOws("a b"), "a b");
  EXPECT_EQ(trimOws("  "), "");
  EXPECT_EQ(trimOws("\r\nx"), "\r\nx");  // only SP and HTAB are OWS
}

TEST(HeaderList, GetIsCaseInsensitiveAndReturnsFirst) {
  HeaderList h{{"Accept", "a"}, {"accept", "b"}, {"Host", "h"}};
  EXPECT_EQ(h.get("ACCEPT"), "a");
  EXPECT_EQ(h.count("accept"), 2u);
  EXPECT_TRUE(h.has("host"));
  EXPECT_FALSE(h.has("cookie"));
  EXPECT_EQ(h.get("cookie"), std::nullopt);
}

TEST(HeaderList, FirstValuesAgreesWithGetForEachName) {
  const HeaderList h{{"Host", "a.example"},      {"X-Cache", "Hit from cloudfront"},
                     {"content-type", "text/html"}, {"HOST", "b.example"},
                     {"Referer", ""},            {"X-Cach", "not x-cache"}};
  const std::array<std::string_view, 5> names{"host", "x-cache", "referer", "user-agent",
                                              "content-type"};
  const auto got = h.firstValues(names);
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(got[i], h.get(names[i])) << names[i];
  EXPECT_EQ(got[0], "a.example");  // the first of two Host fields
  EXPECT_EQ(got[2], "");           // present and empty is not absent
  EXPECT_EQ(got[3], std::nullopt);
}

TEST(HeaderList, GetJoinedUsesCommaSpace) {
  HeaderList h{{"Cache-Control", "no-cache"}, {"X", "1"}, {"cache-control", "max-age=0"}};
  EXPECT_EQ(h.getJoined("Cache-Control"), "no-cache, max-age=0");
  EXPECT_EQ(h.getJoined("X"), "1");
  EXPECT_EQ(h.getJoined("absent"), std::nullopt);
}

TEST(HeaderList, SetReplacesAllAndAppends) {
  HeaderList h{{"Via", "1"}, {"A", "a"}, {"via", "2"}};
  h.set("VIA", "3");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h.items()[0], (Header{"A", "a"}));
  EXPECT_EQ(h.items()[1], (Header{"VIA", "3"}));
}

TEST(HeaderList, SetWithNameAliasingAnExistingField) {
  HeaderList h{{"X-Name", "1"}};
  const std::string_view alias = h.items()[0].name;  // points into the field set() erases
  h.set(alias, "2");
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h.items()[0], (Header{"X-Name", "2"}));
}

TEST(HeaderList, RemoveReturnsCount) {
  HeaderList h{{"A", "1"}, {"a", "2"}, {"B", "3"}};
  EXPECT_EQ(h.remove("A"), 2u);
  EXPECT_EQ(h.remove("A"), 0u);
  EXPECT_EQ(h, (HeaderList{{"B", "3"}}));
}

TEST(HeaderList, StreamsReadably) {
  std::ostringstream os;
  os << HeaderList{{"Host", "x"}, {"A", "b c"}};
  EXPECT_EQ(os.str(), "{Host: x | A: b c}");
}

struct MethodCase {
  std::string_view name;
  Method method;
};
class MethodNames : public testing::TestWithParam<MethodCase> {};

TEST_P(MethodNames, ParseAndPrint) {
  EXPECT_EQ(parseMethod(GetParam().name), GetParam().method);
  if (GetParam().method != Method::Other) {
    EXPECT_EQ(toString(GetParam().method), GetParam().name);
  }
}

INSTANTIATE_TEST_SUITE_P(HttpTypes, MethodNames,
                         testing::Values(MethodCase{"GET", Method::Get},
                                         MethodCase{"HEAD", Method::Head},
                                         MethodCase{"POST", Method::Post},
                                         MethodCase{"PUT", Method::Put},
                                         MethodCase{"DELETE", Method::Delete},
                                         MethodCase{"OPTIONS", Method::Options},
                                         MethodCase{"PATCH", Method::Patch},
                                         MethodCase{"get", Method::Other},  // RFC 9110 §9.1
                                         MethodCase{"PROPFIND", Method::Other},
                                         MethodCase{"", Method::Other}));

TEST(HttpTypes, OtherMethodPrintsOther) { EXPECT_EQ(toString(Method::Other), "OTHER"); }

}  // namespace
}  // namespace edge::policies

namespace edge::policies {
namespace {
TEST(ParseContentLength, DigitsOnly) {
  EXPECT_EQ(parseContentLength("0"), 0u);
  EXPECT_EQ(parseContentLength("1073741824"), 1073741824u);
  EXPECT_EQ(parseContentLength(""), std::nullopt);
  EXPECT_EQ(parseContentLength("-1"), std::nullopt);
  EXPECT_EQ(parseContentLength("12 "), std::nullopt);
  EXPECT_EQ(parseContentLength("1,2"), std::nullopt);
  EXPECT_EQ(parseContentLength("99999999999999999999999"), std::nullopt);
}

TEST(PercentDecode, EscapesBecomeBytesAndBadEscapesFail) {
  EXPECT_EQ(percentDecode("a%2Fb%7e%20c+d"), "a/b~ c+d");
  EXPECT_EQ(percentDecode("%00"), std::string(1, '\0'));
  EXPECT_EQ(percentDecode(""), "");
  EXPECT_EQ(percentDecode("%"), std::nullopt);
  EXPECT_EQ(percentDecode("%4"), std::nullopt);
  EXPECT_EQ(percentDecode("a%g1"), std::nullopt);
  EXPECT_EQ(hexDigitValue('F'), 15);
  EXPECT_EQ(hexDigitValue('g'), -1);
}

TEST(ForEachCookie, CrumbsOfEveryCookieHeaderInOrder) {
  const HeaderList h{{"Cookie", " a=1 ;b= 2;;c"}, {"Accept", "x"}, {"cookie", "d=4=4"}};
  std::string seen;
  forEachCookie(h, [&](std::string_view name, std::string_view crumb) {
    seen += std::string(name) + "|" + std::string(crumb) + ";";
  });
  EXPECT_EQ(seen, "a|a=1;b|b= 2;c|c;d|d=4=4;");
}

TEST(ForEachQueryParam, ByteExactWithEmptyParams) {
  std::vector<std::string> seen;
  forEachQueryParam("a=1&&b&c=%26=&", [&](std::string_view param, std::string_view name) {
    seen.push_back(std::string(param) + "|" + std::string(name));
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"a=1|a", "|", "b|b", "c=%26=|c", "|"}));
  seen.clear();
  forEachQueryParam("", [&](std::string_view p, std::string_view) { seen.emplace_back(p); });
  EXPECT_TRUE(seen.empty());
}
}  // namespace
}  // namespace edge::policies
