#include "policies/range.h"

#include <gtest/gtest.h>

namespace edge::policies {
namespace {

struct Row {
  const char* name;
  std::optional<std::string> header;
  uint64_t length;
  RangeDecision expected;
  Method method = Method::Get;
};
std::ostream& operator<<(std::ostream& os, const Row& r) { return os << r.name; }

RangeDecision full(RangeIgnored why = RangeIgnored::NotIgnored) {
  return {RangeOutcome::Full, why, {}};
}
RangeDecision partial(uint64_t a, uint64_t b) {
  return {RangeOutcome::Partial, RangeIgnored::NotIgnored, {{a, b}}};
}
RangeDecision multi(std::vector<ByteRange> r) {
  return {RangeOutcome::Multipart, RangeIgnored::NotIgnored, std::move(r)};
}
const RangeDecision k416{RangeOutcome::Unsatisfiable, RangeIgnored::NotIgnored, {}};

using I = RangeIgnored;
const Row kRows[] = {
    {"NoRange", std::nullopt, 1000, full()},
    {"FirstLast", "bytes=0-99", 1000, partial(0, 99)},
    {"OpenEnded", "bytes=500-", 1000, partial(500, 999)},
    {"Suffix", "bytes=-100", 1000, partial(900, 999)},
    {"SuffixLongerThanObject", "bytes=-5000", 1000, partial(0, 999)},
    {"LastBeyondEndClamped", "bytes=0-5000", 1000, partial(0, 999)},
    {"LastByte", "bytes=999-999", 1000, partial(999, 999)},
    {"UnitCaseInsensitive", "BYTES=0-0", 1000, partial(0, 0)},
    {"Whitespace", " bytes=1-2 ", 1000, partial(1, 2)},
    // §9.1: start at or beyond the length → 416.
    {"StartAtLength", "bytes=1000-", 1000, k416},
    {"StartBeyondLength", "bytes=1000-2000", 1000, k416},
    {"SuffixZero", "bytes=-0", 1000, k416},
    {"EmptyObject", "bytes=0-", 0, k416},
    {"EmptyObjectSuffix", "bytes=-5", 0, k416},
    // Several valid ranges → multipart/byteranges (inf).
    {"TwoRanges", "bytes=0-9,20-29", 1000, multi({{0, 9}, {20, 29}})},
    {"ThreeRangesSpaces", "bytes=0-9, 20-29,\t40-", 1000, multi({{0, 9}, {20, 29}, {40, 999}})},
    {"AdjacentRangesAllowed", "bytes=100-199,200-299", 1000, multi({{100, 199}, {200, 299}})},
    {"EmptyListElements", "bytes=0-1,,5-6,", 1000, multi({{0, 1}, {5, 6}})},
    {"UnsatisfiableTailDropped", "bytes=0-9,2000-3000", 1000, partial(0, 9)},
    {"AllUnsatisfiable", "bytes=1000-1001,2000-", 1000, k416},
    // §9.1: invalid headers → 200 with the whole object.
    {"NotAscending", "bytes=300-400,100-200", 1000, full(I::NotAscending)},
    {"Overlapping", "bytes=100-200,150-250", 1000, full(I::Overlapping)},
    {"SharingOneByte", "bytes=100-200,200-300", 1000, full(I::Overlapping)},
    {"SuffixBeforeFirst", "bytes=-10,0-5", 1000, full(I::NotAscending)},
    {"Duplicate", "bytes=0-5,0-5", 1000, full(I::Overlapping)},
    {"LastBeforeFirst", "bytes=200-100", 1000, full(I::Malformed)},
    {"NegativeFirst", "bytes=-5-10", 1000, full(I::Malformed)},
    {"DashOnly", "bytes=-", 1000, full(I::Malformed)},
    {"Letters", "bytes=a-b", 1000, full(I::Malformed)},
    {"Hex", "bytes=0x10-20", 1000, full(I::Malformed)},
    {"Plus", "bytes=+1-2", 1000, full(I::Malformed)},
    {"NoDash", "bytes=100", 1000, full(I::Malformed)},
    {"TwoDashes", "bytes=1-2-3", 1000, full(I::Malformed)},
    {"Overflow", "bytes=99999999999999999999-", 1000, full(I::Malformed)},
    {"EmptySet", "bytes=", 1000, full(I::Malformed)},
    {"OnlyCommas", "bytes=,,", 1000, full(I::Malformed)},
    {"NoEquals", "bytes 0-1", 1000, full(I::Malformed)},
    {"OneBadSpoilsAll", "bytes=0-1,x-2", 1000, full(I::Malformed)},
    {"OtherUnit", "items=0-1", 1000, full(I::OtherUnit)},
    // RFC 9110 §14.2: only GET.
    {"HeadIgnored", "bytes=0-1", 1000, full(I::NotGet), Method::Head},
    {"PostIgnored", "bytes=0-1", 1000, full(I::NotGet), Method::Post},
};

class DecideRange : public testing::TestWithParam<Row> {};
TEST_P(DecideRange, Decides) {
  const Row& r = GetParam();
  const std::optional<std::string_view> h =
      r.header ? std::optional<std::string_view>(*r.header) : std::nullopt;
  EXPECT_EQ(decideRange(r.method, h, r.length), r.expected);
}
INSTANTIATE_TEST_SUITE_P(Range, DecideRange, testing::ValuesIn(kRows),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(Range, ContentRangeFormats) {
  EXPECT_EQ(formatContentRange({0, 99}, 1000), "bytes 0-99/1000");
  EXPECT_EQ(formatContentRange({999, 999}, 1000), "bytes 999-999/1000");
  EXPECT_EQ(formatUnsatisfiedRange(1000), "bytes */1000");
  EXPECT_EQ((ByteRange{10, 19}).length(), 10u);
}

TEST(Range, PrintsDecision) {
  std::ostringstream os;
  os << decideRange(Method::Get, "bytes=0-9,20-29", 100) << ' '
     << decideRange(Method::Get, "bytes=5-1", 100);
  EXPECT_EQ(os.str(), "{multipart 0-9 20-29} {full (malformed)}");
}

}  // namespace
}  // namespace edge::policies
