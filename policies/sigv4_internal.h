// Internal to policies/sigv4*.cc: the OpenSSL digests SigV4 needs (SHA-256 streaming, SHA-1
// streaming for trailer checksums, HMAC-SHA256) and hex output. Not a public API.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace edge::policies::sigv4::detail {

using Digest32 = std::array<uint8_t, 32>;

// SHA-256, fetched once from the default provider.
const EVP_MD* sha256Md();

// HMAC-SHA256(key, data).
Digest32 hmacSha256(const uint8_t* key, size_t key_len, std::string_view data);
inline Digest32 hmacSha256(std::string_view key, std::string_view data) {
  return hmacSha256(reinterpret_cast<const uint8_t*>(key.data()), key.size(), data);
}
inline Digest32 hmacSha256(const Digest32& key, std::string_view data) {
  return hmacSha256(key.data(), key.size(), data);
}

// Lowercase hex of `n` bytes.
std::string hexLower(const uint8_t* bytes, size_t n);

// An incremental EVP digest (SHA-256 or SHA-1). EVP failures on these built-in digests would
// mean a broken libcrypto: EDGE-style "should never happen", so they abort.
class StreamDigest {
 public:
  explicit StreamDigest(const EVP_MD* md);
  void update(std::string_view data);
  // The digest so far; the object is reset for a new message.
  std::string finishRaw();
  std::string finishHex();

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
  const EVP_MD* md_;
};

}  // namespace edge::policies::sigv4::detail
