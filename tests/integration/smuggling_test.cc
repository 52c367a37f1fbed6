// Request smuggling: ambiguous or broken body framing is rejected with 400 + close and nothing
// smuggled reaches the origin. llhttp 8.1 accepts chunk data followed by anything instead of
// CRLF (notes/dependencies.md §2), so edged must check that itself.
#include <gtest/gtest.h>

#include <thread>

#include "support/harness.h"

namespace edge::itest {
namespace {

constexpr std::string_view kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";

class Smuggling : public ::testing::Test {
 protected:
  void SetUp() override { origin_.resetStats(); }

  // Sends `request` (+ a smuggled GET), expects 400 as the only response, then the close.
  void expectRejected(const std::string& request) {
    ReadResult rr = rawExchange(edged_.port(), request + std::string(kSmuggled), Ms(5000));
    EXPECT_TRUE(rr.closed) << "connection not closed; got: " << rr.data;
    auto responses = parseResponses(rr.data, /*at_eof=*/true);
    ASSERT_FALSE(responses.empty()) << "no response: '" << rr.data << "'";
    EXPECT_EQ(responses[0].status, 400) << responses[0];
    EXPECT_EQ(responses.size(), 1u) << "more than one response: " << rr.data;
    std::this_thread::sleep_for(Ms(300));  // let anything wrongly forwarded arrive
    OriginStats s = origin_.stats();
    EXPECT_EQ(s.path("/smuggled"), 0u) << s;
  }

  TestOrigin origin_;
  Edged edged_{baseConfig(), origin_.port()};
};

TEST_F(Smuggling, ContentLengthWithTransferEncoding) {
  expectRejected(
      "POST /echo/s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
      "0\r\n\r\n");
  EXPECT_EQ(origin_.stats().requests, 0u) << origin_.stats();
}

TEST_F(Smuggling, TransferEncodingWithContentLength) {
  expectRejected(
      "POST /echo/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
      "0\r\n\r\n");
  EXPECT_EQ(origin_.stats().requests, 0u) << origin_.stats();
}

TEST_F(Smuggling, DuplicateContentLength) {
  expectRejected(
      "POST /echo/s HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
  EXPECT_EQ(origin_.stats().requests, 0u) << origin_.stats();
}

TEST_F(Smuggling, ChunkDataNotFollowedByCrlf) {
  // "hello" is followed by "XX" instead of CRLF; a lax parser skips two bytes and then sees the
  // last chunk, leaving the smuggled GET as a second request.
  expectRejected(
      "POST /echo/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhelloXX0\r\n\r\n");
}

TEST_F(Smuggling, ChunkedIsNotTheFinalEncoding) {
  expectRejected(
      "POST /echo/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
      "5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(origin_.stats().requests, 0u) << origin_.stats();
}

TEST_F(Smuggling, SpaceBeforeColonInContentLength) {
  expectRejected("POST /echo/s HTTP/1.1\r\nHost: x\r\nContent-Length : 5\r\n\r\nhello");
  EXPECT_EQ(origin_.stats().requests, 0u) << origin_.stats();
}

TEST_F(Smuggling, InvalidChunkSize) {
  expectRejected(
      "POST /echo/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "zz\r\nhello\r\n0\r\n\r\n");
}

TEST_F(Smuggling, WellFormedChunkedBodyIsNotRejected) {
  // Control: the same request with correct framing is forwarded, and the pipelined GET after it
  // is a legitimate second request.
  RawClient c(edged_.port());
  ASSERT_TRUE(
      c.send("POST /echo/s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
             "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
             "GET /size/2 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ReadResult rr = c.readResponses(2, Ms(5000));
  auto responses = parseResponses(rr.data);
  ASSERT_EQ(responses.size(), 2u) << rr.data;
  EXPECT_EQ(responses[0].status, 200);
  EchoInfo e = parseEcho(responses[0].body);
  EXPECT_EQ(e.body_length, 5u) << e;
  EXPECT_EQ(e.body_sha256, sha256Hex("hello"));
  EXPECT_EQ(responses[1].body, "ab");
}

}  // namespace
}  // namespace edge::itest
