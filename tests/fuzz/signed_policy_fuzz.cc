// Fuzz target: signed URL / signed cookie decoding and verification (policies/signed_policy.h,
// policies/signed_request.h, policies/signed_keys.h). No network, no clock.
//
// The first byte picks a mode (a digit, so the seeds under corpus/signed_policy_fuzz/ stay text);
// the rest is the mode's input:
//   '0' custom policy JSON → parseCustomPolicy, then checkPolicyConditions on a fixed request;
//   '1' CloudFront base64 text → decodeCloudFrontBase64 (strict, so canonical: re-encoding the
//       bytes gives the text back, padded with '_');
//   '2' a query string → checkSignedRequest on GET https://<host>/a.jpg?<input>;
//   '3' a Cookie header value → checkSignedRequest with signed cookies;
//   '4' "<pattern>\n<url>" → resourceMatches;
//   '5' custom policy JSON signed here with the test EC key → checkSignedRequest with a valid
//       signature, so the fuzzer reaches the policy parser and the condition checks behind it.
// The trusted keys (RSA-2048 "KRSA", EC P-256 "KEC") are generated once per process with
// OpenSSL, as tests/policies/signed_request_test.cc does.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "policies/signed_policy.h"
#include "policies/signed_request.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_keys.h"

using namespace edge::policies;

namespace {

constexpr int64_t kNow = 1'700'000'000;
constexpr std::string_view kHost = "d111111abcdef8.cloudfront.net";

struct Fixture {
  ParsedKey rsa_priv, ec_priv;
  TrustedKeys keys;
};

const Fixture& fixture() {
  static const Fixture f = [] {
    Fixture f;
    EVP_PKEY* rsa = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
    EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    FUZZ_CHECK(rsa && ec);
    f.rsa_priv = {EvpPkeyPtr(rsa, EVP_PKEY_free), KeyType::Rsa2048};
    f.ec_priv = {EvpPkeyPtr(ec, EVP_PKEY_free), KeyType::EcP256};
    std::vector<TrustedKey> keys;
    auto r = parsePublicKeyPem(edge::fuzz::publicPem(rsa));
    auto e = parsePublicKeyPem(edge::fuzz::publicPem(ec));
    FUZZ_CHECK(r && e);
    keys.push_back({"KRSA", r->pkey, r->type});
    keys.push_back({"KEC", e->pkey, e->type});
    f.keys = TrustedKeys(std::move(keys));
    return f;
  }();
  return f;
}

ViewerRequest baseRequest() {
  ViewerRequest r;
  r.method_name = "GET";
  r.path = "/a.jpg";
  r.headers.add("Host", std::string(kHost));
  r.client_ip = "192.0.2.10";
  return r;
}

SignedCheck check(const ViewerRequest& r) {
  SignatureMemo memo(16);
  const SignedCheck c = checkSignedRequest(r, "https", fixture().keys, memo, kNow);
  FUZZ_CHECK(c.ok() || !c.reason.empty());
  if (c.failure) FUZZ_CHECK(!signedFailureBody(*c.failure).empty());
  // Asking again with the memo warm gives the same verdict.
  const SignedCheck again = checkSignedRequest(r, "https", fixture().keys, memo, kNow);
  FUZZ_CHECK(again.failure == c.failure);
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char mode = static_cast<char>(data[0]);
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (mode) {
    case '0': {
      const auto p = parseCustomPolicy(in);
      if (p) {
        FUZZ_CHECK(!p->exact_resource);
        const std::string url = "https://" + std::string(kHost) + "/a.jpg?x=1";
        (void)checkPolicyConditions(*p, url, "192.0.2.10", kNow);
        (void)checkPolicyConditions(*p, url, "2001:db8::1", p->date_less_than - 1);
        (void)checkPolicyConditions(*p, url, "not-an-ip", p->date_less_than);
      }
      break;
    }
    case '1': {
      const auto bytes = decodeCloudFrontBase64(in);
      if (bytes) {
        std::string padded(in);
        while (padded.size() % 4 != 0) padded += '_';
        FUZZ_CHECK(encodeCloudFrontBase64(*bytes) == padded);
      }
      // Encoding anything round-trips.
      const std::string text = encodeCloudFrontBase64(in);
      const auto back = decodeCloudFrontBase64(text);
      FUZZ_CHECK(back && *back == in);
      break;
    }
    case '2': {
      ViewerRequest r = baseRequest();
      r.has_query = true;
      r.query = std::string(in);
      const SignedCheck c = check(r);
      (void)signedResourceUrl(r, "https");
      // Nobody but the holder of a test key can make a valid signature.
      FUZZ_CHECK(!c.ok());
      break;
    }
    case '3': {
      ViewerRequest r = baseRequest();
      r.headers.add("Cookie", std::string(in));
      const SignedCheck c = check(r);
      FUZZ_CHECK(!c.ok());
      break;
    }
    case '4': {
      const size_t nl = in.find('\n');
      const std::string_view pattern = in.substr(0, nl);
      const std::string_view url = nl == std::string_view::npos ? "" : in.substr(nl + 1);
      const bool m = resourceMatches(pattern, url);
      // signed_policy.h: "*" matches all.
      if (pattern == "*") FUZZ_CHECK(m);
      break;
    }
    case '5': {
      const auto sig = signMessage(fixture().ec_priv, SignatureHash::Sha256, in);
      FUZZ_CHECK(sig);
      ViewerRequest r = baseRequest();
      r.has_query = true;
      r.query = "Policy=" + encodeCloudFrontBase64(in) +
                "&Signature=" + encodeCloudFrontBase64(*sig) +
                "&Key-Pair-Id=KEC&Hash-Algorithm=SHA256";
      const SignedCheck c = check(r);
      const auto p = parseCustomPolicy(in);
      if (in.empty()) {
        // An empty Policy= counts as no Policy (signed_request.cc), and without Expires that is
        // step 3's AccessDenied, not MalformedPolicy.
        FUZZ_CHECK(c.failure == SignedFailure::AccessDenied);
      } else if (!p) {
        FUZZ_CHECK(c.failure == SignedFailure::MalformedPolicy);
      } else {
        // A valid signature over a valid policy: only the conditions can refuse it.
        FUZZ_CHECK(!c.failure || *c.failure == SignedFailure::AccessDenied);
        const auto v = checkPolicyConditions(*p, signedResourceUrl(r, "https"), r.client_ip, kNow);
        FUZZ_CHECK(c.ok() == !v.has_value());
      }
      break;
    }
    default:
      break;
  }
  return 0;
}
