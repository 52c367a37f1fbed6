// Streaming gzip (zlib) and brotli (libbrotlienc) compression of a response body as it arrives
// from the origin (§4): the fill that stores a compressed variant feeds each origin piece through
// write() and hands the output chunks to the object at once, so viewers of a 9 MB body start
// receiving compressed bytes long before the origin has sent it all. Not thread-safe; one per
// fill.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policies/compression.h"

namespace edge::engine {

struct CompressionLevels {
  int gzip = 6;    // zlib level 1-9 (Edge.GzipLevel)
  int brotli = 5;  // brotli quality 0-9 (Edge.BrotliQuality; make() clamps to 0-11)
};

class BodyCompressor {
 public:
  // nullptr for ContentCoding::Identity or when the encoder cannot be created (out of memory).
  // `size_hint` (the origin's Content-Length) sizes brotli's window.
  static std::unique_ptr<BodyCompressor> make(policies::ContentCoding coding,
                                              const CompressionLevels& levels,
                                              std::optional<uint64_t> size_hint);
  virtual ~BodyCompressor() = default;

  // Compresses `in`; whatever output the encoder produced is appended to `out` as chunks of
  // exactly their size. False on an encoder error (the body must then be abandoned).
  virtual bool write(std::string_view in, std::vector<std::string>& out) = 0;
  // Ends the stream: the remaining output (trailer included) is appended to `out`.
  virtual bool finish(std::vector<std::string>& out) = 0;

  uint64_t bytesIn() const { return bytes_in_; }
  uint64_t bytesOut() const { return bytes_out_; }

 protected:
  // Output is produced into this scratch buffer and copied out at its exact size, so a stored
  // chunk never carries unused capacity.
  static constexpr size_t kScratch = 64 << 10;
  void emit(const char* data, size_t n, std::vector<std::string>& out) {
    if (n == 0) return;
    out.emplace_back(data, n);
    bytes_out_ += n;
  }
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
};

}  // namespace edge::engine
