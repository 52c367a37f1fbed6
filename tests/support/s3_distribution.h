// A distribution in front of an S3 origin, as CloudFront's console makes it for a private
// bucket (§12): one S3 origin (S3OriginConfig) reached by its REST endpoint name, an origin
// access control signing with SigV4, the default behaviour on CachingOptimized with Compress on
// and DefaultRootObject index.html. The endpoint name is mapped to the local server with
// Edge.OriginAddressOverrides, so the Host header the bucket server sees is the real shape.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace edge::itest {

inline constexpr const char* kCachingOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6";

struct S3DistributionOptions {
  std::string domain;       // e.g. "site.s3.us-east-1.amazonaws.com"
  std::string address;      // "127.0.0.1:PORT" the domain is overridden to
  std::string origin_path;  // "" or "/bucket" for path-style servers
  std::string signing_behavior = "always";  // always | never | no-override | "" (no OAC)
  std::string access_key_id;
  std::string secret_access_key;
};
nlohmann::json s3DistributionConfig(const S3DistributionOptions& o);

}  // namespace edge::itest
