// aws-chunked bodies (S3 API reference: "sigv4-streaming" and "sigv4-streaming-trailers"):
// the chunk-signature chain, trailer signatures and checksums, an encoder and the incremental
// decoder. Memory is bounded by kMaxChunkLine and kMaxTrailerBytes: chunk data is hashed and
// passed through, never buffered.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <array>

#include "policies/sigv4.h"
#include "policies/sigv4_internal.h"

namespace edge::policies::sigv4 {

namespace {

// Reflected CRC-32 tables: IEEE 802.3 (polynomial 0xEDB88320, zlib's crc32) and Castagnoli
// (0x82F63B78, iSCSI's crc32c).
constexpr std::array<uint32_t, 256> crcTable(uint32_t poly) {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ poly : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kCrc32 = crcTable(0xEDB88320u);
constexpr std::array<uint32_t, 256> kCrc32c = crcTable(0x82F63B78u);

std::string base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()),
                                static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// A running x-amz-checksum-* value.
class Checksum {
 public:
  enum class Kind : uint8_t { None, Crc32, Crc32c, Sha1, Sha256 };
  static Kind kindOf(std::string_view algorithm) {
    if (algorithm == "crc32") return Kind::Crc32;
    if (algorithm == "crc32c") return Kind::Crc32c;
    if (algorithm == "sha1") return Kind::Sha1;
    if (algorithm == "sha256") return Kind::Sha256;
    return Kind::None;
  }
  explicit Checksum(Kind k) : kind_(k) {
    if (k == Kind::Sha1) digest_.emplace(EVP_sha1());
    if (k == Kind::Sha256) digest_.emplace(detail::sha256Md());
  }
  Kind kind() const { return kind_; }
  void update(std::string_view data) {
    if (kind_ == Kind::Crc32 || kind_ == Kind::Crc32c) {
      const auto& table = kind_ == Kind::Crc32 ? kCrc32 : kCrc32c;
      for (const char ch : data)
        crc_ = table[(crc_ ^ static_cast<uint8_t>(ch)) & 0xff] ^ (crc_ >> 8);
    } else if (digest_) {
      digest_->update(data);
    }
  }
  // Base64 of the big-endian CRC or of the digest.
  std::string finishBase64() {
    if (digest_) return base64(digest_->finishRaw());
    const uint32_t v = ~crc_;
    const char be[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                        static_cast<char>(v >> 8), static_cast<char>(v)};
    return base64(std::string_view(be, 4));
  }

 private:
  Kind kind_;
  uint32_t crc_ = 0xffffffffu;
  std::optional<detail::StreamDigest> digest_;
};

std::string canonicalTrailers(std::vector<std::pair<std::string, std::string>> trailers) {
  std::sort(trailers.begin(), trailers.end());
  std::string out;
  for (const auto& [name, value] : trailers) out += name + ":" + value + "\n";
  return out;
}

}  // namespace

std::string chunkStringToSign(std::string_view amz_date, const Scope& scope,
                              std::string_view previous_signature,
                              std::string_view chunk_sha256_hex) {
  std::string s = "AWS4-HMAC-SHA256-PAYLOAD\n";
  s.append(amz_date).append("\n").append(scope.toString()).append("\n").append(previous_signature);
  s.append("\n").append(kEmptySha256).append("\n").append(chunk_sha256_hex);
  return s;
}

std::string trailerStringToSign(std::string_view amz_date, const Scope& scope,
                                std::string_view previous_signature,
                                std::string_view canonical_trailers) {
  std::string s = "AWS4-HMAC-SHA256-TRAILER\n";
  s.append(amz_date).append("\n").append(scope.toString()).append("\n").append(previous_signature);
  s.append("\n").append(sha256Hex(canonical_trailers));
  return s;
}

std::optional<std::string> checksumBase64(std::string_view algorithm, std::string_view data) {
  const Checksum::Kind k = Checksum::kindOf(algorithm);
  if (k == Checksum::Kind::None) return std::nullopt;
  Checksum c(k);
  c.update(data);
  return c.finishBase64();
}

std::string encodeAwsChunked(std::string_view payload, size_t chunk_size,
                             const ChunkSigning* signing, const std::vector<Header>& trailers) {
  std::string out;
  std::string prev = signing ? signing->seed_signature : "";
  const auto chunk = [&](std::string_view data) {
    char size[20];
    std::snprintf(size, sizeof size, "%zx", data.size());
    out += size;
    if (signing) {
      prev = signatureHex(signing->key, chunkStringToSign(signing->amz_date, signing->scope, prev,
                                                          sha256Hex(data)));
      out += ";chunk-signature=" + prev;
    }
    out += "\r\n";
    out += data;
    if (!data.empty()) out += "\r\n";
  };
  for (size_t pos = 0; pos < payload.size(); pos += chunk_size)
    chunk(payload.substr(pos, chunk_size));
  chunk({});
  std::vector<std::pair<std::string, std::string>> canonical;
  for (const Header& t : trailers) {
    out += t.name + ":" + t.value + "\r\n";
    canonical.emplace_back(toLower(t.name), std::string(trimOws(t.value)));
  }
  if (signing && !trailers.empty()) {
    out +=
        "x-amz-trailer-signature:" +
        signatureHex(signing->key, trailerStringToSign(signing->amz_date, signing->scope, prev,
                                                       canonicalTrailers(std::move(canonical)))) +
        "\r\n";
  }
  out += "\r\n";
  return out;
}

// ---- decoder ------------------------------------------------------------------------------------

struct AwsChunkedDecoder::State {
  enum class Step : uint8_t {
    SizeLine,  // reading "<hex>[;chunk-signature=<sig>]\r\n"
    Data,      // `remaining` bytes of chunk data
    DataCr,    // the CR after the data
    DataLf,    // the LF after the data
    Trailer,   // after the 0-size chunk: trailer lines up to an empty line
    Done,      // the body is complete
    Failed,    // an error was returned; it is final
  };
  explicit State(const Verified& v)
      : signed_(v.payload == PayloadMode::StreamingSigned),
        trailer_(v.trailer || v.payload == PayloadMode::StreamingUnsignedTrailer),
        key(v.key),
        amz_date(v.amz_date),
        scope(v.scope),
        prev(v.seed_signature),
        expected_length(v.decoded_content_length),
        checksum_name(v.trailer_header),
        checksum(Checksum::kindOf(v.trailer_header.rfind("x-amz-checksum-", 0) == 0
                                      ? std::string_view(v.trailer_header).substr(15)
                                      : std::string_view())) {}

  std::optional<AuthError> fail(AuthError e) {
    step = Step::Failed;
    error = e;
    return e;
  }
  std::optional<AuthError> sizeLine(std::string_view line);
  std::optional<AuthError> endOfChunk();
  std::optional<AuthError> trailerLine(std::string_view line);
  std::optional<AuthError> endOfTrailers();

  const bool signed_;
  const bool trailer_;
  const SigningKey key;
  const std::string amz_date;
  const Scope scope;
  std::string prev;  // the previous signature in the chain
  const std::optional<uint64_t> expected_length;
  const std::string checksum_name;  // x-amz-trailer, e.g. "x-amz-checksum-crc32"
  Checksum checksum;

  Step step = Step::SizeLine;
  AuthError error = AuthError::IncompleteBody;
  std::string line;  // the line being read (SizeLine, Trailer)
  uint64_t remaining = 0;
  bool last = false;            // the chunk being read is the 0-size one
  std::string chunk_signature;  // its declared signature
  detail::StreamDigest chunk_hash{detail::sha256Md()};
  uint64_t decoded = 0;
  size_t trailer_bytes = 0;
  std::vector<std::pair<std::string, std::string>> trailers;  // lowercase name, trimmed value
  std::optional<std::string> trailer_signature;
};

std::optional<AuthError> AwsChunkedDecoder::State::sizeLine(std::string_view l) {
  const size_t semi = l.find(';');
  const std::string_view hex = l.substr(0, semi);
  if (hex.empty() || hex.size() > 16) return fail(AuthError::IncompleteBody);
  uint64_t size = 0;
  for (const char c : hex) {
    const int d = hexDigitValue(c);
    if (d < 0) return fail(AuthError::IncompleteBody);
    size = size << 4 | static_cast<uint64_t>(d);
  }
  if (size > kMaxChunkSize) return fail(AuthError::IncompleteBody);
  if (signed_) {
    constexpr std::string_view kExt = ";chunk-signature=";
    const std::string_view ext =
        semi == std::string_view::npos ? std::string_view() : l.substr(semi);
    if (ext.size() != kExt.size() + 64 || ext.substr(0, kExt.size()) != kExt) {
      return fail(AuthError::IncompleteBody);
    }
    chunk_signature = toLower(ext.substr(kExt.size()));
  } else if (semi != std::string_view::npos) {
    return fail(AuthError::IncompleteBody);  // no extensions in an unsigned aws-chunked body
  }
  if (expected_length && size > *expected_length - decoded) return fail(AuthError::IncompleteBody);
  remaining = size;
  last = size == 0;
  if (last) return endOfChunk();
  step = Step::Data;
  return std::nullopt;
}

std::optional<AuthError> AwsChunkedDecoder::State::endOfChunk() {
  if (signed_) {
    const std::string expected =
        signatureHex(key, chunkStringToSign(amz_date, scope, prev, chunk_hash.finishHex()));
    if (chunk_signature.size() != expected.size() ||
        CRYPTO_memcmp(expected.data(), chunk_signature.data(), expected.size()) != 0) {
      return fail(AuthError::SignatureDoesNotMatch);
    }
    prev = expected;
  }
  step = last ? Step::Trailer : Step::SizeLine;
  return std::nullopt;
}

std::optional<AuthError> AwsChunkedDecoder::State::trailerLine(std::string_view l) {
  if (l.empty()) return endOfTrailers();
  if (!trailer_ || trailer_signature) return fail(AuthError::IncompleteBody);
  const size_t colon = l.find(':');
  if (colon == std::string_view::npos || colon == 0) return fail(AuthError::IncompleteBody);
  std::string name = toLower(trimOws(l.substr(0, colon)));
  const std::string_view value = trimOws(l.substr(colon + 1));
  if (name == "x-amz-trailer-signature") {
    if (!signed_ || !(value.size() == 64)) return fail(AuthError::IncompleteBody);
    trailer_signature = toLower(value);
    return std::nullopt;
  }
  trailers.emplace_back(std::move(name), std::string(value));
  return std::nullopt;
}

std::optional<AuthError> AwsChunkedDecoder::State::endOfTrailers() {
  if (signed_ && !trailers.empty()) {
    if (!trailer_signature) return fail(AuthError::SignatureDoesNotMatch);
    const std::string expected =
        signatureHex(key, trailerStringToSign(amz_date, scope, prev, canonicalTrailers(trailers)));
    if (CRYPTO_memcmp(expected.data(), trailer_signature->data(), expected.size()) != 0) {
      return fail(AuthError::SignatureDoesNotMatch);
    }
  }
  if (!checksum_name.empty()) {
    const auto it = std::find_if(trailers.begin(), trailers.end(),
                                 [&](const auto& t) { return t.first == checksum_name; });
    if (it == trailers.end())
      return fail(AuthError::IncompleteBody);  // the promised trailer is missing
    if (checksum.kind() != Checksum::Kind::None && it->second != checksum.finishBase64()) {
      return fail(AuthError::BadDigest);
    }
  }
  if (expected_length && decoded != *expected_length) return fail(AuthError::IncompleteBody);
  step = Step::Done;
  return std::nullopt;
}

AwsChunkedDecoder::AwsChunkedDecoder(const Verified& v) : s_(std::make_unique<State>(v)) {}
AwsChunkedDecoder::~AwsChunkedDecoder() = default;

std::optional<AuthError> AwsChunkedDecoder::feed(std::string_view bytes,
                                                 const std::function<void(std::string_view)>& out) {
  State& s = *s_;
  using Step = State::Step;
  if (s.step == Step::Failed) return s.error;
  while (!bytes.empty()) {
    switch (s.step) {
      case Step::SizeLine:
      case Step::Trailer: {
        const size_t lf = bytes.find('\n');
        const std::string_view part =
            bytes.substr(0, lf == std::string_view::npos ? bytes.size() : lf + 1);
        const size_t limit =
            s.step == Step::SizeLine ? kMaxChunkLine : kMaxTrailerBytes - s.trailer_bytes;
        if (s.line.size() + part.size() > limit) return s.fail(AuthError::IncompleteBody);
        s.line.append(part);
        bytes.remove_prefix(part.size());
        if (lf == std::string_view::npos) break;
        if (s.line.size() < 2 || s.line[s.line.size() - 2] != '\r')
          return s.fail(AuthError::IncompleteBody);
        const std::string l = std::move(s.line);
        s.line.clear();
        const std::string_view content(l.data(), l.size() - 2);
        if (s.step == Step::SizeLine) {
          if (auto e = s.sizeLine(content)) return e;
        } else {
          s.trailer_bytes += l.size();
          if (auto e = s.trailerLine(content)) return e;
        }
        break;
      }
      case Step::Data: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(s.remaining, bytes.size()));
        const std::string_view data = bytes.substr(0, n);
        if (s.signed_) s.chunk_hash.update(data);
        s.checksum.update(data);
        s.decoded += n;
        s.remaining -= n;
        bytes.remove_prefix(n);
        out(data);
        if (s.remaining == 0) s.step = Step::DataCr;
        break;
      }
      case Step::DataCr:
      case Step::DataLf: {
        if (bytes.front() != (s.step == Step::DataCr ? '\r' : '\n'))
          return s.fail(AuthError::IncompleteBody);
        bytes.remove_prefix(1);
        if (s.step == Step::DataCr) {
          s.step = Step::DataLf;
        } else if (auto e = s.endOfChunk()) {
          return e;
        }
        break;
      }
      case Step::Done:
        return s.fail(AuthError::IncompleteBody);  // bytes after the end of the body
      case Step::Failed:
        return s.error;
    }
  }
  return std::nullopt;
}

std::optional<AuthError> AwsChunkedDecoder::finish() const {
  if (s_->step == State::Step::Failed) return s_->error;
  if (s_->step != State::Step::Done) return AuthError::IncompleteBody;
  return std::nullopt;
}

bool AwsChunkedDecoder::done() const { return s_->step == State::Step::Done; }
uint64_t AwsChunkedDecoder::decodedBytes() const { return s_->decoded; }

}  // namespace edge::policies::sigv4
