// What the origin sees (§1.4, §1.6, §1.7, §13): the request line path and the header list.
// Pure: the request id and the Via host id are passed in.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policies/config.h"
#include "policies/viewer_request.h"

namespace edge::policies {

// §1.6: DefaultRootObject applies only when the path is exactly "/" (query irrelevant).
// Returns the path to use towards the origin and for the cache key.
std::string applyDefaultRootObject(std::string_view path, std::string_view default_root_object);

struct OriginRequestPlan {
  std::string method;       // forwarded as received
  std::string path_and_query;  // OriginPath + (rewritten) path + "?" + query when present
  // Every header to send, in order. Body framing (Content-Length / Transfer-Encoding) and
  // Expect are NOT included: the fetcher frames the body itself (never the viewer's raw chunks).
  HeaderList headers;
};

struct OriginRequestInputs {
  const ViewerRequest& viewer;
  const Behavior& behavior;
  const Origin& origin;
  const Config& config;  // resolves the behaviour's cache / origin request policies
  std::string_view rewritten_path;  // after applyDefaultRootObject
  std::string_view request_id;      // X-Amz-Cf-Id
  std::string_view via_host;        // "<32 hex>.cloudfront.net"
};

// Builds the origin request per §13.1 (legacy ForwardedValues table) or, for behaviours with a
// cache policy, per the policy model (only keyed/ORP-listed viewer headers plus the protocol
// headers CloudFront manages). Always: Host = origin DomainName unless the viewer Host is
// forwarded (never for S3 origins); User-Agent "Amazon CloudFront" unless forwarded;
// X-Forwarded-For appended with the client IP; Via "<http ver> <via_host> (CloudFront)";
// X-Amz-Cf-Id; Connection: Keep-Alive; hop-by-hop and X-Edge-* removed; origin CustomHeaders
// last, replacing same-named headers.
OriginRequestPlan planOriginRequest(const OriginRequestInputs& in);

// Hop-by-hop fields (RFC 9110 §7.6.1) plus every name listed in the Connection header's value.
bool isHopByHop(std::string_view name, std::string_view connection_header_value);

// §2.3: the Accept-Encoding value CloudFront puts in the cache key and sends to the origin when a
// cache policy enables EnableAcceptEncodingGzip / Brotli (legacy: Compress=true acts as gzip only):
// "br,gzip", "gzip", "br" or "identity". nullopt when both flags are off, the viewer sent no
// Accept-Encoding, or the viewer speaks HTTP/1.0. Codings are matched case-insensitively; a coding
// with q=0 counts as not accepted.
// `range_identity` (the behaviour compresses at the edge, edgeCompression()): a request with a
// Range header is treated as accepting neither coding, so it is keyed and fetched as the
// identity representation its byte ranges are cut from (§4.5).
std::optional<std::string> normalizeAcceptEncoding(const ViewerRequest& viewer, bool gzip,
                                                   bool brotli, bool range_identity = false);
// The same value without allocating: a static "br,gzip" / "gzip" / "br" / "identity", or ""
// where normalizeAcceptEncoding gives nullopt. For the cache key's hot path.
std::string_view normalizedAcceptEncoding(const ViewerRequest& viewer, bool gzip, bool brotli,
                                          bool range_identity = false);

}  // namespace edge::policies
