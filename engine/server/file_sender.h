// Streams a byte range of an open file as a response body, pausing while the viewer's output is
// blocked (writeBlocked / onWritable). Used by the bundled origins (the static-directory origin
// and edged-s3's GetObject). Loop thread only.
#pragma once

#include <cstdint>

#include "engine/server/exchange.h"

namespace edge::engine {

class FileSender final : public ExchangeHandler {
 public:
  // Takes ownership of `fd`; sends [offset, offset + length). The head must already be sent.
  FileSender(Exchange& ex, int fd, uint64_t offset, uint64_t length);
  ~FileSender() override;
  FileSender(const FileSender&) = delete;
  FileSender& operator=(const FileSender&) = delete;

  // Sends until done or blocked. Returns false when the exchange is finished, or aborted because
  // the file ended early or failed (the viewer then sees a truncated body, never a short one
  // passed off as whole).
  bool pump();

  void onRequestBody(const char*, size_t) override {}
  void onRequestComplete() override {}
  void onWritable() override { pump(); }
  void onViewerGone() override {}

 private:
  Exchange& ex_;
  int fd_;
  uint64_t offset_;
  uint64_t left_;
};

}  // namespace edge::engine
