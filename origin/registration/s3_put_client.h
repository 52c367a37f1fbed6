// A blocking PutObject of one in-memory object to an S3 API (the bucket the certificates go to):
// libcurl easy, plain HTTP, path-style `http://<endpoint>/<bucket>/<key>`, signed with SigV4
// (policies/sigv4 signRequest: service s3; x-amz-content-sha256 = the body's SHA-256, Content-MD5
// and Content-Type signed too). Runs on the certificate worker's thread, never on a loop.
// Threads: reentrant (one easy handle per call).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace edge::registration {

struct S3PutTarget {
  std::string endpoint;  // "host:port"
  std::string bucket;
  std::string region = "us-east-1";
  std::string access_key_id;
  std::string secret_access_key;
  int64_t connect_timeout_ms = 5000;
  int64_t total_timeout_ms = 30000;
};

struct S3PutObject {
  std::string key;  // unencoded; sent URI-encoded per S3 with '/' kept
  std::string_view body;
  std::string content_type = "application/octet-stream";
  std::string cache_control;  // "" = no Cache-Control header
};

// Success: the ETag S3 answered (quotes included as sent; "" when the answer had none).
// Error: "PUT /<bucket>/<key>: HTTP <status> <Code>: <Message>" for an S3 error answer (Code and
// Message when the body has them), or "PUT /<bucket>/<key>: <curl error>" when no answer came.
// `now`: epoch seconds for X-Amz-Date.
tl::expected<std::string, std::string> putObject(const S3PutTarget& target, const S3PutObject& object,
                                                 int64_t now);

// The base64 of the body's MD5, as Content-MD5 carries it.
std::string contentMd5Base64(std::string_view body);

}  // namespace edge::registration
