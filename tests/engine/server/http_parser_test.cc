// Tests for engine/server/http_parser.cc: llhttp in strict mode plus edged's limits.
#include "engine/server/http_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edge::engine {
namespace {

struct Collected : RequestSink {
  std::vector<RequestHead> heads;
  std::string body;
  int completes = 0;
  void onHead(RequestHead&& h) override { heads.push_back(std::move(h)); }
  void onBody(const char* d, size_t n) override { body.append(d, n); }
  void onMessageComplete() override { ++completes; }
};

struct Outcome {
  RequestParser::State state;
  int status = 0;
  size_t messages = 0;
};

// Feeds `input` whole (or byte by byte), taking pipelined messages one at a time.
Outcome parseAll(const std::string& input, Collected& c, ParserLimits limits = {}, bool bytewise = false) {
  RequestParser p(limits, c);
  size_t off = 0;
  RequestParser::State last = RequestParser::State::NeedMore;
  while (off < input.size()) {
    const size_t n = bytewise ? 1 : input.size() - off;
    auto r = p.feed(input.data() + off, n);
    off += r.consumed;
    last = r.state;
    if (r.state == RequestParser::State::Error) return {last, p.error().status, c.heads.size()};
    if (r.state == RequestParser::State::MessageDone) p.resume();
  }
  return {last, 0, c.heads.size()};
}

// The obs-fold scan re-arms for each pipelined request: a folded second request that arrives in
// the same read as the first is refused too (the first is delivered, the second never is).
TEST(HttpParser, ObsFoldInASecondPipelinedRequestOfTheSameReadIsRefused) {
  for (bool bytewise : {false, true}) {
    Collected c;
    auto o = parseAll("GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /b HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n",
                      c, {}, bytewise);
    EXPECT_EQ(o.state, RequestParser::State::Error) << bytewise;
    EXPECT_EQ(o.status, 400) << bytewise;
    ASSERT_EQ(c.heads.size(), 1u) << bytewise;
    EXPECT_EQ(c.heads[0].request.path, "/a");
  }
}

TEST(HttpParser, SimpleGetFillsTheHead) {
  Collected c;
  auto o = parseAll("GET /a/b.jpg?x=1&y HTTP/1.1\r\nHost: example.com\r\nX-A:  v  \r\n\r\n", c);
  ASSERT_EQ(o.state, RequestParser::State::MessageDone);
  ASSERT_EQ(c.heads.size(), 1u);
  const auto& r = c.heads[0].request;
  EXPECT_EQ(r.method_name, "GET");
  EXPECT_EQ(r.path, "/a/b.jpg");
  EXPECT_EQ(r.query, "x=1&y");
  EXPECT_TRUE(r.has_query);
  EXPECT_EQ(r.http_minor, 1);
  EXPECT_EQ(r.headers.get("x-a").value_or(""), "v");
  EXPECT_TRUE(c.heads[0].keep_alive);
  EXPECT_FALSE(r.has_body);
}

TEST(HttpParser, ByteAtATimeGivesTheSameResult) {
  Collected c;
  auto o = parseAll("POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", c, {}, true);
  EXPECT_EQ(o.state, RequestParser::State::MessageDone);
  ASSERT_EQ(c.heads.size(), 1u);
  EXPECT_EQ(c.body, "hello");
  EXPECT_TRUE(c.heads[0].request.has_body);
}

TEST(HttpParser, PipelinedRequestsComeOneAtATime) {
  Collected c;
  const std::string two = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n";
  RequestParser p({}, c);
  auto r1 = p.feed(two.data(), two.size());
  EXPECT_EQ(r1.state, RequestParser::State::MessageDone);
  EXPECT_EQ(r1.consumed, two.size() / 2);
  EXPECT_EQ(c.heads.size(), 1u);
  p.resume();
  auto r2 = p.feed(two.data() + r1.consumed, two.size() - r1.consumed);
  EXPECT_EQ(r2.state, RequestParser::State::MessageDone);
  ASSERT_EQ(c.heads.size(), 2u);
  EXPECT_EQ(c.heads[1].request.path, "/2");
}

TEST(HttpParser, ChunkedBodyIsDechunked) {
  Collected c;
  auto o = parseAll(
      "POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", c);
  EXPECT_EQ(o.state, RequestParser::State::MessageDone);
  EXPECT_EQ(c.body, "hello world");
  EXPECT_TRUE(c.heads[0].chunked);
}

TEST(HttpParser, Http10DefaultsToClose) {
  Collected c;
  parseAll("GET / HTTP/1.0\r\n\r\n", c);
  ASSERT_EQ(c.heads.size(), 1u);
  EXPECT_FALSE(c.heads[0].keep_alive);
  Collected k;
  parseAll("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", k);
  EXPECT_TRUE(k.heads[0].keep_alive);
}

// Request smuggling and malformed input: every row must be rejected with its status.
struct RejectCase {
  const char* name;
  std::string input;
  int status;
};
class HttpParserRejects : public ::testing::TestWithParam<RejectCase> {};

TEST_P(HttpParserRejects, WithStatus) {
  Collected c;
  auto o = parseAll(GetParam().input, c);
  EXPECT_EQ(o.state, RequestParser::State::Error) << GetParam().name;
  EXPECT_EQ(o.status, GetParam().status) << GetParam().name;
}

INSTANTIATE_TEST_SUITE_P(
    Smuggling, HttpParserRejects,
    ::testing::Values(
        RejectCase{"garbage", "GARBAGE\r\n\r\n", 400},
        RejectCase{"space_in_url", "GET /a b HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        RejectCase{"header_without_colon", "GET / HTTP/1.1\r\nHost h\r\n\r\n", 400},
        RejectCase{"cl_and_te", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400},
        RejectCase{"duplicate_cl", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400},
        RejectCase{"chunk_data_without_crlf", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX0\r\n\r\n", 400},
        RejectCase{"te_chunked_identity", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", 400},
        RejectCase{"space_before_colon", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length : 3\r\n\r\nabc", 400},
        RejectCase{"bare_lf", "GET / HTTP/1.1\nHost: h\n\n", 400},
        RejectCase{"nul_in_header", std::string("GET / HTTP/1.1\r\nHost: h\r\nX: a") + '\0' + "b\r\n\r\n", 400},
        RejectCase{"missing_host_11", "GET / HTTP/1.1\r\nX: y\r\n\r\n", 400},
        RejectCase{"duplicate_host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        RejectCase{"absolute_form", "GET http://evil/ HTTP/1.1\r\nHost: h\r\n\r\n", 400},
        RejectCase{"http2_line", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 400},
        RejectCase{"bad_chunk_size", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400},
        RejectCase{"expect_unknown", "GET / HTTP/1.1\r\nHost: h\r\nExpect: magic\r\n\r\n", 417}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(HttpParserLimits, UrlOverTheLimitIs413) {
  ParserLimits l;
  l.max_url_bytes = 100;
  Collected c;
  auto o = parseAll("GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", c, l);
  EXPECT_EQ(o.state, RequestParser::State::Error);
  EXPECT_EQ(o.status, 413);
  Collected ok;
  auto o2 = parseAll("GET /" + std::string(98, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n", ok, l);
  EXPECT_EQ(o2.state, RequestParser::State::MessageDone);
}

TEST(HttpParserLimits, HeadOverTheLimitIs413EvenWithoutItsEnd) {
  ParserLimits l;
  l.max_head_bytes = 1000;
  Collected c;
  auto o = parseAll("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(2000, 'v'), c, l);
  EXPECT_EQ(o.state, RequestParser::State::Error);
  EXPECT_EQ(o.status, 413);
}

TEST(HttpParserLimits, HeadJustUnderTheLimitPasses) {
  ParserLimits l;
  const std::string start = "GET / HTTP/1.1\r\nHost: h\r\nX-Big: ";
  // Whole head = start + value + "\r\n\r\n".
  l.max_head_bytes = 1000;
  Collected c;
  auto o = parseAll(start + std::string(1000 - start.size() - 4, 'v') + "\r\n\r\n", c, l);
  EXPECT_EQ(o.state, RequestParser::State::MessageDone);
}

TEST(HttpParserLimits, TooManyHeadersIs413) {
  ParserLimits l;
  l.max_header_count = 5;
  std::string req = "GET / HTTP/1.1\r\nHost: h\r\n";
  for (int i = 0; i < 5; ++i) req += "X-" + std::to_string(i) + ": v\r\n";
  Collected c;
  auto o = parseAll(req + "\r\n", c, l);
  EXPECT_EQ(o.status, 413);
}

TEST(HttpParserLimits, BodyOverTheLimitIs413) {
  ParserLimits l;
  l.max_body_bytes = 10;
  Collected c;
  auto o = parseAll("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", c, l);
  EXPECT_EQ(o.status, 413);
  Collected d;
  auto o2 = parseAll("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n01234567890\r\n0\r\n\r\n", d, l);
  EXPECT_EQ(o2.status, 413);
}

}  // namespace
}  // namespace edge::engine
