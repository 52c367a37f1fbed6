#include "engine/pipeline/body_compressor.h"

#include <brotli/encode.h>
#include <zlib.h>

#include <algorithm>

namespace edge::engine {

namespace {

class GzipCompressor final : public BodyCompressor {
 public:
  bool init(int level) {
    // windowBits 15 + 16: a gzip wrapper (RFC 1952) rather than zlib's; memLevel 8 (default).
    ok_ = deflateInit2(&z_, std::clamp(level, 1, 9), Z_DEFLATED, 15 + 16, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK;
    return ok_;
  }
  ~GzipCompressor() override {
    if (ok_) deflateEnd(&z_);
  }

  bool write(std::string_view in, std::vector<std::string>& out) override {
    bytes_in_ += in.size();
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z_.avail_in = static_cast<uInt>(in.size());
    return run(Z_NO_FLUSH, out);
  }
  bool finish(std::vector<std::string>& out) override {
    z_.next_in = nullptr;
    z_.avail_in = 0;
    return run(Z_FINISH, out);
  }

 private:
  bool run(int flush, std::vector<std::string>& out) {
    for (;;) {
      z_.next_out = reinterpret_cast<Bytef*>(scratch_);
      z_.avail_out = kScratch;
      const int rc = deflate(&z_, flush);
      if (rc == Z_STREAM_ERROR) return false;
      emit(scratch_, kScratch - z_.avail_out, out);
      if (flush == Z_FINISH) {
        if (rc == Z_STREAM_END) return true;
        continue;  // more trailer to write
      }
      // All input taken and the output not full: nothing more until the next write.
      if (z_.avail_in == 0 && z_.avail_out != 0) return true;
    }
  }

  z_stream z_{};
  bool ok_ = false;
  char scratch_[kScratch];
};

class BrotliCompressor final : public BodyCompressor {
 public:
  bool init(int quality, std::optional<uint64_t> size_hint) {
    enc_ = BrotliEncoderCreateInstance(nullptr, nullptr, nullptr);
    if (enc_ == nullptr) return false;
    BrotliEncoderSetParameter(enc_, BROTLI_PARAM_QUALITY,
                              static_cast<uint32_t>(std::clamp(quality, 0, 11)));
    // A window no larger than the body (at most 4 MiB, brotli's default lgwin 22): small
    // bodies do not pay for a large ring buffer.
    uint32_t lgwin = BROTLI_DEFAULT_WINDOW;
    if (size_hint) {
      lgwin = BROTLI_MIN_WINDOW_BITS;
      while (lgwin < BROTLI_DEFAULT_WINDOW && (uint64_t{1} << lgwin) < *size_hint) ++lgwin;
      BrotliEncoderSetParameter(enc_, BROTLI_PARAM_SIZE_HINT,
                                static_cast<uint32_t>(std::min<uint64_t>(*size_hint, 1u << 30)));
    }
    BrotliEncoderSetParameter(enc_, BROTLI_PARAM_LGWIN, lgwin);
    return true;
  }
  ~BrotliCompressor() override {
    if (enc_ != nullptr) BrotliEncoderDestroyInstance(enc_);
  }

  bool write(std::string_view in, std::vector<std::string>& out) override {
    bytes_in_ += in.size();
    const uint64_t out_before = bytes_out_;
    if (!run(BROTLI_OPERATION_PROCESS, in, out)) return false;
    // At qualities >= 4 the encoder gathers up to its whole window (megabytes) before it emits
    // a meta-block. A flush after every kFlushEvery bytes that produced nothing keeps the body
    // streaming to viewers (the cost is a slightly larger output).
    unflushed_ = bytes_out_ != out_before ? 0 : unflushed_ + in.size();
    if (unflushed_ < kFlushEvery) return true;
    unflushed_ = 0;
    return run(BROTLI_OPERATION_FLUSH, {}, out);
  }
  bool finish(std::vector<std::string>& out) override {
    return run(BROTLI_OPERATION_FINISH, {}, out);
  }

 private:
  bool run(BrotliEncoderOperation op, std::string_view in, std::vector<std::string>& out) {
    size_t avail_in = in.size();
    const uint8_t* next_in = reinterpret_cast<const uint8_t*>(in.data());
    for (;;) {
      size_t avail_out = kScratch;
      uint8_t* next_out = reinterpret_cast<uint8_t*>(scratch_);
      if (!BrotliEncoderCompressStream(enc_, op, &avail_in, &next_in, &avail_out, &next_out,
                                       nullptr)) {
        return false;
      }
      emit(scratch_, kScratch - avail_out, out);
      if (op == BROTLI_OPERATION_FINISH) {
        if (BrotliEncoderIsFinished(enc_)) return true;
        continue;
      }
      if (avail_in == 0 && !BrotliEncoderHasMoreOutput(enc_)) return true;
    }
  }

  static constexpr uint64_t kFlushEvery = 256 << 10;
  BrotliEncoderState* enc_ = nullptr;
  uint64_t unflushed_ = 0;
  char scratch_[kScratch];
};

}  // namespace

std::unique_ptr<BodyCompressor> BodyCompressor::make(policies::ContentCoding coding,
                                                     const CompressionLevels& levels,
                                                     std::optional<uint64_t> size_hint) {
  switch (coding) {
    case policies::ContentCoding::Gzip: {
      auto c = std::make_unique<GzipCompressor>();
      if (!c->init(levels.gzip)) return nullptr;
      return c;
    }
    case policies::ContentCoding::Brotli: {
      auto c = std::make_unique<BrotliCompressor>();
      if (!c->init(levels.brotli, size_hint)) return nullptr;
      return c;
    }
    case policies::ContentCoding::Identity:
      break;
  }
  return nullptr;
}

}  // namespace edge::engine
