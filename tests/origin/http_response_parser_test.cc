#include "origin/http_response_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace edge::origin {
namespace {

struct Sink : ResponseSink {
  int heads = 0;
  int status = 0;
  policies::HeaderList headers;
  std::string body;
  int refuse = 0;  // refuse this many non-empty body calls
  std::string held;
  void onResponseHead(int s, policies::HeaderList&& h) override {
    ++heads;
    status = s;
    headers = std::move(h);
  }
  bool onResponseBody(const char* d, size_t n) override {
    if (n > 0 && refuse > 0) {
      --refuse;
      held.assign(d, n);
      return false;
    }
    body.append(d, n);
    return true;
  }
};

constexpr size_t kLimit = 20480;

// Feeds `bytes` in pieces of `piece`, offering refused bytes again and resuming as HttpFetch does.
ResponseParser::State feedAll(ResponseParser& p, Sink& sink, std::string_view bytes, size_t piece) {
  ResponseParser::State last = ResponseParser::State::NeedMore;
  for (size_t off = 0; off < bytes.size();) {
    std::string_view in = bytes.substr(off, piece);
    off += in.size();
    while (true) {
      static const char kNothing = 0;
      const auto r = p.feed(in.empty() ? &kNothing : in.data(), in.size());
      last = r.state;
      if (r.state != ResponseParser::State::Paused) break;
      sink.body += sink.held;
      sink.held.clear();
      p.resume();
      in.remove_prefix(r.consumed);
    }
    if (last != ResponseParser::State::NeedMore) return last;
  }
  return last;
}

// RFC 9112 §5.2: a gateway that receives obs-fold in a response MUST answer 502 or replace each
// fold with SP before interpreting the value. llhttp ends the field value at the fold and frames
// the body its own way (`Transfer-Encoding: chunked` + a folded line was read close-delimited,
// the chunk framing passed on as body bytes: found by origin_response_fuzz's long run), so a
// fold anywhere in a head is an invalid response, as a folded request is a 400.
TEST(ResponseParser, ObsFoldInAHeadIsAnError) {
  const char* kCases[] = {
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\t\t\r\n\r\n1\r\nk\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nX-A: a\r\n b\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.1 200 OK\r\nContent-Length:\r\n 2\r\n\r\nok",
      "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\t; rel=preload\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-A: a\n b\nContent-Length: 2\n\nok",
  };
  for (const char* bytes : kCases) {
    for (size_t piece : {1, 5, 1000}) {
      Sink sink;
      ResponseParser p(sink, kLimit);
      p.reset(false);
      EXPECT_EQ(feedAll(p, sink, bytes, piece), ResponseParser::State::Error)
          << piece << ": " << bytes;
      EXPECT_EQ(sink.heads, 0) << piece << ": " << bytes;
      EXPECT_TRUE(sink.body.empty());
    }
  }
  // Whitespace inside a value, or at the start of a body, is no fold.
  Sink sink;
  ResponseParser p(sink, kLimit);
  p.reset(false);
  EXPECT_EQ(feedAll(p, sink, "HTTP/1.1 200 OK\r\nX-A: a \t b\r\nContent-Length: 3\r\n\r\n\t x", 1),
            ResponseParser::State::Complete);
  EXPECT_EQ(sink.headers.get("x-a"), "a \t b");
  EXPECT_EQ(sink.body, "\t x");
}

// The head passed on has its values trimmed of SP/HTAB; llhttp frames the body on the raw value
// and takes `chunked` followed by a tab for another coding (close-delimited). Both readings must
// say chunked, or the response is invalid (origin_response_fuzz, the long run).
TEST(ResponseParser, ChunkedMustBeChunkedForLlhttpAndForTheHead) {
  for (const char* te : {"chunked \t", "chunked\t", "gzip, chunked\t  "}) {
    for (size_t piece : {1, 1000}) {
      Sink sink;
      ResponseParser p(sink, kLimit);
      p.reset(false);
      const std::string bytes = std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: ") + te +
                                "\r\n\r\n1\r\nk\r\n0\r\n\r\n";
      const auto s = feedAll(p, sink, bytes, piece);
      EXPECT_EQ(s, ResponseParser::State::Error) << te << " " << piece;
      EXPECT_EQ(sink.heads, 0) << te;
    }
  }
  // Trailing spaces are fine for both readings: chunked, decoded.
  Sink sink;
  ResponseParser p(sink, kLimit);
  p.reset(false);
  EXPECT_EQ(feedAll(p, sink, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked  \r\n\r\n1\r\nk\r\n0\r\n\r\n", 3),
            ResponseParser::State::Complete);
  EXPECT_EQ(sink.body, "k");
}

TEST(ResponseParser, ContentLengthInPieces) {
  for (size_t piece : {1, 3, 1000}) {
    Sink sink;
    ResponseParser p(sink, kLimit);
    p.reset(false);
    const auto s = feedAll(p, sink, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: v \t\r\n\r\nhello",
                           piece);
    EXPECT_EQ(s, ResponseParser::State::Complete) << piece;
    EXPECT_EQ(sink.status, 200);
    EXPECT_EQ(sink.body, "hello");
    EXPECT_EQ(sink.headers.get("x-a"), "v");
    EXPECT_TRUE(p.keepAlive());
  }
}

TEST(ResponseParser, RefusedBodyIsNotDeliveredTwice) {
  Sink sink;
  sink.refuse = 2;
  ResponseParser p(sink, kLimit);
  p.reset(false);
  const auto s = feedAll(p, sink,
                         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n",
                         7);
  EXPECT_EQ(s, ResponseParser::State::Complete);
  EXPECT_EQ(sink.body, "abcdefg");
}

TEST(ResponseParser, CloseDelimitedCompletesOnlyAtEof) {
  Sink sink;
  ResponseParser p(sink, kLimit);
  p.reset(false);
  EXPECT_EQ(feedAll(p, sink, "HTTP/1.1 200 OK\r\n\r\nsome body", 4), ResponseParser::State::NeedMore);
  EXPECT_FALSE(p.complete());
  EXPECT_TRUE(p.finishAtEof());
  EXPECT_EQ(sink.body, "some body");
}

TEST(ResponseParser, TruncatedContentLengthIsNotCompleteAtEof) {
  Sink sink;
  ResponseParser p(sink, kLimit);
  p.reset(false);
  feedAll(p, sink, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", 100);
  EXPECT_FALSE(p.finishAtEof());
  EXPECT_EQ(sink.body, "short");
}

TEST(ResponseParser, InterimResponsesAreSkipped) {
  Sink sink;
  ResponseParser p(sink, kLimit);
  p.reset(false);
  const auto s = feedAll(p, sink,
                         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n"
                         "HTTP/1.1 204 No Content\r\n\r\n",
                         5);
  EXPECT_EQ(s, ResponseParser::State::Complete);
  EXPECT_EQ(sink.heads, 1);
  EXPECT_EQ(sink.status, 204);
  EXPECT_FALSE(sink.headers.has("link"));
}

// §1.9: one 100 Continue at most; other interim responses are bounded (an endless stream of
// them would count as progress forever). Found by OriginFaults (1xx floods).
TEST(ResponseParser, SecondContinueIsAnError) {
  Sink sink;
  ResponseParser p(sink, kLimit);
  p.reset(false);
  const auto s = feedAll(p, sink,
                         "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
                         "HTTP/1.1 204 No Content\r\n\r\n",
                         7);
  EXPECT_EQ(s, ResponseParser::State::Error);
  EXPECT_EQ(sink.heads, 0);
}

TEST(ResponseParser, InterimResponsesAreBounded) {
  for (int n : {8, 9}) {
    std::string bytes;
    for (int i = 0; i < n; ++i) bytes += "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n";
    bytes += "HTTP/1.1 204 No Content\r\n\r\n";
    Sink sink;
    ResponseParser p(sink, kLimit);
    p.reset(false);
    const auto s = feedAll(p, sink, bytes, 11);
    EXPECT_EQ(s, n <= 8 ? ResponseParser::State::Complete : ResponseParser::State::Error) << n;
    EXPECT_EQ(sink.heads, n <= 8 ? 1 : 0) << n;
  }
}

TEST(ResponseParser, HeadResponseHasNoBody) {
  Sink sink;
  ResponseParser p(sink, kLimit);
  p.reset(/*head_request=*/true);
  const auto r = p.feed("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n", 40);
  EXPECT_EQ(r.state, ResponseParser::State::Complete);
  EXPECT_EQ(r.consumed, 40u);
  EXPECT_EQ(sink.body, "");
}

// origin_response_fuzz: a 101 completed with no head delivered.
TEST(ResponseParser, SwitchingProtocolsIsAnError) {
  Sink sink;
  ResponseParser p(sink, kLimit);
  p.reset(false);
  const std::string_view in = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
  EXPECT_EQ(p.feed(in.data(), in.size()).state, ResponseParser::State::Error);
  EXPECT_FALSE(p.complete());
  EXPECT_EQ(sink.heads, 0);
}

TEST(ResponseParser, HeadOverTheLimitIsHeadTooBig) {
  Sink sink;
  ResponseParser p(sink, 64);
  p.reset(false);
  const std::string in = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(100, 'b') + "\r\n\r\n";
  EXPECT_EQ(p.feed(in.data(), in.size()).state, ResponseParser::State::Error);
  EXPECT_TRUE(p.headTooBig());
}

}  // namespace
}  // namespace edge::origin
