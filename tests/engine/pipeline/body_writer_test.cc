// BodyWriter cuts an object's chunks by the response plan, sharing them (no copy), and
// OutputQueue keeps owned and shared pieces in order.
#include "engine/pipeline/body_writer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "engine/server/output_queue.h"

namespace edge::engine {
namespace {

// An Exchange that records the body bytes and which of them were shared.
class RecordingExchange final : public Exchange {
 public:
  const policies::ViewerRequest& request() const override { return req_; }
  Loop& loop() override { std::abort(); }
  uint64_t startedMs() const override { return 0; }
  void sendHead(int, policies::HeaderList&&, std::optional<uint64_t>, bool) override {}
  void sendBody(const char* data, size_t len) override { body.append(data, len); }
  void sendShared(const SharedBytes& bytes, size_t offset, size_t len) override {
    body.append(bytes->data() + offset, len);
    shared_bytes += len;
    last_shared = bytes;
  }
  void finish() override {}
  void abort() override {}
  bool headSent() const override { return true; }
  bool writeBlocked() const override { return false; }
  void pauseRequestBody(bool) override {}
  uint64_t bodyBytesSent() const override { return body.size(); }

  std::string body;
  size_t shared_bytes = 0;
  SharedBytes last_shared;

 private:
  policies::ViewerRequest req_;
};

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// Feeds `whole` in chunks of `chunk` bytes.
void feed(BodyWriter& w, const std::string& whole, size_t chunk) {
  for (size_t off = 0; off < whole.size() && !w.done(); off += chunk) {
    w.write(std::make_shared<const std::string>(whole.substr(off, chunk)));
  }
  w.end();
}

policies::ObjectResponsePlan planFor(std::string range, uint64_t length) {
  policies::ViewerRequest r;
  r.method = policies::Method::Get;
  if (!range.empty()) r.headers.add("Range", range);
  policies::HeaderList stored{{"Content-Type", "text/plain"}};
  return policies::planObjectResponse({r, 200, stored, length, 0});
}

TEST(BodyWriter, WholeBodyIsSharedNotCopied) {
  const std::string whole = pattern(1000);
  auto plan = planFor("", whole.size());
  RecordingExchange ex;
  BodyWriter w;
  w.begin(ex, plan);
  auto chunk = std::make_shared<const std::string>(whole);
  w.write(chunk);
  w.end();
  EXPECT_EQ(ex.body, whole);
  EXPECT_EQ(ex.shared_bytes, whole.size());
  EXPECT_EQ(ex.last_shared.get(), chunk.get());  // the very buffer
}

TEST(BodyWriter, RangesAcrossChunkBoundaries) {
  const std::string whole = pattern(1000);
  for (size_t chunk : {1u, 7u, 100u, 1000u}) {
    auto plan = planFor("bytes=95-205", whole.size());
    RecordingExchange ex;
    BodyWriter w;
    w.begin(ex, plan);
    feed(w, whole, chunk);
    EXPECT_EQ(ex.body, whole.substr(95, 111)) << "chunk " << chunk;
    EXPECT_TRUE(w.done());
  }
}

TEST(BodyWriter, MultipartPartsInOrderWithTail) {
  const std::string whole = pattern(1000);
  auto plan = planFor("bytes=0-4,10-14,995-", whole.size());
  ASSERT_EQ(plan.range.outcome, policies::RangeOutcome::Multipart);
  RecordingExchange ex;
  BodyWriter w;
  w.begin(ex, plan);
  feed(w, whole, 3);
  const std::string expected = plan.part_heads[0] + whole.substr(0, 5) + plan.part_heads[1] +
                               whole.substr(10, 5) + plan.part_heads[2] + whole.substr(995) +
                               plan.multipart_tail;
  EXPECT_EQ(ex.body, expected);
  EXPECT_EQ(ex.body.size(), *plan.content_length);
}

TEST(OutputQueue, OwnedAndSharedPiecesKeepTheirOrderAndSize) {
  OutputQueue q;
  q.tail().append("head");
  auto shared = std::make_shared<const std::string>("0123456789");
  q.appendShared(shared, 2, 5);
  q.tail().append("\r\n");
  EXPECT_EQ(q.size(), 4u + 5u + 2u);
  std::vector<uv_buf_t> bufs;
  q.gather(bufs);
  std::string all;
  for (const auto& b : bufs) all.append(b.base, b.len);
  EXPECT_EQ(all, "head23456\r\n");
  q.consume(6);  // "head" and "23"
  EXPECT_EQ(q.size(), 5u);
  bufs.clear();
  q.gather(bufs);
  all.clear();
  for (const auto& b : bufs) all.append(b.base, b.len);
  EXPECT_EQ(all, "456\r\n");
  q.consume(5);
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace edge::engine
