#include "engine/server/response_writer.h"

#include <gtest/gtest.h>

namespace edge::engine {
namespace {

TEST(ResponseWriter, FramingFollowsMethodStatusAndVersion) {
  EXPECT_EQ(chooseFraming("HEAD", 200, true, 1), BodyFraming::None);
  EXPECT_EQ(chooseFraming("GET", 304, true, 1), BodyFraming::None);
  EXPECT_EQ(chooseFraming("GET", 204, false, 1), BodyFraming::None);
  EXPECT_EQ(chooseFraming("GET", 200, true, 1), BodyFraming::ContentLength);
  EXPECT_EQ(chooseFraming("GET", 200, false, 1), BodyFraming::Chunked);
  EXPECT_EQ(chooseFraming("GET", 200, false, 0), BodyFraming::CloseDelimited);
}

TEST(ResponseWriter, HeadIgnoresFramingHeadersFromTheList) {
  std::string out;
  policies::HeaderList h{{"Content-Type", "text/plain"}, {"Content-Length", "999"},
                         {"Transfer-Encoding", "chunked"}, {"Connection", "close"}};
  appendResponseHead(out, 200, h, BodyFraming::ContentLength, 5, true, false);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
            "Connection: keep-alive\r\n\r\n");
}

TEST(ResponseWriter, ChunkedHeadAndChunks) {
  std::string out;
  appendResponseHead(out, 404, {}, BodyFraming::Chunked, 0, false, false);
  EXPECT_EQ(out, "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
  out.clear();
  appendChunk(out, "hello world, this is 26 b.", 26);
  EXPECT_EQ(out, "1a\r\nhello world, this is 26 b.\r\n");
  out.clear();
  appendChunk(out, "", 0);
  EXPECT_TRUE(out.empty());
}

TEST(ResponseWriter, HeadResponseMayCarryTheLength) {
  std::string out;
  appendResponseHead(out, 200, {}, BodyFraming::None, 1234, true, true);
  EXPECT_NE(out.find("Content-Length: 1234\r\n"), std::string::npos);
}

}  // namespace
}  // namespace edge::engine
