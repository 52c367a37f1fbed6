#include "policies/access_log_format.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace edge::policies {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// 2019-12-04 21:02:31.250 UTC
constexpr int64_t kEndMs = 1575493351250;

AccessLogRecord sampleRecord() {
  AccessLogRecord r;
  r.end_ms = kEndMs;
  r.edge_location = "LAX1";
  r.sc_bytes = 392;
  r.client_ip = "192.0.2.100";
  r.method = "GET";
  r.host = "d111111abcdef8.cloudfront.net";
  r.uri_stem = "/index.html";
  r.status = 200;
  r.user_agent = "Mozilla/5.0 (Windows NT 10.0; Win64; x64)";
  r.result_type = "Hit";
  r.request_id = "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==";
  r.host_header = "d111111abcdef8.cloudfront.net";
  r.protocol = "http";
  r.cs_bytes = 23;
  r.time_taken_ms = 1;
  r.response_result_type = "Hit";
  r.protocol_version = "HTTP/1.1";
  r.client_port = 11040;
  r.ttfb_ms = 1;
  r.detailed_result_type = "Hit";
  r.content_type = "text/html";
  r.content_length = 78;
  return r;
}

TEST(AccessLogFormat, HeaderHasVersionAndThe33FieldNames) {
  const std::string h(accessLogHeader());
  const auto lines = split(h, '\n');
  ASSERT_EQ(lines.size(), 3u);  // two lines, then the empty rest after the final '\n'
  EXPECT_EQ(lines[0], "#Version: 1.0");
  ASSERT_TRUE(lines[1].starts_with("#Fields: "));
  const auto names = split(lines[1].substr(9), ' ');
  ASSERT_EQ(names.size(), static_cast<size_t>(kAccessLogFieldCount));
  EXPECT_EQ(names.front(), "date");
  EXPECT_EQ(names[13], "x-edge-result-type");
  EXPECT_EQ(names[14], "x-edge-request-id");
  EXPECT_EQ(names[22], "x-edge-response-result-type");
  EXPECT_EQ(names[28], "x-edge-detailed-result-type");
  EXPECT_EQ(names.back(), "sc-range-end");
}

TEST(AccessLogFormat, SampleLineMatchesTheDocumentedLayout) {
  const std::string line = formatAccessLogLine(sampleRecord());
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  const auto f = split(line.substr(0, line.size() - 1), '\t');
  ASSERT_EQ(f.size(), static_cast<size_t>(kAccessLogFieldCount));
  const std::vector<std::string> want = {
      "2019-12-04", "21:02:31", "LAX1", "392", "192.0.2.100", "GET",
      "d111111abcdef8.cloudfront.net", "/index.html", "200", "-",
      "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)", "-", "-", "Hit",
      "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==",
      "d111111abcdef8.cloudfront.net", "http", "23", "0.001", "-", "-", "-", "Hit", "HTTP/1.1",
      "-", "-", "11040", "0.001", "Hit", "text/html", "78", "-", "-"};
  EXPECT_EQ(f, want);
}

TEST(AccessLogFormat, EmptyRecordIsAllDashesExceptNumbers) {
  AccessLogRecord r;
  r.end_ms = kEndMs;
  const std::string line = formatAccessLogLine(r);
  const auto f = split(line.substr(0, line.size() - 1), '\t');
  ASSERT_EQ(f.size(), static_cast<size_t>(kAccessLogFieldCount));
  EXPECT_EQ(f[3], "0");      // sc-bytes
  EXPECT_EQ(f[8], "000");    // sc-status: the viewer left before a response
  EXPECT_EQ(f[17], "0");     // cs-bytes
  EXPECT_EQ(f[18], "0.000");
  EXPECT_EQ(f[26], "0");     // c-port
  for (size_t i : {2u, 4u, 5u, 6u, 7u, 9u, 10u, 11u, 12u, 13u, 14u, 15u, 16u, 19u, 20u, 21u, 22u,
                   23u, 24u, 25u, 28u, 29u, 30u, 31u, 32u}) {
    EXPECT_EQ(f[i], "-") << "field " << i + 1;
  }
}

TEST(AccessLogFormat, StatusIsThreeDigits) {
  AccessLogRecord r = sampleRecord();
  r.status = 404;
  EXPECT_EQ(split(formatAccessLogLine(r), '\t')[8], "404");
}

TEST(AccessLogFormat, RangeFields) {
  AccessLogRecord r = sampleRecord();
  r.status = 206;
  r.range_start = 0;
  r.range_end = 99;
  const std::string line = formatAccessLogLine(r);
  const auto f = split(line.substr(0, line.size() - 1), '\t');
  EXPECT_EQ(f[31], "0");
  EXPECT_EQ(f[32], "99");
}

struct EncodeCase {
  std::string in;
  std::string out;
};
class AccessLogEncode : public ::testing::TestWithParam<EncodeCase> {};

TEST_P(AccessLogEncode, Encodes) { EXPECT_EQ(encodeAccessLogField(GetParam().in), GetParam().out); }

INSTANTIATE_TEST_SUITE_P(
    Cases, AccessLogEncode,
    ::testing::Values(
        EncodeCase{"", "-"}, EncodeCase{"plain", "plain"},
        EncodeCase{"a b", "a%20b"},
        EncodeCase{"<>\"#%{}|\\^~[]`'", "%3C%3E%22%23%25%7B%7D%7C%5C%5E%7E%5B%5D%60%27"},
        EncodeCase{"(;,)/?&=+:@!$*", "(;,)/?&=+:@!$*"},
        EncodeCase{std::string("\x00\x1f\t\n", 4), "%00%1F%09%0A"},
        EncodeCase{"\x7f\x80\xff", "%7F%80%FF"},
        EncodeCase{"caf\xc3\xa9", "caf%C3%A9"}, EncodeCase{"-", "-"}));

TEST(AccessLogFormat, TabsAndNewlinesInValuesCannotBreakTheLine) {
  AccessLogRecord r = sampleRecord();
  r.user_agent = "evil\tagent\nnext";
  r.uri_query = "a=1\r\n";
  const std::string line = formatAccessLogLine(r);
  EXPECT_EQ(split(line, '\n').size(), 2u);
  EXPECT_EQ(split(line.substr(0, line.size() - 1), '\t').size(),
            static_cast<size_t>(kAccessLogFieldCount));
}

TEST(AccessLogFormat, DatesAndTimes) {
  EXPECT_EQ(accessLogDate(0), "1970-01-01");
  EXPECT_EQ(accessLogTime(0), "00:00:00");
  EXPECT_EQ(accessLogDate(kEndMs), "2019-12-04");
  EXPECT_EQ(accessLogTime(kEndMs), "21:02:31");
  EXPECT_EQ(accessLogDate(951782400000 - 1), "2000-02-28");  // 23:59:59.999
  EXPECT_EQ(accessLogTime(951782400000 - 1), "23:59:59");
  EXPECT_EQ(accessLogDate(951782400000), "2000-02-29");
}

// The formatter keeps the last second's date and time per thread: lines of other seconds, in
// any order, still get their own.
TEST(AccessLogFormat, EachLineGetsItsOwnSecondAfterAnother) {
  AccessLogRecord r = sampleRecord();
  const auto dateTimeOf = [&](int64_t ms) {
    r.end_ms = ms;
    const auto f = split(formatAccessLogLine(r), '\t');
    return f.at(0) + " " + f.at(1);
  };
  EXPECT_EQ(dateTimeOf(kEndMs), "2019-12-04 21:02:31");
  EXPECT_EQ(dateTimeOf(kEndMs + 749), "2019-12-04 21:02:31");
  EXPECT_EQ(dateTimeOf(kEndMs + 750), "2019-12-04 21:02:32");
  EXPECT_EQ(dateTimeOf(kEndMs - 251), "2019-12-04 21:02:30");
  EXPECT_EQ(dateTimeOf(kEndMs + 3 * 3600 * 1000), "2019-12-05 00:02:31");
  EXPECT_EQ(dateTimeOf(kEndMs), "2019-12-04 21:02:31");
}

// appendAccessLogLine adds to what the buffer holds; formatAccessLogLine is the same line.
TEST(AccessLogFormat, AppendAddsTheSameLine) {
  std::string buf = "before\n";
  appendAccessLogLine(buf, sampleRecord());
  EXPECT_EQ(buf, "before\n" + formatAccessLogLine(sampleRecord()));
}

TEST(AccessLogFormat, Seconds) {
  EXPECT_EQ(accessLogSeconds(0), "0.000");
  EXPECT_EQ(accessLogSeconds(82), "0.082");
  EXPECT_EQ(accessLogSeconds(1000), "1.000");
  EXPECT_EQ(accessLogSeconds(12345), "12.345");
  EXPECT_EQ(accessLogSeconds(-5), "0.000");
}

TEST(AccessLogFormat, ContentRangeBounds) {
  auto b = parseContentRangeBounds("bytes 0-99/1000");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->first, 0u);
  EXPECT_EQ(b->last, 99u);
  b = parseContentRangeBounds("bytes 100-199/*");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->first, 100u);
  EXPECT_FALSE(parseContentRangeBounds("bytes */1000"));
  EXPECT_FALSE(parseContentRangeBounds("bytes 9-3/10"));
  EXPECT_FALSE(parseContentRangeBounds("items 0-1/2"));
  EXPECT_FALSE(parseContentRangeBounds(""));
}

}  // namespace
}  // namespace edge::policies
