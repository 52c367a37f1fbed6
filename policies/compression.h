// Edge compression (cloudfront-behavior.md §4): which coding a fill asks for, whether an origin
// response may be compressed, and how the headers of a compressed response change. Pure: the
// compressors themselves are in engine/pipeline/body_compressor.h.
//
// Where the decisions are split:
//   per behaviour (resolved once, BehaviorCacheSettings):  §4.1 conditions 1, 2, 3 and 5
//   per request (the key's normalised Accept-Encoding):    condition 4, §4.3 and §4.5 (a Range
//                                                           request is keyed and fetched as
//                                                           identity, see normalizedAcceptEncoding)
//   per origin response (decideCompression):               conditions 6–10
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string_view>

#include "policies/config.h"
#include "policies/http_types.h"

namespace edge::policies {

enum class ContentCoding : uint8_t { Identity, Gzip, Brotli };
std::string_view toString(ContentCoding c);  // "identity", "gzip", "br" (Content-Encoding tokens)
inline std::ostream& operator<<(std::ostream& os, ContentCoding c) { return os << toString(c); }

// §4.1 bounds on the origin's Content-Length, inclusive.
inline constexpr uint64_t kMinCompressBytes = 1000;
inline constexpr uint64_t kMaxCompressBytes = 10'000'000;

// §4.2: the media type (parameters ignored, case-insensitive) is in CloudFront's list.
bool compressibleContentType(std::string_view content_type);

// §4.1 conditions 1, 2, 3 and 5 for a behaviour: Compress is on, the cache policy enables gzip
// and/or brotli (legacy: gzip only), the TTLs are not all zero, and Accept-Encoding is not
// listed among the policy's (or legacy whitelist's) headers.
bool edgeCompression(const Behavior& behavior, const Config& config);

// §4.3: the coding a fill under this key produces. `keyed_accept_encoding` is the key's §2.3 slot
// ("br,gzip", "gzip", "br" or ""); `gzip` / `brotli` say which formats the behaviour compresses
// (BehaviorCacheSettings). Brotli wins when both are possible.
ContentCoding offeredCoding(std::string_view keyed_accept_encoding, bool gzip, bool brotli);

// Why an origin response is (not) compressed: for the debug header and explain.
enum class CompressVerdict : uint8_t {
  Compress,
  NotOffered,        // the key offers no coding (viewer, policy, behaviour, Range)
  Status,            // not 200 / 403 / 404 (condition 9)
  AlreadyEncoded,    // the origin sent Content-Encoding, any value (condition 6)
  ContentType,       // missing or not in the §4.2 list (condition 7)
  NoContentLength,   // missing, invalid, or chunked framing (condition 8)
  TooSmall,          // < 1,000 bytes
  TooLarge,          // > 10,000,000 bytes
};
std::string_view toString(CompressVerdict v);
inline std::ostream& operator<<(std::ostream& os, CompressVerdict v) { return os << toString(v); }

// §4.1 conditions 6–10 for an origin response to a GET (the edge fetches HEAD as GET, so
// condition 10 reduces to the status: 204 and 304 are not in the allowed set).
CompressVerdict decideCompression(ContentCoding offered, int status, const HeaderList& headers);

// §4.4 and §4.6: turns the stored / viewer headers of a response into those of its compressed
// form: Content-Encoding set, Content-Length removed (the body is framed by the connection),
// `Accept-Encoding` added to Vary, a strong ETag made weak, an invalid ETag removed.
void applyCompressedHeaders(HeaderList& headers, ContentCoding coding);

// §4.6 alone: the ETag of a compressed body; nullopt means the header is removed.
std::optional<std::string> compressedEtag(std::string_view etag);

}  // namespace edge::policies
