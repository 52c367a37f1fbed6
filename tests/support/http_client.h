// A small libcurl client for the integration tests (loopback, no proxy, bounded timeouts).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "support/http_message.h"
#include "support/timing.h"

namespace edge::itest {

struct HttpResponse {
  int curl_code = 0;  // CURLcode; 0 = CURLE_OK
  std::string error;  // curl's error buffer
  long status = 0;
  std::string status_line;
  Headers headers;   // of the final response
  std::string body;  // empty when RequestOptions::discard_body
  uint64_t body_bytes = 0;
  long connects = 0;  // CURLINFO_NUM_CONNECTS for this transfer
  double total_seconds = 0;
  bool ok() const { return curl_code == 0; }
};
std::ostream& operator<<(std::ostream& os, const HttpResponse& r);

// The shape of a response CloudFront generates itself (§7.3): `status`, `X-Cache: Error from
// cloudfront`, `Server: CloudFront`, `Content-Type: text/html…`, a body that quotes the
// X-Amz-Cf-Id header (a valid id) and contains `reason` (when non-empty).
::testing::AssertionResult isGeneratedError(const HttpResponse& r, long status,
                                            std::string_view reason = "");

struct RequestOptions {
  Ms timeout = Ms(30000);
  bool discard_body = false;  // count bytes only
  bool http10 = false;
};

// A libcurl easy handle reused across requests (so connections are kept alive). NOPROXY "*",
// connect timeout 5 s, total timeout from RequestOptions (≤ 30 s by default). One thread at a
// time; several Http objects may run in parallel threads.
class Http {
 public:
  Http();
  ~Http();
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // `headers`: "Name: value" lines added to (or replacing) curl's defaults.
  HttpResponse get(const std::string& url, const std::vector<std::string>& headers = {},
                   const RequestOptions& options = {});
  HttpResponse head(const std::string& url, const std::vector<std::string>& headers = {},
                    const RequestOptions& options = {});
  HttpResponse post(const std::string& url, const std::vector<std::string>& headers,
                    const std::string& body, const RequestOptions& options = {});
  HttpResponse put(const std::string& url, const std::vector<std::string>& headers,
                   const std::string& body, const RequestOptions& options = {});
  // `body` null: no request body.
  HttpResponse request(const std::string& method, const std::string& url,
                       const std::vector<std::string>& headers, const std::string* body,
                       const RequestOptions& options = {});

 private:
  void* curl_;  // CURL*, owned
};

}  // namespace edge::itest
