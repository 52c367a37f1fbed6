// The bundled S3 server's configuration file (JSON), loaded once at start-up:
//
//   {
//     "Listen": "127.0.0.1:9000",             // optional; host:port ([v6]:port); --listen overrides
//     "DataDir": "/var/lib/edged-s3",         // required unless --data-dir is given
//     "Region": "us-east-1",                  // optional; the SigV4 scope region and the
//                                             //   GetBucketLocation answer
//     "Domain": "s3.localhost",               // optional; Host "<bucket>.<Domain>" is
//                                             //   virtual-host-style addressing
//     "Credentials": [                        // required, ≥ 1: who may sign requests
//       {"AccessKeyId": "AKIA…", "SecretAccessKey": "…"}
//     ],
//     "Buckets": [                            // optional: created at start if missing
//       {"Name": "site",                      // S3 bucket naming rules
//        "Access": "private",                 // optional: "private" (default) | "public-read"
//        "Versioning": "Enabled"}             // optional: "Enabled" | "Suspended" (absent: left
//     ]                                       //   as it is on disk)
//   }
//
// Unknown fields are errors (a typo must not silently change access). Every error names the
// file and the field, e.g. `conf.json: Buckets[1].Access: must be "private" or "public-read"`.
// Buckets created later through CreateBucket are private.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "origin/s3/object_store.h"
#include "policies/sigv4.h"

namespace edge::s3 {

enum class BucketAccess : uint8_t {
  Private,     // every request must be signed
  PublicRead,  // anonymous GetObject/HeadObject allowed; everything else signed
};
std::string_view toString(BucketAccess a);

struct BucketConfig {
  std::string name;
  BucketAccess access = BucketAccess::Private;
  std::optional<Versioning> versioning;  // Enabled / Suspended; nullopt: leave as is
  bool operator==(const BucketConfig&) const = default;
};

struct S3Config {
  std::string listen = "127.0.0.1:9000";
  std::string data_dir;
  std::string region = "us-east-1";
  std::string domain = "s3.localhost";
  std::vector<policies::sigv4::Credentials> credentials;
  std::vector<BucketConfig> buckets;
};

// `origin` names the source in errors (the file path). Does not check DataDir's presence (the
// command line may supply it).
tl::expected<S3Config, std::string> parseS3Config(std::string_view json_text, std::string_view origin);
tl::expected<S3Config, std::string> loadS3Config(const std::string& path);

}  // namespace edge::s3
