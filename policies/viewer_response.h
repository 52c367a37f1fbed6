// Headers on the way back to the viewer (§6.1, §6.2, §6.4) and CloudFront's generated error
// pages (§7.3, §7.4). Pure.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "policies/config.h"
#include "policies/http_types.h"

namespace edge::policies {

// Origin response headers minus what CloudFront removes: hop-by-hop (Connection, Keep-Alive,
// Proxy-*, TE, Trailer, Upgrade), Transfer-Encoding and Content-Length (the writer frames the body
// itself), Via (replaced), and Set-Cookie when the behaviour does not forward cookies.
HeaderList filterOriginResponseHeaders(const HeaderList& origin_headers, const Behavior& behavior,
                                       const Config& config);

// The X-Cache result names of §6.2.
enum class XCache : uint8_t { Hit, RefreshHit, Miss, Error, Redirect };
std::string_view toString(XCache x);  // "Hit from cloudfront", …

struct EdgeStamp {
  XCache x_cache = XCache::Miss;
  std::string_view request_id;  // X-Amz-Cf-Id
  std::string_view pop;         // X-Amz-Cf-Pop
  std::string_view via_host;    // "<32 hex>.cloudfront.net"
  uint8_t http_major = 1;       // viewer's HTTP version, for Via
  uint8_t http_minor = 1;
};
// Appends X-Cache, Via (replacing any), X-Amz-Cf-Pop and X-Amz-Cf-Id.
void stampEdgeHeaders(HeaderList& headers, const EdgeStamp& stamp);

// CloudFront-generated conditions (§7.4).
enum class EdgeErrorKind : uint8_t {
  BadRequest,           // 400 malformed HTTP
  RequestTooLarge,      // 413 request head / URL / body over the limits
  MethodNotAllowed,     // 403 method not in AllowedMethods
  GetWithBody,          // 403
  OriginDnsError,       // 502
  OriginConnectError,   // 502 could not connect after all attempts
  OriginConnectTimeout, // 504 connect timed out after all attempts
  OriginReadTimeout,    // 504
  OriginInvalidResponse,// 502 closed early / unparsable answer
  OriginHeaderTooBig,   // 502
  ServiceUnavailable,   // 503 (shutting down, capacity)
};
struct EdgeError {
  int status;
  std::string_view reason_html;      // the {REASON} line of §7.3
  std::string_view detailed_result;  // x-edge-detailed-result-type for the access log
};
EdgeError edgeError(EdgeErrorKind kind);
std::string_view toString(EdgeErrorKind kind);

// The HTML body of §7.3 for `status` with `reason_html` and the request id.
std::string renderErrorPage(int status, std::string_view reason_html, std::string_view request_id);

// Standard reason phrase for a status code ("OK", "Not Found", …; "Unknown" otherwise).
std::string_view reasonPhrase(int status);

// X-Amz-Cf-Id from 40 random bytes: URL-safe base64 (A-Z a-z 0-9 - _), 56 chars ending "==".
std::string formatRequestId(const std::array<uint8_t, 40>& random_bytes);
// "<32 lowercase hex>.cloudfront.net" derived deterministically from `seed` (e.g. the PopName).
std::string viaHostFor(std::string_view seed);

}  // namespace edge::policies
