// Third-party CloudFront signers for the signed URL / signed cookie tests (cloudfront-behavior.md
// §5): the wrappers in tests/interop/ around the AWS CLI (`aws cloudfront sign`), the AWS SDK for
// JavaScript v3 (@aws-sdk/cloudfront-signer) and botocore's CloudFrontSigner, run as child
// processes. No one here wrote their crypto, so edged is checked against signers it did not
// define. Also the small tools the tests need to take signed URLs apart and tamper with them.
// Thread: the test's main thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edge::itest {

enum class Signer {
  AwsCli,    // tests/interop/sign_awscli.sh: /usr/bin/aws cloudfront sign (URLs only)
  JsSdk,     // tests/interop/sign_jssdk.mjs: getSignedUrl / getSignedCookies
  Botocore,  // tests/interop/sign_botocore.py: CloudFrontSigner (+ cookies from its URL params)
};
std::string_view toString(Signer s);  // "awscli", "jssdk", "botocore"
std::ostream& operator<<(std::ostream& os, Signer s);

// The wrappers' common arguments (see the header comment of each tests/interop/sign_* file).
// A custom policy is written when date_greater_than, ip_address or resource is set.
struct SignRequest {
  Signer signer = Signer::JsSdk;
  std::string url;          // what is signed (the Resource unless `resource` is set)
  std::string private_key;  // PEM file path
  std::string key_pair_id;
  int64_t date_less_than = 0;                // epoch seconds
  std::optional<int64_t> date_greater_than;  // epoch seconds
  std::string ip_address;                    // IPv4 CIDR; "" = none
  std::string resource;                      // policy Resource pattern; "" = none
  bool cookies = false;                      // signed cookies instead of a signed URL
  std::string hash_algorithm;                // JsSdk only: "SHA256"; "" = the default (SHA-1)

  std::vector<std::string> argv() const;  // the wrapper's command line
};
std::ostream& operator<<(std::ostream& os, const SignRequest& r);

struct SignOutput {
  std::string url;                             // URL mode
  std::map<std::string, std::string> cookies;  // cookie mode: CloudFront-* name → value
  // "Cookie: name=value; …" in name order, plus `extra` ("theme=dark") at the end.
  std::string cookieHeader(std::string_view extra = "") const;
};

// Runs signers, memoising each distinct request for the pool's lifetime (the AWS CLI takes ~2 s
// per call, so a suite asks once and reuses the answer). `sign` starts every request not yet
// known at once as child processes and waits for all (≤ 60 s each). A signer that fails or prints
// no usable JSON gives an ADD_FAILURE naming it, its stderr, and scripts/setup.sh (which installs
// the signers), and an empty SignOutput.
class SignerPool {
 public:
  std::vector<SignOutput> sign(const std::vector<SignRequest>& requests);
  SignOutput sign(const SignRequest& request) { return sign(std::vector{request}).front(); }

 private:
  std::map<std::string, SignOutput> memo_;  // key: the request's argv, joined
};

// ---------------------------------------------------------------------------------------------
// Taking signed URLs apart.

// A URL split at its first '?' into raw `name=value` parameters in order (no percent-decoding;
// a parameter without '=' has an empty value and is written back with "=").
struct QueryUrl {
  std::string base;  // up to, not including, '?'
  std::vector<std::pair<std::string, std::string>> params;

  static QueryUrl parse(std::string_view url);
  std::string str() const;
  std::optional<std::string> get(std::string_view name) const;  // first value
  QueryUrl& set(std::string_view name, std::string value);      // first occurrence (appends)
  QueryUrl& remove(std::string_view name);                      // every occurrence
  QueryUrl& add(std::string name, std::string value);           // appends
};

// CloudFront's base64 (§5.5): standard base64 with + → -, = → _, / → ~.
std::string cloudFrontBase64(std::string_view bytes);
// Inverse; nullopt when `text` is not CloudFront base64.
std::optional<std::string> fromCloudFrontBase64(std::string_view text);

}  // namespace edge::itest
