// Origin access control (§12): which origin requests the edge signs with SigV4, with which
// credentials, region and service, and the signing itself (sigv4.h does the arithmetic).
//
//   start-up, per origin:  std::optional<OriginSigner> s = originSigner(origin, config);
//   per origin request:    signOriginRequest(*s, method, path_and_query, headers, now);
//
// The signature covers host, x-amz-content-sha256 and x-amz-date. The payload is
// UNSIGNED-PAYLOAD unless the viewer request forwarded an x-amz-content-sha256 of its own (the
// body hash of a PUT, §12: "the viewer must supply the body SHA-256"), which is then signed.
// Pure: the caller passes the wall-clock time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "policies/config.h"
#include "policies/http_types.h"
#include "policies/sigv4.h"

namespace edge::policies {

struct OriginSigner {
  SigningBehavior behavior = SigningBehavior::Always;  // Always or NoOverride (Never → none)
  sigv4::Credentials credentials;
  std::string region;
  std::string service;  // "s3", "lambda", "mediastore", "mediapackagev2"
};

// The signer for requests to `origin`; nullopt when it has no OriginAccessControlId or its
// control never signs. The loader guarantees the control exists and that credentials are set.
std::optional<OriginSigner> originSigner(const Origin& origin, const Config& config);

// The region an AWS endpoint name carries: "bucket.s3.eu-west-1.amazonaws.com" and the legacy
// "bucket.s3-eu-west-1.amazonaws.com" give "eu-west-1"; "bucket.s3.amazonaws.com" gives
// "us-east-1"; "fn.lambda-url.us-west-2.on.aws" gives "us-west-2". nullopt for other names.
std::optional<std::string> regionFromDomain(std::string_view domain_name);

// Signs one origin request in place (Authorization, X-Amz-Date, X-Amz-Content-Sha256). With
// NoOverride, a request that already carries an Authorization (the viewer's, forwarded by the
// policies) is left as it is. Returns whether it signed.
bool signOriginRequest(const OriginSigner& signer, std::string_view method,
                       std::string_view path_and_query, HeaderList& headers, int64_t now);

}  // namespace edge::policies
