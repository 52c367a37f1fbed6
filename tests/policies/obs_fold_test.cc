#include "policies/obs_fold.h"

#include <gtest/gtest.h>

#include <string>

namespace edge::policies {
namespace {

// Feeds `head` one piece of `step` bytes at a time; the total the scanner said belongs to the
// head, or -1 on an obs-fold.
long scanInPieces(const std::string& head, size_t step) {
  ObsFoldScanner s;
  size_t taken = 0;
  for (size_t off = 0; off < head.size() && s.scanning(); off += step) {
    const size_t n = std::min(step, head.size() - off);
    const std::optional<size_t> r = s.scan(head.data() + off, n);
    if (!r) return -1;
    taken += *r;
  }
  return static_cast<long>(taken);
}

TEST(ObsFold, AHeadWithoutFoldEndsAfterItsBlankLineInAnyPieces) {
  const std::string head = "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\r\n";
  for (size_t step : {1u, 2u, 3u, 7u, 1000u}) {
    SCOPED_TRACE(step);
    EXPECT_EQ(scanInPieces(head + "BODY", step), static_cast<long>(head.size()));
  }
}

TEST(ObsFold, ALineStartingWithSpaceOrTabIsRefusedAnywhereInTheHead) {
  for (const char* fold : {"X-A: a\r\n b\r\n", "X-A: a\r\n\tb\r\n", "X-A: a\n b\n"}) {
    const std::string head = std::string("POST / HTTP/1.1\r\n") + fold + "Content-Length: 0\r\n\r\n";
    for (size_t step : {1u, 5u, 1000u}) {
      SCOPED_TRACE(std::string(fold) + " step " + std::to_string(step));
      EXPECT_EQ(scanInPieces(head, step), -1);
    }
  }
}

TEST(ObsFold, BlankLinesBeforeTheStartLineAreNotTheHeadsEnd) {
  const std::string head = "\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(scanInPieces(head, 1), static_cast<long>(head.size()));
  EXPECT_EQ(scanInPieces("\r\n GET / HTTP/1.1\r\n\r\n", 1000), 21);  // no text before: not a fold
}

TEST(ObsFold, SpacesInsideALineAndInTheBodyAreNotFolds) {
  ObsFoldScanner s;
  const std::string head = "HTTP/1.1 200 OK\r\nA: b c\r\n\r\n";
  ASSERT_EQ(s.scan(head.data(), head.size()), head.size());
  EXPECT_FALSE(s.scanning());
  s.rearm();  // the next message's head
  const std::string next = "HTTP/1.1 200 OK\r\n x\r\n\r\n";
  EXPECT_EQ(s.scan(next.data(), next.size()), std::nullopt);
}

}  // namespace
}  // namespace edge::policies
