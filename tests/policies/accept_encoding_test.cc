// normalizeAcceptEncoding / normalizedAcceptEncoding (policies/origin_request.cc, §2.3): the
// in-place scan the cache key uses must give exactly the documented normalisation.
#include <gtest/gtest.h>

#include "policies/origin_request.h"

namespace edge::policies {
namespace {

struct Row {
  const char* name;
  std::vector<std::string> lines;  // Accept-Encoding field lines
  bool gzip;
  bool brotli;
  const char* expected;  // "" = nullopt
};
std::ostream& operator<<(std::ostream& os, const Row& r) { return os << r.name; }

class NormalizeAcceptEncoding : public testing::TestWithParam<Row> {};
TEST_P(NormalizeAcceptEncoding, Normalises) {
  const Row& r = GetParam();
  ViewerRequest v;
  for (const std::string& l : r.lines) v.headers.add("Accept-Encoding", l);
  v.headers.add("Accept-Language", "gzip, br");  // same length, must not be read
  EXPECT_EQ(normalizedAcceptEncoding(v, r.gzip, r.brotli), r.expected);
  const auto owned = normalizeAcceptEncoding(v, r.gzip, r.brotli);
  EXPECT_EQ(owned.value_or(""), r.expected);
  EXPECT_EQ(owned.has_value(), std::string_view(r.expected) != "");
}
const Row kRows[] = {
    {"Browser", {"gzip, deflate, br, zstd"}, true, true, "br,gzip"},
    {"NoHeader", {}, true, true, ""},
    {"BothOff", {"gzip, br"}, false, false, ""},
    {"GzipOnlyPolicy", {"gzip, br"}, true, false, "gzip"},
    {"BrOnlyPolicy", {"gzip, br"}, false, true, "br"},
    {"NeitherAccepted", {"deflate, zstd"}, true, true, "identity"},
    {"EmptyValue", {""}, true, true, "identity"},
    {"CaseInsensitive", {"GZIP, Br"}, true, true, "br,gzip"},
    {"NoSpaces", {"br,gzip"}, true, true, "br,gzip"},
    {"SeveralLines", {"gzip", "br"}, true, true, "br,gzip"},
    {"QZeroRejects", {"gzip;q=0, br"}, true, true, "br"},
    {"QZeroDecimal", {"gzip;q=0.000, br;q=0.5"}, true, true, "br"},
    {"QUpperCase", {"gzip;Q=0"}, true, true, "identity"},
    {"SpaceBeforeParams", {"gzip ;q=0, br ; q=1"}, true, true, "br"},
    {"PositiveQ", {"gzip;q=0.1"}, true, true, "gzip"},
    {"OtherParamsAreFine", {"gzip;level=1"}, true, true, "gzip"},
    {"NotATokenMatch", {"x-gzip, gzipx, bro, b"}, true, true, "identity"},
    {"InnerSpaceIsNotGzip", {"gz ip, b r"}, true, true, "identity"},
    {"TrailingSeparators", {",, gzip ,, ,"}, true, true, "gzip"},
    {"Tabs", {"\tbr\t"}, true, true, "br"},
    {"StarIsNotGzip", {"*"}, true, true, "identity"},
};
INSTANTIATE_TEST_SUITE_P(OriginRequest, NormalizeAcceptEncoding, testing::ValuesIn(kRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(OriginRequestAcceptEncoding, Http10HasNone) {
  ViewerRequest v;
  v.http_minor = 0;
  v.headers.add("Accept-Encoding", "gzip");
  EXPECT_EQ(normalizedAcceptEncoding(v, true, true), "");
  EXPECT_EQ(normalizeAcceptEncoding(v, true, true), std::nullopt);
}

}  // namespace
}  // namespace edge::policies
