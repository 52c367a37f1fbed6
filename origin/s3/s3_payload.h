// The request body of a signed (or anonymous) S3 request, checked as it streams, by the SigV4
// payload mode the head announced (policies/sigv4.h):
//   Unsigned (UNSIGNED-PAYLOAD, presigned URLs, anonymous) → bytes pass through;
//   Sha256 → hashed while streaming, XAmzContentSHA256Mismatch at the end if it differs;
//   StreamingSigned / StreamingUnsignedTrailer (aws-chunked) → AwsChunkedDecoder, chunk
//     signatures and trailer checksums verified, x-amz-decoded-content-length enforced.
// The caller must not make the decoded bytes visible (publish an object) before finish() says
// the body is good. Loop thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "origin/s3/s3_digest.h"
#include "origin/s3/s3_errors.h"
#include "policies/http_types.h"
#include "policies/sigv4.h"

namespace edge::s3 {

// The largest object a single PUT may create (S3: 5 GiB).
inline constexpr uint64_t kMaxSinglePutBytes = 5ull << 30;

class PayloadReader {
 public:
  // Receives decoded bytes; false = the sink failed (disk full …): InternalError.
  using Sink = std::function<bool(std::string_view)>;

  // `verified`: the verified head, or nullptr for an anonymous request (no check).
  PayloadReader(const policies::sigv4::Verified* verified, const policies::HeaderList& headers, Sink sink);
  ~PayloadReader();
  PayloadReader(const PayloadReader&) = delete;
  PayloadReader& operator=(const PayloadReader&) = delete;

  // Checks the framing headers before any byte: aws-chunked needs x-amz-decoded-content-length;
  // announced sizes above kMaxSinglePutBytes are EntityTooLarge.
  std::optional<Failure> start();
  // Wire bytes in; an error is final (later calls are ignored and return it again).
  std::optional<Failure> feed(std::string_view wire);
  // The body is complete: final checks (hash, framing, lengths).
  std::optional<Failure> finish();
  uint64_t decodedBytes() const { return decoded_; }
  bool chunked() const { return decoder_ != nullptr; }

 private:
  bool emit(std::string_view bytes);

  policies::sigv4::PayloadMode mode_ = policies::sigv4::PayloadMode::Unsigned;
  std::string expected_sha256_;
  std::unique_ptr<Digest> sha256_;
  std::unique_ptr<policies::sigv4::AwsChunkedDecoder> decoder_;
  std::function<void(std::string_view)> decoder_out_;
  std::optional<uint64_t> announced_;  // decoded length announced by the client
  const policies::HeaderList& headers_;
  Sink sink_;
  uint64_t decoded_ = 0;
  std::optional<Failure> failed_;
};

// The Content-MD5 header's raw 16 bytes ("" when absent); InvalidDigest when it is not base64
// of 16 bytes.
tl::expected<std::string, Failure> contentMd5(const policies::HeaderList& headers);

// The Content-Encoding to store: the request's value without the "aws-chunked" coding (S3
// removes it); "" when nothing is left.
std::string storedContentEncoding(std::string_view value);

}  // namespace edge::s3
