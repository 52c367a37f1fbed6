// Hashes the S3 server computes while a body streams in: SHA-256 (x-amz-content-sha256) and MD5
// (Content-MD5 of DeleteObjects documents), and base64 for Content-MD5 values. The one RAII
// owner of an EVP_MD_CTX in origin/s3. Any thread; one object per thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace edge::s3 {

class Digest {
 public:
  enum class Kind : uint8_t { Md5, Sha256 };
  explicit Digest(Kind kind);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
  void update(std::string_view bytes);
  // The digest's raw bytes; the object is spent afterwards.
  std::string finish();
  std::string finishHex();

 private:
  evp_md_ctx_st* ctx_;
};

std::string hexLower(std::string_view bytes);
// Standard base64 with padding; nullopt when malformed.
std::optional<std::string> base64Decode(std::string_view text);
std::string base64Encode(std::string_view bytes);

}  // namespace edge::s3
