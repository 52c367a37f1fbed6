// Signed URLs and signed cookies end to end (§5): keys generated here with OpenSSL, policies
// signed here, requests checked by checkSignedRequest.
#include "policies/signed_request.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <algorithm>

#include "policies/url_signer.h"

namespace edge::policies {
namespace {

constexpr int64_t kNow = 1'700'000'000;
constexpr const char* kHost = "d111111abcdef8.cloudfront.net";
const std::string kBase = std::string("https://") + kHost;

struct TestKey {
  ParsedKey priv;
  std::string public_pem;
};

TestKey makeKey(EVP_PKEY* raw, KeyType type) {
  TestKey k{{EvpPkeyPtr(raw, EVP_PKEY_free), type}, {}};
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, raw);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  k.public_pem.assign(data, static_cast<size_t>(n));
  BIO_free(bio);
  return k;
}

const TestKey& rsaKey() {
  static const TestKey k =
      makeKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), KeyType::Rsa2048);
  return k;
}
const TestKey& otherRsaKey() {
  static const TestKey k =
      makeKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), KeyType::Rsa2048);
  return k;
}
const TestKey& ecKey() {
  static const TestKey k =
      makeKey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), KeyType::EcP256);
  return k;
}

// The behaviour trusts KRSA (RSA) and KEC (ECDSA), parsed from their PEM like the config's.
TrustedKeys trusted() {
  std::vector<TrustedKey> keys;
  auto add = [&](const char* id, const TestKey& key) {
    auto parsed = parsePublicKeyPem(key.public_pem);
    EXPECT_TRUE(parsed) << parsed.error();
    keys.push_back({id, parsed->pkey, parsed->type});
  };
  add("KRSA", rsaKey());
  add("KEC", ecKey());
  return TrustedKeys(std::move(keys));
}

// "https://host/path?query" → the viewer request (scheme is passed to the check separately).
ViewerRequest requestFor(std::string_view url, std::string ip = "192.0.2.10") {
  ViewerRequest r;
  url.remove_prefix(url.find("://") + 3);
  const size_t slash = url.find('/');
  r.headers.add("Host", std::string(url.substr(0, slash)));
  const std::string_view target = url.substr(slash);
  const size_t q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) {
    r.has_query = true;
    r.query = std::string(target.substr(q + 1));
  }
  r.client_ip = std::move(ip);
  return r;
}

// Signing-parameter text for `policy` (custom) signed with `key`.
std::string customParams(const std::string& policy, const TestKey& key, std::string_view key_id,
                         SignatureHash hash = SignatureHash::Sha1) {
  const auto sig = signMessage(key.priv, hash, policy);
  EXPECT_TRUE(sig) << sig.error();
  std::string out = "Policy=" + encodeCloudFrontBase64(policy) +
                    "&Signature=" + encodeCloudFrontBase64(*sig) +
                    "&Key-Pair-Id=" + std::string(key_id);
  if (hash == SignatureHash::Sha256) out += "&Hash-Algorithm=SHA256";
  return out;
}

std::string signedUrl(const UrlSignRequest& req, const TestKey& key) {
  const auto r = signUrl(req, key.priv);
  EXPECT_TRUE(r) << r.error();
  return r ? r->url : "";
}

std::string cannedUrl(const std::string& url, int64_t expires, const TestKey& key = rsaKey(),
                      std::string key_id = "KRSA") {
  return signedUrl({url, std::nullopt, std::move(key_id), expires}, key);
}

class SignedRequest : public testing::Test {
 protected:
  SignedCheck check(const ViewerRequest& r, int64_t now = kNow, std::string_view scheme = "https") {
    return checkSignedRequest(r, scheme, keys_, memo_, now);
  }
  SignedCheck check(std::string_view url, int64_t now = kNow) {
    return check(requestFor(url), now, url.substr(0, url.find(':')));
  }
  static std::optional<SignedFailure> failureOf(const SignedCheck& c) { return c.failure; }

  TrustedKeys keys_ = trusted();
  SignatureMemo memo_;
};

// --- §5.7 bodies ------------------------------------------------------------------------------

TEST(SignedFailureBody, ExactBytesAndDocumentedLengths) {
  EXPECT_EQ(
      signedFailureBody(SignedFailure::MissingKey),
      R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>)");
  EXPECT_EQ(signedFailureBody(SignedFailure::MissingKey).size(), 146u);
  EXPECT_EQ(
      signedFailureBody(SignedFailure::AccessDenied),
      R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>)");
  EXPECT_EQ(signedFailureBody(SignedFailure::AccessDenied).size(), 110u);
  EXPECT_EQ(
      signedFailureBody(SignedFailure::InvalidKey),
      R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>InvalidKey</Code><Message>Unknown Key</Message></Error>)");
  EXPECT_EQ(
      signedFailureBody(SignedFailure::MalformedSignature),
      R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>MalformedSignature</Code><Message>Could not unencode Signature</Message></Error>)");
  EXPECT_EQ(
      signedFailureBody(SignedFailure::MalformedPolicy),
      R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>MalformedPolicy</Code><Message>Malformed Policy</Message></Error>)");
}

// --- §5.3 resource URL ----------------------------------------------------------------------

TEST(SignedResourceUrl, DocumentedCannedExampleByteExact) {
  const ViewerRequest r = requestFor(
      kBase +
      "/horizon.jpg?size=large&license=yes&Expires=1357034400&Signature=abc&Key-Pair-Id=K1");
  const std::string url = signedResourceUrl(r, "https");
  EXPECT_EQ(url, kBase + "/horizon.jpg?size=large&license=yes");
  EXPECT_EQ(
      cannedPolicy(url, "1357034400"),
      R"({"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/horizon.jpg?size=large&license=yes","Condition":{"DateLessThan":{"AWS:EpochTime":1357034400}}}]})");
}

TEST(SignedResourceUrl, KeepsOrderAndEncodingDropsOnlySigningParams) {
  EXPECT_EQ(
      signedResourceUrl(
          requestFor(
              "http://Example.COM:8080/a%2Fb?Signature=x&z=%41&Hash-Algorithm=SHA256&a&Expires=1"),
          "http"),
      "http://Example.COM:8080/a%2Fb?z=%41&a");
  EXPECT_EQ(
      signedResourceUrl(requestFor(kBase + "/x?Expires=1&Signature=s&Key-Pair-Id=k"), "https"),
      kBase + "/x");
  EXPECT_EQ(signedResourceUrl(requestFor(kBase + "/x?"), "https"), kBase + "/x");
  EXPECT_EQ(signedResourceUrl(requestFor(kBase + "/x?expires=1&Policy=p"), "https"),
            kBase + "/x?expires=1");
  EXPECT_EQ(signedResourceUrl(requestFor(kBase + "/x?a=1&&Expires=1"), "https"), kBase + "/x?a=1&");
}

// --- canned and custom OK -------------------------------------------------------------------

TEST_F(SignedRequest, CannedOk) {
  const SignedCheck c = check(cannedUrl(kBase + "/private/a.jpg?w=100", kNow + 60));
  EXPECT_TRUE(c.ok()) << c;
  EXPECT_EQ(c.source, CredentialSource::Query);
  EXPECT_FALSE(c.memo_hit);
  EXPECT_EQ(memo_.size(), 1u);
}

TEST_F(SignedRequest, CannedOverHttpSignsTheHttpUrl) {
  const std::string url = cannedUrl("http://" + std::string(kHost) + "/a", kNow + 60);
  EXPECT_TRUE(check(url).ok());
  // The same URL received over https is another resource: the signature does not verify.
  EXPECT_EQ(failureOf(check(requestFor(url), kNow, "https")), SignedFailure::AccessDenied);
}

TEST_F(SignedRequest, CustomOkWithEachCondition) {
  // Resource wildcard only.
  EXPECT_TRUE(
      check(signedUrl({kBase + "/v/1.ts", kBase + "/v/*", "KRSA", kNow + 60}, rsaKey())).ok());
  // DateGreaterThan.
  UrlSignRequest dgt{kBase + "/a", std::nullopt, "KRSA", kNow + 60};
  dgt.date_greater_than = kNow - 60;
  EXPECT_TRUE(check(signedUrl(dgt, rsaKey())).ok());
  // IPv4 CIDR and bare IPv6 address.
  UrlSignRequest ip4{kBase + "/a", std::nullopt, "KRSA", kNow + 60};
  ip4.ip_address = "192.0.2.0/24";
  EXPECT_TRUE(check(requestFor(signedUrl(ip4, rsaKey()), "192.0.2.77")).ok());
  UrlSignRequest ip6{kBase + "/a", std::nullopt, "KRSA", kNow + 60};
  ip6.ip_address = "2001:db8::5";
  EXPECT_TRUE(check(requestFor(signedUrl(ip6, rsaKey()), "2001:db8::5")).ok());
  // No Resource at all: any URL.
  const std::string any = R"({"Statement":{"Condition":{"DateLessThan":{"AWS:EpochTime":)" +
                          std::to_string(kNow + 60) + "}}}}";
  EXPECT_TRUE(check(kBase + "/whatever?x=1&" + customParams(any, rsaKey(), "KRSA")).ok());
  // A Resource written with the documented \? escape.
  const std::string escaped = R"({"Statement":[{"Resource":")" + kBase +
                              R"(/a\\?x=*","Condition":{"DateLessThan":{"AWS:EpochTime":)" +
                              std::to_string(kNow + 60) + "}}}]}";
  EXPECT_TRUE(check(kBase + "/a?x=1&" + customParams(escaped, rsaKey(), "KRSA")).ok());
}

// --- time window ----------------------------------------------------------------------------

TEST_F(SignedRequest, ExpiredAtAndAfterDateLessThan) {
  const std::string canned = cannedUrl(kBase + "/a", kNow);
  EXPECT_TRUE(check(canned, kNow - 1).ok());
  SignedCheck c = check(canned, kNow);
  EXPECT_EQ(failureOf(c), SignedFailure::AccessDenied);
  EXPECT_EQ(c.reason, "expired");
  EXPECT_EQ(failureOf(check(canned, kNow + 1)), SignedFailure::AccessDenied);

  UrlSignRequest req{kBase + "/a", std::nullopt, "KRSA", kNow};
  req.ip_address = "0.0.0.0/0";
  const std::string custom = signedUrl(req, rsaKey());
  EXPECT_TRUE(check(custom, kNow - 1).ok());
  EXPECT_EQ(failureOf(check(custom, kNow)), SignedFailure::AccessDenied);
  EXPECT_EQ(failureOf(check(custom, kNow + 3600)), SignedFailure::AccessDenied);
}

TEST_F(SignedRequest, NotYetValidUntilAfterDateGreaterThan) {
  UrlSignRequest req{kBase + "/a", std::nullopt, "KRSA", kNow + 600};
  req.date_greater_than = kNow;
  const std::string url = signedUrl(req, rsaKey());
  SignedCheck c = check(url, kNow);
  EXPECT_EQ(failureOf(c), SignedFailure::AccessDenied);
  EXPECT_EQ(c.reason, "not yet valid");
  EXPECT_EQ(failureOf(check(url, kNow - 10)), SignedFailure::AccessDenied);
  EXPECT_TRUE(check(url, kNow + 1).ok());
}

TEST_F(SignedRequest, ExpiresBeyondThe32BitEpochIsRefused) {
  const std::string url = cannedUrl(kBase + "/a", 2147483648);
  const SignedCheck c = check(url);
  EXPECT_EQ(failureOf(c), SignedFailure::AccessDenied);
  EXPECT_EQ(c.reason, "expiry beyond the 32-bit epoch");
  EXPECT_TRUE(check(cannedUrl(kBase + "/a", 2147483647)).ok());
  EXPECT_EQ(failureOf(check(kBase + "/a?Expires=12x&Signature=AA&Key-Pair-Id=KRSA")),
            SignedFailure::AccessDenied);
}

// --- IP and resource ------------------------------------------------------------------------

TEST_F(SignedRequest, WrongSourceIp) {
  UrlSignRequest v4{kBase + "/a", std::nullopt, "KRSA", kNow + 60};
  v4.ip_address = "192.0.2.0/24";
  const std::string url4 = signedUrl(v4, rsaKey());
  const SignedCheck c = check(requestFor(url4, "198.51.100.1"));
  EXPECT_EQ(failureOf(c), SignedFailure::AccessDenied);
  EXPECT_EQ(c.reason, "client IP not allowed");
  EXPECT_EQ(failureOf(check(requestFor(url4, "2001:db8::1"))), SignedFailure::AccessDenied);

  UrlSignRequest v6{kBase + "/a", std::nullopt, "KRSA", kNow + 60};
  v6.ip_address = "2001:db8:1::/48";
  const std::string url6 = signedUrl(v6, rsaKey());
  EXPECT_TRUE(check(requestFor(url6, "2001:db8:1:2::3")).ok());
  EXPECT_EQ(failureOf(check(requestFor(url6, "2001:db8:2::3"))), SignedFailure::AccessDenied);
  EXPECT_EQ(failureOf(check(requestFor(url6, "192.0.2.1"))), SignedFailure::AccessDenied);
}

TEST_F(SignedRequest, WrongResource) {
  const std::string wildcard =
      signedUrl({kBase + "/v/1.ts", kBase + "/v/*", "KRSA", kNow + 60}, rsaKey());
  // The same signing parameters on a URL outside the Resource.
  const std::string params = wildcard.substr(wildcard.find('?') + 1);
  const SignedCheck c = check(kBase + "/w/1.ts?" + params);
  EXPECT_EQ(failureOf(c), SignedFailure::AccessDenied);
  EXPECT_EQ(c.reason, "resource does not match");
  EXPECT_TRUE(check(kBase + "/v/2.ts?" + params).ok());
  // Another host.
  EXPECT_EQ(failureOf(check("https://example.com/v/1.ts?" + params)), SignedFailure::AccessDenied);
  // Canned: another path, or a query added after signing (§5.2), breaks the signature.
  const std::string canned = cannedUrl(kBase + "/a?x=1", kNow + 60);
  const std::string cparams = canned.substr(canned.find("Expires"));
  EXPECT_EQ(failureOf(check(kBase + "/b?x=1&" + cparams)), SignedFailure::AccessDenied);
  EXPECT_EQ(failureOf(check(canned + "&extra=1")), SignedFailure::AccessDenied);
}

// --- keys -----------------------------------------------------------------------------------

TEST_F(SignedRequest, MissingAndUnknownKeys) {
  const std::string url = cannedUrl(kBase + "/a", kNow + 60, rsaKey(), "KNOPE");
  SignedCheck c = check(url);
  EXPECT_EQ(failureOf(c), SignedFailure::InvalidKey);
  // Signed by a key the behaviour does not trust, under a trusted key's id.
  EXPECT_EQ(failureOf(check(cannedUrl(kBase + "/a", kNow + 60, otherRsaKey(), "KRSA"))),
            SignedFailure::AccessDenied);
  // No Key-Pair-Id, or an empty one.
  const std::string good = cannedUrl(kBase + "/a", kNow + 60);
  const std::string no_key = good.substr(0, good.find("&Key-Pair-Id"));
  EXPECT_EQ(failureOf(check(no_key)), SignedFailure::MissingKey);
  EXPECT_EQ(failureOf(check(no_key + "&Key-Pair-Id=")), SignedFailure::MissingKey);
  EXPECT_EQ(failureOf(check(kBase + "/a")), SignedFailure::MissingKey);
  EXPECT_EQ(check(kBase + "/a").source, CredentialSource::None);
  // Key present but no Signature, or no Expires/Policy.
  EXPECT_EQ(
      failureOf(check(kBase + "/a?Expires=" + std::to_string(kNow + 60) + "&Key-Pair-Id=KRSA")),
      SignedFailure::AccessDenied);
  EXPECT_EQ(failureOf(check(kBase + "/a?Signature=AAAA&Key-Pair-Id=KRSA")),
            SignedFailure::AccessDenied);
  // An empty trusted set (TrustedSigners): every key is unknown.
  TrustedKeys none;
  EXPECT_EQ(failureOf(checkSignedRequest(requestFor(good), "https", none, memo_, kNow)),
            SignedFailure::InvalidKey);
}

// --- tampering and malformed input ----------------------------------------------------------

std::string replaceParam(std::string url, std::string_view name, std::string_view value) {
  const size_t at = url.find(std::string(name) + "=");
  const size_t end = url.find('&', at);
  return url.replace(at + name.size() + 1,
                     (end == std::string::npos ? url.size() : end) - at - name.size() - 1, value);
}

std::string paramOf(const std::string& url, std::string_view name) {
  const size_t at = url.find(std::string(name) + "=") + name.size() + 1;
  return url.substr(at, url.find('&', at) - at);
}

TEST_F(SignedRequest, TamperedSignaturePolicyOrExpires) {
  const std::string canned = cannedUrl(kBase + "/a", kNow + 60);
  std::string sig = paramOf(canned, "Signature");
  sig[10] = sig[10] == 'A' ? 'B' : 'A';
  EXPECT_EQ(failureOf(check(replaceParam(canned, "Signature", sig))), SignedFailure::AccessDenied);
  EXPECT_EQ(failureOf(check(replaceParam(canned, "Expires", std::to_string(kNow + 61)))),
            SignedFailure::AccessDenied);

  UrlSignRequest req{kBase + "/a", std::nullopt, "KRSA", kNow + 60};
  req.ip_address = "192.0.2.10";
  const std::string custom = signedUrl(req, rsaKey());
  std::string policy = *decodeCloudFrontBase64(paramOf(custom, "Policy"));
  policy.replace(policy.find("192.0.2.10/32"), 13, "0.0.0.0/0");  // widen the IP range
  const SignedCheck c = check(replaceParam(custom, "Policy", encodeCloudFrontBase64(policy)));
  EXPECT_EQ(failureOf(c), SignedFailure::AccessDenied);
  EXPECT_EQ(c.reason, "signature does not verify");
  EXPECT_EQ(memo_.size(), 0u);  // failures are never memoised
}

TEST_F(SignedRequest, TruncatedSignature) {
  const std::string canned = cannedUrl(kBase + "/a", kNow + 60);
  const std::string sig = paramOf(canned, "Signature");
  ASSERT_EQ(sig.size(), 344u);  // 256 bytes
  // Still decodable (a whole byte shorter): the signature does not verify.
  EXPECT_EQ(failureOf(check(replaceParam(canned, "Signature", sig.substr(0, 340)))),
            SignedFailure::AccessDenied);
  // Not decodable (one sextet left over).
  EXPECT_EQ(failureOf(check(replaceParam(canned, "Signature", sig.substr(0, 341)))),
            SignedFailure::MalformedSignature);
}

TEST_F(SignedRequest, MalformedBase64) {
  const std::string canned = cannedUrl(kBase + "/a", kNow + 60);
  std::string sig = paramOf(canned, "Signature");
  std::replace(sig.begin(), sig.end(), '-', '+');
  std::replace(sig.begin(), sig.end(), '~', '/');
  sig[0] = '!';
  const SignedCheck c = check(replaceParam(canned, "Signature", sig));
  EXPECT_EQ(failureOf(c), SignedFailure::MalformedSignature);
  EXPECT_EQ(c.reason, "Signature is not CloudFront base64");

  const std::string custom =
      signedUrl({kBase + "/v/1", kBase + "/v/*", "KRSA", kNow + 60}, rsaKey());
  EXPECT_EQ(failureOf(check(replaceParam(custom, "Policy", "eyJ!"))),
            SignedFailure::MalformedPolicy);
}

TEST_F(SignedRequest, MalformedPolicyJson) {
  const std::string expires = std::to_string(kNow + 60);
  for (const std::string& policy : {
           std::string(R"({"Statement":[{"Resource":")") + kBase + "/a\",",    // truncated JSON
           std::string(R"({"Statement":[{"Resource":"*","Condition":{}}]})"),  // no DateLessThan
           R"({"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":")" + expires + "\"}}}]}",
       }) {
    const SignedCheck c = check(kBase + "/a?" + customParams(policy, rsaKey(), "KRSA"));
    EXPECT_EQ(failureOf(c), SignedFailure::MalformedPolicy) << policy;
    EXPECT_EQ(c.reason, "Policy is not a valid policy");
  }
}

// --- parameters -----------------------------------------------------------------------------

TEST_F(SignedRequest, DuplicatedSigningParameterIsRefused) {
  const std::string canned = cannedUrl(kBase + "/a", kNow + 60);
  const std::string sig = paramOf(canned, "Signature");
  for (const std::string& extra : {"&Signature=" + sig, std::string("&Key-Pair-Id=KRSA"),
                                   "&Expires=" + std::to_string(kNow + 60),
                                   std::string("&Hash-Algorithm=SHA1&Hash-Algorithm=SHA1")}) {
    const SignedCheck c = check(canned + extra);
    EXPECT_EQ(failureOf(c), SignedFailure::AccessDenied) << extra;
    EXPECT_EQ(c.reason, "duplicated signing parameter");
  }
}

TEST_F(SignedRequest, ParametersInAnyOrderAndInterleaved) {
  const std::string signed_url = cannedUrl(kBase + "/a?x=1&y=2", kNow + 60);
  const std::string e = "Expires=" + paramOf(signed_url, "Expires");
  const std::string s = "Signature=" + paramOf(signed_url, "Signature");
  const std::string k = "Key-Pair-Id=KRSA";
  std::vector<std::string> sign = {e, s, k};
  std::sort(sign.begin(), sign.end());
  int checked = 0;
  do {
    // The user parameters keep their order; signing parameters go before, between, after.
    EXPECT_TRUE(check(kBase + "/a?" + sign[0] + "&x=1&" + sign[1] + "&y=2&" + sign[2]).ok());
    EXPECT_TRUE(check(kBase + "/a?" + sign[0] + "&" + sign[1] + "&" + sign[2] + "&x=1&y=2").ok());
    ++checked;
  } while (std::next_permutation(sign.begin(), sign.end()));
  EXPECT_EQ(checked, 6);
  // Swapping the user parameters changes the resource.
  EXPECT_FALSE(check(kBase + "/a?y=2&x=1&" + e + "&" + s + "&" + k).ok());
  // Names are case-sensitive: "signature" is a user parameter.
  EXPECT_FALSE(
      check(kBase + "/a?x=1&y=2&" + e + "&signature=" + paramOf(signed_url, "Signature") + "&" + k)
          .ok());
}

TEST_F(SignedRequest, PercentEncodedValuesAreDecoded) {
  const std::string canned = cannedUrl(kBase + "/a", kNow + 60);
  std::string sig = paramOf(canned, "Signature");
  std::string encoded;
  for (char ch : sig)
    encoded += ch == '~' ? std::string("%7E") : ch == '-' ? std::string("%2d") : std::string(1, ch);
  EXPECT_TRUE(check(replaceParam(canned, "Signature", encoded)).ok());
}

TEST_F(SignedRequest, PolicyWinsWhenBothPolicyAndExpiresAreSent) {
  const std::string custom =
      signedUrl({kBase + "/v/1", kBase + "/v/*", "KRSA", kNow + 60}, rsaKey());
  EXPECT_TRUE(check(custom + "&Expires=1").ok());
}

// --- cookies --------------------------------------------------------------------------------

ViewerRequest withCookies(const std::string& url, const SignedUrlResult& s,
                          std::string_view extra = "") {
  ViewerRequest r = requestFor(url);
  std::string cookie = "session=abc";
  for (const auto& [name, value] : s.cookies) cookie += "; " + name + "=" + value;
  r.headers.add("Cookie", cookie + std::string(extra));
  return r;
}

TEST_F(SignedRequest, SignedCookies) {
  UrlSignRequest req{kBase + "/v/1.ts", kBase + "/v/*", "KRSA", kNow + 60};
  const auto s = signUrl(req, rsaKey().priv);
  ASSERT_TRUE(s);
  SignedCheck c = check(withCookies(kBase + "/v/2.ts?q=1", *s));
  EXPECT_TRUE(c.ok()) << c;
  EXPECT_EQ(c.source, CredentialSource::Cookie);
  EXPECT_EQ(failureOf(check(withCookies(kBase + "/w/2.ts", *s))), SignedFailure::AccessDenied);
  // Canned cookie: the request URL is the resource.
  const auto canned = signUrl({kBase + "/a?q=1", std::nullopt, "KRSA", kNow + 60}, rsaKey().priv);
  EXPECT_TRUE(check(withCookies(kBase + "/a?q=1", *canned)).ok());
  EXPECT_FALSE(check(withCookies(kBase + "/a?q=2", *canned)).ok());
  // Cookies split over two Cookie headers, and a duplicated one.
  ViewerRequest split = requestFor(kBase + "/v/3.ts");
  split.headers.add("Cookie", s->cookies[0].first + "=" + s->cookies[0].second);
  split.headers.add("cookie", s->cookies[1].first + "=" + s->cookies[1].second + "; " +
                                  s->cookies[2].first + "=" + s->cookies[2].second);
  EXPECT_TRUE(check(split).ok());
  EXPECT_EQ(failureOf(check(withCookies(kBase + "/v/2.ts", *s, "; CloudFront-Key-Pair-Id=KRSA"))),
            SignedFailure::AccessDenied);
  // Cookie names are case-sensitive.
  ViewerRequest lower = requestFor(kBase + "/v/1.ts");
  lower.headers.add("Cookie", "cloudfront-policy=" + s->cookies[0].second +
                                  "; cloudfront-signature=" + s->cookies[1].second +
                                  "; cloudfront-key-pair-id=KRSA");
  EXPECT_EQ(failureOf(check(lower)), SignedFailure::MissingKey);
}

TEST_F(SignedRequest, SignedUrlTakesPrecedenceOverCookies) {
  const auto cookies = signUrl({kBase + "/v/1", kBase + "/v/*", "KRSA", kNow + 60}, rsaKey().priv);
  ASSERT_TRUE(cookies);
  // Valid cookies, broken URL: the URL alone is evaluated.
  SignedCheck c = check(withCookies(kBase + "/v/1?Key-Pair-Id=KNOPE", *cookies));
  EXPECT_EQ(failureOf(c), SignedFailure::InvalidKey);
  EXPECT_EQ(c.source, CredentialSource::Query);
  // Even a lone Hash-Algorithm parameter makes it a signed URL.
  EXPECT_EQ(failureOf(check(withCookies(kBase + "/v/1?Hash-Algorithm=SHA256", *cookies))),
            SignedFailure::MissingKey);
  // Valid URL, broken cookies: fine.
  const std::string url = cannedUrl(kBase + "/v/1", kNow + 60);
  ViewerRequest r = requestFor(url);
  r.headers.add("Cookie", "CloudFront-Key-Pair-Id=KNOPE; CloudFront-Signature=!!");
  EXPECT_TRUE(check(r).ok());
}

// --- algorithms -----------------------------------------------------------------------------

TEST_F(SignedRequest, RsaSha256AndEcdsa) {
  UrlSignRequest rsa256{kBase + "/a", std::nullopt, "KRSA", kNow + 60};
  rsa256.hash = SignatureHash::Sha256;
  const std::string url = signedUrl(rsa256, rsaKey());
  EXPECT_TRUE(check(url).ok());
  // Without Hash-Algorithm the SHA-256 signature is checked as SHA-1.
  EXPECT_EQ(failureOf(check(url.substr(0, url.find("&Hash-Algorithm")))),
            SignedFailure::AccessDenied);
  EXPECT_EQ(failureOf(check(replaceParam(url, "Hash-Algorithm", "MD5"))),
            SignedFailure::AccessDenied);
  EXPECT_EQ(failureOf(check(replaceParam(url, "Hash-Algorithm", "sha256"))),
            SignedFailure::AccessDenied);

  const std::string ec = cannedUrl(kBase + "/a", kNow + 60, ecKey(), "KEC");
  EXPECT_NE(ec.find("&Hash-Algorithm=SHA256"), std::string::npos);
  EXPECT_TRUE(check(ec).ok());
  UrlSignRequest ec_custom{kBase + "/b", kBase + "/*", "KEC", kNow + 60};
  EXPECT_TRUE(check(signedUrl(ec_custom, ecKey())).ok());
  // ECDSA with SHA-1 is refused, whatever the signature.
  const SignedCheck c = check(ec.substr(0, ec.find("&Hash-Algorithm")));
  EXPECT_EQ(failureOf(c), SignedFailure::AccessDenied);
  EXPECT_EQ(c.reason, "ECDSA key needs Hash-Algorithm=SHA256");
  // An RSA signature presented under the ECDSA key id.
  const std::string rsa_as_ec = signedUrl(rsa256, rsaKey());
  EXPECT_EQ(failureOf(check(replaceParam(rsa_as_ec, "Key-Pair-Id", "KEC"))),
            SignedFailure::AccessDenied);
}

// --- memo -----------------------------------------------------------------------------------

TEST_F(SignedRequest, MemoHitSkipsVerificationButNotTheConditions) {
  UrlSignRequest req{kBase + "/v/1", kBase + "/v/*", "KRSA", kNow + 100};
  req.ip_address = "192.0.2.0/24";
  const std::string url = signedUrl(req, rsaKey());
  SignedCheck c = check(url);
  EXPECT_TRUE(c.ok()) << c;
  EXPECT_FALSE(c.memo_hit);
  c = check(url);
  EXPECT_TRUE(c.ok()) << c;
  EXPECT_TRUE(c.memo_hit);
  EXPECT_EQ(memo_.stats().hits, 1u);
  // Conditions still apply per request on a hit.
  c = check(requestFor(url, "198.51.100.7"));
  EXPECT_EQ(failureOf(c), SignedFailure::AccessDenied);
  EXPECT_TRUE(c.memo_hit);
  const std::string other = kBase + "/w/1" + url.substr(url.find('?'));
  c = check(other);
  EXPECT_EQ(failureOf(c), SignedFailure::AccessDenied);
  EXPECT_TRUE(c.memo_hit);
  EXPECT_EQ(c.reason, "resource does not match");

  // Canned: hits are per URL.
  const std::string canned = cannedUrl(kBase + "/c", kNow + 100);
  EXPECT_FALSE(check(canned).memo_hit);
  EXPECT_TRUE(check(canned).memo_hit);
}

TEST_F(SignedRequest, MemoEntryExpiresWithThePolicy) {
  const std::string canned = cannedUrl(kBase + "/c", kNow + 100);
  EXPECT_TRUE(check(canned).ok());
  EXPECT_EQ(memo_.size(), 1u);
  EXPECT_TRUE(check(canned, kNow + 99).memo_hit);
  const SignedCheck c = check(canned, kNow + 100);
  EXPECT_EQ(failureOf(c), SignedFailure::AccessDenied);
  EXPECT_FALSE(c.memo_hit);  // the entry is gone, and the verification is redone
  EXPECT_EQ(memo_.size(), 0u);
  EXPECT_EQ(memo_.stats().expired, 1u);
  // An already-expired policy is not remembered.
  EXPECT_FALSE(check(canned, kNow + 200).ok());
  EXPECT_EQ(memo_.size(), 0u);
}

TEST_F(SignedRequest, MemoNeverRemembersFailures) {
  const std::string canned = cannedUrl(kBase + "/c", kNow + 100);
  std::string sig = paramOf(canned, "Signature");
  sig[5] = sig[5] == 'A' ? 'B' : 'A';
  const std::string bad = replaceParam(canned, "Signature", sig);
  EXPECT_FALSE(check(bad).ok());
  EXPECT_FALSE(check(bad).ok());
  EXPECT_FALSE(check(bad).memo_hit);
  EXPECT_EQ(memo_.size(), 0u);
  EXPECT_EQ(memo_.stats().inserts, 0u);
}

TEST(SignatureMemo, BoundedLeastRecentlyUsedFirst) {
  SignatureMemo memo(3);
  SignedPolicy p;
  p.date_less_than = kNow + 100;
  auto d = [&](std::string_view sig) {
    return memo.digest({"K", SignatureHash::Sha1, true, "1", "u", sig});
  };
  const MemoDigest a = d("a"), b = d("b"), c = d("c"), e = d("e");
  memo.insert(a, "K", p, kNow);
  memo.insert(b, "K", p, kNow);
  memo.insert(c, "K", p, kNow);
  EXPECT_NE(memo.find(a, "K", kNow), nullptr);  // a is now the most recent
  memo.insert(e, "K", p, kNow);                 // drops b, the least recently used
  EXPECT_EQ(memo.size(), 3u);
  EXPECT_EQ(memo.find(b, "K", kNow), nullptr);
  EXPECT_NE(memo.find(a, "K", kNow), nullptr);
  EXPECT_NE(memo.find(c, "K", kNow), nullptr);
  EXPECT_NE(memo.find(e, "K", kNow), nullptr);
  EXPECT_EQ(memo.stats().evicted, 1u);
  // Another key id never hits.
  EXPECT_EQ(memo.find(a, "K2", kNow), nullptr);
  // Expired entries go first when room is needed.
  SignedPolicy short_lived = p;
  short_lived.date_less_than = kNow + 1;
  SignatureMemo m2(2);
  m2.insert(a, "K", short_lived, kNow);
  m2.insert(b, "K", p, kNow);
  m2.insert(c, "K", p, kNow + 5);
  EXPECT_EQ(m2.find(b, "K", kNow + 5) != nullptr, true);
  EXPECT_EQ(m2.stats().expired, 1u);
  EXPECT_EQ(m2.stats().evicted, 0u);
  // Parts are length-prefixed: moving bytes between fields changes the digest.
  EXPECT_FALSE(memo.digest({"K", SignatureHash::Sha1, true, "12", "u", "s"}) ==
               memo.digest({"K", SignatureHash::Sha1, true, "1", "2u", "s"}));
}

// --- keys from the config -------------------------------------------------------------------

TEST(TrustedKeys, FromBehaviourKeyGroups) {
  Config config;
  config.public_keys["KRSA"] = {"KRSA", "rsa", rsaKey().public_pem};
  config.public_keys["KEC"] = {"KEC", "ec", ecKey().public_pem};
  config.public_keys["KOTHER"] = {"KOTHER", "other", otherRsaKey().public_pem};
  config.key_groups["g1"] = {"g1", "one", {"KRSA", "KEC"}};
  config.key_groups["g2"] = {"g2", "two", {"KEC"}};
  Behavior b;
  b.trusted_key_groups_enabled = true;
  b.trusted_key_groups = {"g1", "g2"};
  const auto set = PublicKeySet::parse(config);
  ASSERT_TRUE(set) << set.error().toString();
  EXPECT_EQ(set->size(), 3u);
  const TrustedKeys keys = TrustedKeys::forBehavior(b, config, *set);
  EXPECT_EQ(keys.size(), 2u);
  ASSERT_NE(keys.find("KEC"), nullptr);
  EXPECT_EQ(keys.find("KEC")->type, KeyType::EcP256);
  EXPECT_EQ(keys.find("KOTHER"), nullptr);
  // The parsed key is shared, not parsed again.
  EXPECT_EQ(keys.find("KRSA")->pkey.get(), set->find("KRSA")->pkey.get());
  const auto resolved = TrustedKeys::resolve(b, config);
  ASSERT_TRUE(resolved);
  EXPECT_EQ(resolved->size(), 2u);
  b.trusted_key_groups_enabled = false;
  EXPECT_TRUE(TrustedKeys::forBehavior(b, config, *set).empty());
}

TEST(TrustedKeys, UnparsableKeyIsAnErrorNamingTheKey) {
  Config config;
  config.public_keys["KBAD"] = {"KBAD", "bad",
                                "-----BEGIN PUBLIC KEY-----\nMFk=\n-----END PUBLIC KEY-----\n"};
  const auto set = PublicKeySet::parse(config);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().key_id, "KBAD");
  EXPECT_EQ(set.error().toString(),
            "public key KBAD: not a PEM public key (-----BEGIN PUBLIC KEY-----) OpenSSL can read");
}

TEST(TrustedKeys, OnlyRsa2048AndP256) {
  auto pem = [](EVP_PKEY* k) { return makeKey(k, KeyType::Rsa2048).public_pem; };
  const auto rsa1024 =
      parsePublicKeyPem(pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{1024})));
  ASSERT_FALSE(rsa1024);
  EXPECT_EQ(rsa1024.error(), "RSA key has 1024 bits; CloudFront keys are RSA 2048 or ECDSA P-256");
  const auto p384 = parsePublicKeyPem(pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384")));
  ASSERT_FALSE(p384);
  EXPECT_EQ(p384.error(), "EC key is not on the P-256 curve (got secp384r1)");
  const auto ed = parsePublicKeyPem(pem(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")));
  ASSERT_FALSE(ed);
  EXPECT_EQ(ed.error(),
            "key type ED25519 is not supported; CloudFront keys are RSA 2048 or ECDSA P-256");
  EXPECT_TRUE(parsePublicKeyPem(rsaKey().public_pem));
  EXPECT_TRUE(parsePublicKeyPem(ecKey().public_pem));
}

TEST(PrivateKeyPem, Pkcs8AndPkcs1) {
  auto write = [](const EVP_PKEY* k, bool traditional) {
    BIO* bio = BIO_new(BIO_s_mem());
    if (traditional) {
      PEM_write_bio_PrivateKey_traditional(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
    } else {
      PEM_write_bio_PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
    }
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    std::string out(data, static_cast<size_t>(n));
    BIO_free(bio);
    return out;
  };
  const std::string pkcs8 = write(rsaKey().priv.pkey.get(), false);
  const std::string pkcs1 = write(rsaKey().priv.pkey.get(), true);
  EXPECT_NE(pkcs8.find("BEGIN PRIVATE KEY"), std::string::npos);
  EXPECT_NE(pkcs1.find("BEGIN RSA PRIVATE KEY"), std::string::npos);
  for (const std::string& pem : {pkcs8, pkcs1}) {
    const auto k = parsePrivateKeyPem(pem);
    ASSERT_TRUE(k) << k.error();
    EXPECT_EQ(k->type, KeyType::Rsa2048);
    // Same key: same deterministic PKCS#1 v1.5 signature.
    EXPECT_EQ(signMessage(*k, SignatureHash::Sha1, "m"),
              signMessage(rsaKey().priv, SignatureHash::Sha1, "m"));
  }
  const auto ec = parsePrivateKeyPem(write(ecKey().priv.pkey.get(), true));
  ASSERT_TRUE(ec) << ec.error();
  EXPECT_EQ(ec->type, KeyType::EcP256);
  EXPECT_FALSE(
      parsePrivateKeyPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"));
  EXPECT_FALSE(parsePrivateKeyPem(rsaKey().public_pem));
}

}  // namespace
}  // namespace edge::policies
