#include "policies/url_signer.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include "policies/signed_policy.h"

namespace edge::policies {
namespace {

const ParsedKey& rsaKey() {
  static const ParsedKey k{
      EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), EVP_PKEY_free),
      KeyType::Rsa2048};
  return k;
}

const ParsedKey& ecKey() {
  static const ParsedKey k{
      EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free),
      KeyType::EcP256};
  return k;
}

TEST(SigningDate, FormsTheAwsCliAccepts) {
  EXPECT_EQ(parseSigningDate("1893456000"), 1893456000);
  EXPECT_EQ(parseSigningDate("2030-01-01"), 1893456000);
  EXPECT_EQ(parseSigningDate("2020-01-01"), 1577836800);
  EXPECT_EQ(parseSigningDate("2030-01-01T00:00:00"), 1893456000);
  EXPECT_EQ(parseSigningDate("2030-01-01 00:00:01"), 1893456001);
  EXPECT_EQ(parseSigningDate("2030-01-01T00:00:00Z"), 1893456000);
  EXPECT_EQ(parseSigningDate("2030-01-01T02:00:00+02:00"), 1893456000);
  EXPECT_EQ(parseSigningDate("2029-12-31T19:00:00-0500"), 1893456000);
  EXPECT_EQ(parseSigningDate("2030-01-01T00:00:00.999Z"), 1893456000);
  EXPECT_EQ(parseSigningDate("2030-01-01T00:00"), 1893456000);
  EXPECT_EQ(parseSigningDate("2024-02-29"), 1709164800);
  EXPECT_EQ(parseSigningDate("1970-01-01"), 0);
  for (const char* bad : {"", "2030-1-1", "2030-13-01", "2023-02-29", "2030-01-01T25:00:00",
                          "2030-01-01T00:00:00 UTC", "tomorrow", "2030-01-01T", "-5"}) {
    EXPECT_EQ(parseSigningDate(bad), std::nullopt) << bad;
  }
}

TEST(SignUrl, CannedShapeLikeAwsCli) {
  const auto r =
      signUrl({"https://example.com/x", std::nullopt, "K2EXAMPLE", 1893456000}, rsaKey());
  ASSERT_TRUE(r) << r.error();
  EXPECT_FALSE(r->custom);
  EXPECT_EQ(r->hash, SignatureHash::Sha1);
  EXPECT_EQ(r->policy, cannedPolicy("https://example.com/x", "1893456000"));
  const std::string sig =
      encodeCloudFrontBase64(*signMessage(rsaKey(), SignatureHash::Sha1, r->policy));
  // RSA PKCS#1 v1.5 is deterministic: the same key and policy give the same signature.
  EXPECT_EQ(r->url,
            "https://example.com/x?Expires=1893456000&Signature=" + sig + "&Key-Pair-Id=K2EXAMPLE");
  ASSERT_EQ(r->cookies.size(), 3u);
  EXPECT_EQ(r->cookies[0],
            (std::pair<std::string, std::string>{"CloudFront-Expires", "1893456000"}));
  EXPECT_EQ(r->cookies[1].first, "CloudFront-Signature");
  EXPECT_EQ(r->cookies[1].second, sig);
  EXPECT_EQ(r->cookies[2],
            (std::pair<std::string, std::string>{"CloudFront-Key-Pair-Id", "K2EXAMPLE"}));
}

TEST(SignUrl, CustomWhenAnOptionalConditionIsGiven) {
  UrlSignRequest req{"https://example.com/x?a=1", std::nullopt, "K2EXAMPLE", 1893456000};
  req.date_greater_than = 1577836800;
  req.ip_address = "127.0.0.1";
  const auto r = signUrl(req, rsaKey());
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->custom);
  EXPECT_EQ(
      r->policy,
      R"({"Statement":[{"Resource":"https://example.com/x?a=1","Condition":{"DateLessThan":{"AWS:EpochTime":1893456000},"IpAddress":{"AWS:SourceIp":"127.0.0.1/32"},"DateGreaterThan":{"AWS:EpochTime":1577836800}}}]})");
  const std::string prefix =
      "https://example.com/x?a=1&Policy=" + encodeCloudFrontBase64(r->policy) + "&Signature=";
  EXPECT_EQ(r->url.substr(0, prefix.size()), prefix);
  EXPECT_TRUE(r->url.ends_with("&Key-Pair-Id=K2EXAMPLE"));
  EXPECT_EQ(r->cookies[0].first, "CloudFront-Policy");
}

TEST(SignUrl, WildcardPolicyResource) {
  UrlSignRequest req{"https://example.com/v/1.ts", "https://example.com/v/*", "K", 100};
  const auto r = signUrl(req, rsaKey());
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->custom);
  EXPECT_EQ(parseCustomPolicy(r->policy)->resource, "https://example.com/v/*");
}

// Found by viewer_request_fuzz (tests/fuzz/crashes/viewer_request-signed-here-refused): a URL
// holding '*' was signed with a custom policy whose Resource, read as a glob, no longer matched
// the URL once its query held "\?". Only an explicit --policy-resource is a pattern (botocore and
// aws-sdk-js-v3 sign such a URL with a canned policy).
TEST(SignUrl, UrlWithWildcardBytesIsSignedCanned) {
  const std::string url = R"(http://d1*1.example.net/a.jpg?x\?y=1*&z=?)";
  const auto r = signUrl({url, std::nullopt, "K", 100}, rsaKey());
  ASSERT_TRUE(r) << r.error();
  EXPECT_FALSE(r->custom);
  EXPECT_EQ(r->policy, cannedPolicy(url, "100"));
  EXPECT_TRUE(r->url.starts_with(url + "&Expires=100&Signature="));

  UrlSignRequest as_pattern{url, url, "K", 100};  // asked for explicitly: a pattern
  const auto p = signUrl(as_pattern, rsaKey());
  ASSERT_TRUE(p) << p.error();
  EXPECT_TRUE(p->custom);
  EXPECT_EQ(parseCustomPolicy(p->policy)->resource, url);
}

TEST(SignUrl, Sha256AndEcdsaAddHashAlgorithm) {
  UrlSignRequest req{"https://example.com/x", std::nullopt, "K", 100};
  req.hash = SignatureHash::Sha256;
  auto r = signUrl(req, rsaKey());
  ASSERT_TRUE(r) << r.error();
  EXPECT_TRUE(r->url.ends_with("&Key-Pair-Id=K&Hash-Algorithm=SHA256"));
  EXPECT_EQ(r->cookies.back(),
            (std::pair<std::string, std::string>{"CloudFront-Hash-Algorithm", "SHA256"}));

  req.hash.reset();
  r = signUrl(req, ecKey());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->hash, SignatureHash::Sha256);
  EXPECT_TRUE(r->url.ends_with("&Hash-Algorithm=SHA256"));

  req.hash = SignatureHash::Sha1;
  EXPECT_FALSE(signUrl(req, ecKey()));
}

TEST(SignUrl, RefusesWhatAwsCliRefuses) {
  auto err = [](UrlSignRequest req) {
    const auto r = signUrl(req, rsaKey());
    return r ? std::string("<signed>") : r.error();
  };
  EXPECT_EQ(err({"ftp://example.com/x", std::nullopt, "K", 100}),
            "--url must be an absolute http:// or https:// URL");
  EXPECT_EQ(err({"https://example.com/x?Expires=5", std::nullopt, "K", 100}),
            "--url already contains the CloudFront signing parameter Expires");
  EXPECT_EQ(err({"https://example.com/x#frag", std::nullopt, "K", 100}),
            "--url must not contain a fragment ('#')");
  EXPECT_EQ(err({"https:///x", std::nullopt, "K", 100}), "--url has no host");
  UrlSignRequest bad_ip{"https://example.com/x", std::nullopt, "K", 100};
  bad_ip.ip_address = "300.1.1.1";
  EXPECT_EQ(err(bad_ip), "--ip-address \"300.1.1.1\" is not an IP address or CIDR range");
  UrlSignRequest bad_range{"https://example.com/x", std::nullopt, "K", 100};
  bad_range.date_greater_than = 100;
  EXPECT_EQ(err(bad_range), "--date-greater-than must be before --date-less-than");
}

}  // namespace
}  // namespace edge::policies
