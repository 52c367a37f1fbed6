// CloudFront-generated request headers (§13.3): sent to the origin only when a cache policy or an
// origin request policy lists them. Pure; values that need data edged does not have (GeoIP, ASN,
// TLS) are not produced.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "policies/viewer_request.h"

namespace edge::policies {

// True for CloudFront-Forwarded-Proto, CloudFront-Is-*-Viewer and CloudFront-Viewer-* (any case).
// A viewer-supplied header with such a name is never forwarded: CloudFront owns these names.
bool isCloudFrontGeneratedHeader(std::string_view name);

// The value edged sends for a generated header `name`, or nullopt when it cannot compute one.
// Device flags come from a small User-Agent substring set (§13.3 emulator note), the country is
// always "US", the protocol "http" (edged's viewer side is plain HTTP).
std::optional<std::string> cloudFrontGeneratedHeader(std::string_view name,
                                                     const ViewerRequest& viewer);

}  // namespace edge::policies
