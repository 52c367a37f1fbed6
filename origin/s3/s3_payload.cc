#include "origin/s3/s3_payload.h"

namespace edge::s3 {

namespace sigv4 = policies::sigv4;

Failure::Failure(sigv4::AuthError e)
    : status(sigv4::httpStatus(e)), code(sigv4::toString(e)), message(sigv4::message(e)) {}

PayloadReader::PayloadReader(const sigv4::Verified* verified, const policies::HeaderList& headers, Sink sink)
    : headers_(headers), sink_(std::move(sink)) {
  if (verified == nullptr) return;
  mode_ = verified->payload;
  switch (mode_) {
    case sigv4::PayloadMode::Unsigned: break;
    case sigv4::PayloadMode::Sha256:
      expected_sha256_ = verified->payload_sha256;
      sha256_ = std::make_unique<Digest>(Digest::Kind::Sha256);
      break;
    case sigv4::PayloadMode::StreamingSigned:
    case sigv4::PayloadMode::StreamingUnsignedTrailer:
      decoder_ = std::make_unique<sigv4::AwsChunkedDecoder>(*verified);
      decoder_out_ = [this](std::string_view bytes) {
        if (!failed_ && !emit(bytes)) failed_ = Failure(S3Error::InternalError);
      };
      break;
  }
}

PayloadReader::~PayloadReader() = default;

std::optional<Failure> PayloadReader::start() {
  const char* length_header = decoder_ ? "x-amz-decoded-content-length" : "content-length";
  if (auto v = headers_.get(length_header)) {
    announced_ = policies::parseContentLength(policies::trimOws(*v));
    if (!announced_) return Failure(S3Error::InvalidArgument).with("ArgumentName", length_header);
  } else if (decoder_) {
    return Failure(S3Error::MissingContentLength);
  }
  if (announced_ && *announced_ > kMaxSinglePutBytes) {
    return Failure(S3Error::EntityTooLarge)
        .with("ProposedSize", std::to_string(*announced_))
        .with("MaxSizeAllowed", std::to_string(kMaxSinglePutBytes));
  }
  return std::nullopt;
}

bool PayloadReader::emit(std::string_view bytes) {
  decoded_ += bytes.size();
  if (decoded_ > kMaxSinglePutBytes) {
    failed_ = Failure(S3Error::EntityTooLarge);
    return true;
  }
  if (sha256_) sha256_->update(bytes);
  return sink_(bytes);
}

std::optional<Failure> PayloadReader::feed(std::string_view wire) {
  if (failed_) return failed_;
  if (decoder_) {
    if (auto e = decoder_->feed(wire, decoder_out_)) failed_ = Failure(*e);
  } else if (!emit(wire) && !failed_) {
    failed_ = Failure(S3Error::InternalError);
  }
  return failed_;
}

std::optional<Failure> PayloadReader::finish() {
  if (failed_) return failed_;
  if (decoder_) {
    if (auto e = decoder_->finish()) return failed_ = Failure(*e);
  }
  if (announced_ && *announced_ != decoded_) return failed_ = Failure(S3Error::IncompleteBody);
  if (sha256_ && sha256_->finishHex() != expected_sha256_) {
    return failed_ = Failure(sigv4::AuthError::XAmzContentSHA256Mismatch);
  }
  return std::nullopt;
}

tl::expected<std::string, Failure> contentMd5(const policies::HeaderList& headers) {
  const auto md5 = headers.get("content-md5");
  if (!md5) return std::string();
  auto raw = base64Decode(policies::trimOws(*md5));
  if (!raw || raw->size() != 16) return tl::unexpected(Failure(S3Error::InvalidDigest));
  return std::move(*raw);
}

std::string storedContentEncoding(std::string_view value) {
  std::string out;
  while (!value.empty()) {
    const size_t comma = value.find(',');
    const std::string_view coding = policies::trimOws(value.substr(0, comma));
    value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    if (coding.empty() || policies::iequals(coding, "aws-chunked")) continue;
    if (!out.empty()) out += ",";
    out += coding;
  }
  return out;
}

}  // namespace edge::s3
