// Malformed viewer requests get 400 and a closed connection, and edged keeps serving.
#include <gtest/gtest.h>

#include "support/harness.h"

namespace edge::itest {
namespace {

// Sends `request` on a fresh connection; expects one 400 response and then the close.
void expect400AndClose(uint16_t port, std::string_view request) {
  ReadResult rr = rawExchange(port, request, Ms(5000));
  EXPECT_TRUE(rr.closed) << "connection not closed after a malformed request; got: " << rr.data;
  auto outcome = parseResponse(rr.data, false, /*at_eof=*/true);
  ASSERT_EQ(outcome.status, ParseStatus::Complete) << "no complete response: '" << rr.data << "'";
  EXPECT_EQ(outcome.response.status, 400) << outcome.response;
}

void expectStillServing(const Edged& edged) {
  Http http;
  HttpResponse r = http.get(edged.url("/size/3"), {}, RequestOptions{Ms(5000)});
  EXPECT_EQ(r.status, 200) << r;
  EXPECT_EQ(r.body, "abc");
}

class Malformed : public ::testing::Test {
 protected:
  TestOrigin origin_;
  Edged edged_{baseConfig(), origin_.port()};
};

TEST_F(Malformed, GarbageRequestLine) {
  expect400AndClose(edged_.port(), "GARBAGE\r\n\r\n");
  expectStillServing(edged_);
}

TEST_F(Malformed, SpaceInsideUrl) {
  expect400AndClose(edged_.port(), "GET /a b HTTP/1.1\r\nHost: x\r\n\r\n");
  expectStillServing(edged_);
}

TEST_F(Malformed, HeaderLineWithoutColon) {
  expect400AndClose(edged_.port(), "GET /size/3 HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n");
  expectStillServing(edged_);
}

TEST_F(Malformed, NulInHeaderValue) {
  std::string request = "GET /size/3 HTTP/1.1\r\nHost: x\r\nX-A: a";
  request.push_back('\0');
  request += "b\r\n\r\n";
  expect400AndClose(edged_.port(), request);
  expectStillServing(edged_);
}

TEST_F(Malformed, BadRequestAfterGoodOneOnSameConnection) {
  RawClient c(edged_.port());
  ASSERT_TRUE(c.send("GET /size/2 HTTP/1.1\r\nHost: x\r\n\r\nBROKEN LINE\r\n\r\n"));
  ReadResult rr = c.readUntilClosed(Ms(5000));
  EXPECT_TRUE(rr.closed) << rr.data;
  auto responses = parseResponses(rr.data, true);
  ASSERT_EQ(responses.size(), 2u) << rr.data;
  EXPECT_EQ(responses[0].status, 200);
  EXPECT_EQ(responses[0].body, "ab");
  EXPECT_EQ(responses[1].status, 400);
  expectStillServing(edged_);
}

TEST_F(Malformed, OriginNeverSeesMalformedRequests) {
  origin_.resetStats();
  rawExchange(edged_.port(), "GARBAGE\r\n\r\n", Ms(3000));
  rawExchange(edged_.port(), "GET /echo/x y HTTP/1.1\r\nHost: x\r\n\r\n", Ms(3000));
  rawExchange(edged_.port(), "GET /echo/z HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", Ms(3000));
  EXPECT_EQ(origin_.stats().requests, 0u) << origin_.stats();
}

}  // namespace
}  // namespace edge::itest
