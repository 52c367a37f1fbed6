#include "policies/ascii.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "policies/http_types.h"

namespace edge::policies {
namespace {

// Every literal the hot scans use, plus short ones for the byte-wise path.
const char* const kLiterals[] = {
    "date", "vary", "expires", "set-cookie", "cache-control", "accept-encoding", "gzip", "br",
    "max-age", "s-maxage", "no-store", "no-cache", "private", "public", "immutable",
    "no-transform", "stale-if-error", "must-revalidate", "proxy-revalidate",
    "stale-while-revalidate", "a", "x-1", "abcdefgh", "abcdefghi"};

// Exhaustive: every single-byte change at every position agrees with iequals.
TEST(Ascii, EqualsLowerAgreesWithIequals) {
  for (const char* lit : kLiterals) {
    const std::string l(lit);
    for (size_t i = 0; i < l.size(); ++i) {
      for (int c = 0; c < 256; ++c) {
        std::string s = l;
        s[i] = static_cast<char>(c);
        ASSERT_EQ(equalsLower(s, l), iequals(s, l)) << lit << " pos " << i << " byte " << c;
      }
    }
    std::string upper = l;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_TRUE(equalsLower(upper, l)) << lit;
    EXPECT_FALSE(equalsLower(l + "x", l)) << lit;
    EXPECT_FALSE(equalsLower(l.substr(1), l)) << lit;
  }
  EXPECT_TRUE(equalsLower("", ""));
}

TEST(Ascii, FindEitherMatchesScalarScan) {
  std::mt19937 rng(42);
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s(rng() % 40, 'x');
    for (char& c : s) {
      const unsigned r = rng() % 10;
      c = r == 0 ? ',' : r == 1 ? ';' : r == 2 ? static_cast<char>(rng() % 256) : 'a';
    }
    for (size_t start = 0; start <= s.size(); ++start) {
      const char* b = s.data() + start;
      const char* e = s.data() + s.size();
      const char* want = b;
      while (want != e && *want != ',' && *want != ';') ++want;
      ASSERT_EQ(findEither(b, e, ',', ';'), want) << s << " from " << start;
    }
  }
}

TEST(Ascii, TrimOwsInline) {
  EXPECT_EQ(trimOwsInline(" \tgzip \t"), "gzip");
  EXPECT_EQ(trimOwsInline("   "), "");
  EXPECT_EQ(trimOwsInline("a b"), "a b");
}

}  // namespace
}  // namespace edge::policies
