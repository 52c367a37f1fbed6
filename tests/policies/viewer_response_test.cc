#include "policies/viewer_response.h"

#include <gtest/gtest.h>

#include "policies/config_load.h"

namespace edge::policies {
namespace {

constexpr const char* kOptimized = "658327ea-f89d-4fab-a63d-7e88639e58f6";
constexpr const char* kAllViewer = "216adef6-5c7f-47e4-b989-5492eafa07d3";

Config managedOnly() {
  Config c;
  c.cache_policies = managedCachePolicies();
  c.origin_request_policies = managedOriginRequestPolicies();
  return c;
}

Behavior policyBehavior(std::string cache, std::string orp = "") {
  Behavior b;
  b.cache_policy_id = std::move(cache);
  b.origin_request_policy_id = std::move(orp);
  return b;
}

Behavior legacyBehavior(ForwardedValues::CookieForward cookies) {
  Behavior b;
  ForwardedValues fv;
  fv.cookie_forward = cookies;
  b.forwarded_values = fv;
  return b;
}

TEST(ViewerResponse, FiltersHopByHopFramingAndVia) {
  const Config c = managedOnly();
  const HeaderList origin{{"Content-Type", "text/html"}, {"Connection", "keep-alive, X-Internal"},
                          {"Keep-Alive", "timeout=5"}, {"X-Internal", "1"},
                          {"Transfer-Encoding", "chunked"}, {"Content-Length", "10"},
                          {"Via", "1.1 varnish"}, {"Proxy-Authenticate", "Basic"},
                          {"Upgrade", "h2c"}, {"Trailer", "Expires"}, {"TE", "trailers"},
                          {"ETag", "\"abc\""}, {"Cache-Control", "max-age=60"}};
  const HeaderList out = filterOriginResponseHeaders(origin, policyBehavior(kOptimized), c);
  EXPECT_EQ(out, (HeaderList{{"Content-Type", "text/html"},
                             {"ETag", "\"abc\""},
                             {"Cache-Control", "max-age=60"}}));
}

TEST(ViewerResponse, SetCookieOnlyWhenCookiesForwarded) {
  const Config c = managedOnly();
  const HeaderList origin{{"Set-Cookie", "a=1"}, {"set-cookie", "b=2"}, {"X", "y"}};
  using CF = ForwardedValues::CookieForward;
  EXPECT_EQ(filterOriginResponseHeaders(origin, policyBehavior(kOptimized), c).count("set-cookie"), 0u);
  EXPECT_EQ(filterOriginResponseHeaders(origin, policyBehavior(kOptimized, kAllViewer), c).count("set-cookie"),
            2u);
  EXPECT_EQ(filterOriginResponseHeaders(origin, legacyBehavior(CF::None), c).count("set-cookie"), 0u);
  EXPECT_EQ(filterOriginResponseHeaders(origin, legacyBehavior(CF::All), c).count("set-cookie"), 2u);
  EXPECT_EQ(filterOriginResponseHeaders(origin, legacyBehavior(CF::Whitelist), c).count("set-cookie"), 2u);
  EXPECT_TRUE(filterOriginResponseHeaders(origin, legacyBehavior(CF::None), c).has("x"));
}

TEST(ViewerResponse, StampAddsEdgeHeadersReplacingOriginOnes) {
  HeaderList h{{"Content-Type", "text/plain"}, {"Via", "1.1 origin"}, {"X-Cache", "HIT"}};
  stampEdgeHeaders(h, EdgeStamp{XCache::RefreshHit, "ID==", "EMU50-C1", "abc.cloudfront.net", 1, 1});
  EXPECT_EQ(h, (HeaderList{{"Content-Type", "text/plain"},
                           {"X-Cache", "RefreshHit from cloudfront"},
                           {"Via", "1.1 abc.cloudfront.net (CloudFront)"},
                           {"X-Amz-Cf-Pop", "EMU50-C1"},
                           {"X-Amz-Cf-Id", "ID=="}}));
  HeaderList h10;
  stampEdgeHeaders(h10, EdgeStamp{XCache::Miss, "i", "p", "v.cloudfront.net", 1, 0});
  EXPECT_EQ(h10.get("via"), "1.0 v.cloudfront.net (CloudFront)");
}

TEST(ViewerResponse, XCacheNames) {
  EXPECT_EQ(toString(XCache::Hit), "Hit from cloudfront");
  EXPECT_EQ(toString(XCache::RefreshHit), "RefreshHit from cloudfront");
  EXPECT_EQ(toString(XCache::Miss), "Miss from cloudfront");
  EXPECT_EQ(toString(XCache::Error), "Error from cloudfront");
  EXPECT_EQ(toString(XCache::Redirect), "Redirect from cloudfront");
}

struct ErrorKindCase {
  EdgeErrorKind kind;
  int status;
  std::string_view reason;
  std::string_view detailed;
};
class EdgeErrors : public testing::TestWithParam<ErrorKindCase> {};
TEST_P(EdgeErrors, StatusReasonAndLogType) {
  const EdgeError e = edgeError(GetParam().kind);
  EXPECT_EQ(e.status, GetParam().status) << toString(GetParam().kind);
  EXPECT_EQ(e.reason_html, GetParam().reason);
  EXPECT_EQ(e.detailed_result, GetParam().detailed);
}
constexpr std::string_view kTimeoutReason =
    "CloudFront attempted to establish a connection with the origin, but either the attempt "
    "failed or the origin closed the connection.";
INSTANTIATE_TEST_SUITE_P(
    ViewerResponse, EdgeErrors,
    testing::Values(
        ErrorKindCase{EdgeErrorKind::BadRequest, 400, "Bad request.", "InvalidRequest"},
        ErrorKindCase{EdgeErrorKind::RequestTooLarge, 413, "Bad request.", "InvalidRequest"},
        ErrorKindCase{EdgeErrorKind::MethodNotAllowed, 403,
                      "This distribution is not configured to allow the HTTP request method that "
                      "was used for this request. The distribution supports only cachable requests.",
                      "InvalidRequestMethod"},
        ErrorKindCase{EdgeErrorKind::GetWithBody, 403, "Bad request.", "InvalidRequest"},
        ErrorKindCase{EdgeErrorKind::OriginDnsError, 502,
                      "CloudFront wasn't able to resolve the origin domain name.", "OriginDnsError"},
        ErrorKindCase{EdgeErrorKind::OriginConnectError, 502,
                      "CloudFront wasn't able to connect to the origin.", "OriginConnectError"},
        ErrorKindCase{EdgeErrorKind::OriginConnectTimeout, 504, kTimeoutReason, "OriginConnectError"},
        ErrorKindCase{EdgeErrorKind::OriginReadTimeout, 504, kTimeoutReason, "OriginCommError"},
        ErrorKindCase{EdgeErrorKind::OriginInvalidResponse, 502, "The origin closed the connection.",
                      "OriginInvalidResponseError"},
        ErrorKindCase{EdgeErrorKind::OriginHeaderTooBig, 502, "The origin closed the connection.",
                      "OriginHeaderTooBigError"},
        ErrorKindCase{EdgeErrorKind::ServiceUnavailable, 503, "The request could not be satisfied.",
                      "CapacityExceeded"}));

TEST(ViewerResponse, ErrorKindNames) {
  EXPECT_EQ(toString(EdgeErrorKind::MethodNotAllowed), "MethodNotAllowed");
  EXPECT_EQ(toString(EdgeErrorKind::OriginReadTimeout), "OriginReadTimeout");
}

TEST(ViewerResponse, ErrorPageIsTheTemplate) {
  const std::string page = renderErrorPage(403, "Bad request.", "Ab-_cd==");
  EXPECT_EQ(page,
            "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\" "
            "\"http://www.w3.org/TR/html4/loose.dtd\">\n"
            "<HTML><HEAD><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=iso-8859-1\">\n"
            "<TITLE>ERROR: The request could not be satisfied</TITLE>\n"
            "</HEAD><BODY>\n"
            "<H1>403 ERROR</H1>\n"
            "<H2>The request could not be satisfied.</H2>\n"
            "<HR noshade size=\"1px\">\n"
            "Bad request.\n"
            "We can't connect to the server for this app or website at this time. There might be too "
            "much traffic or a configuration error. Try again later, or contact the app or website "
            "owner.\n"
            "<BR clear=\"all\">\n"
            "If you provide content to customers through CloudFront, you can find steps to "
            "troubleshoot and help prevent this error by reviewing the CloudFront documentation.\n"
            "<BR clear=\"all\">\n"
            "<HR noshade size=\"1px\">\n"
            "<PRE>\n"
            "Generated by cloudfront (CloudFront)\n"
            "Request ID: Ab-_cd==\n"
            "</PRE>\n"
            "<ADDRESS>\n"
            "</ADDRESS>\n"
            "</BODY></HTML>");
  EXPECT_EQ(page.find('\r'), std::string::npos);
}

TEST(ViewerResponse, ErrorPageCarriesStatusAndRequestId) {
  const std::string page = renderErrorPage(504, kTimeoutReason, "XYZ");
  EXPECT_NE(page.find("<H1>504 ERROR</H1>"), std::string::npos);
  EXPECT_NE(page.find("\nRequest ID: XYZ\n"), std::string::npos);
  EXPECT_NE(page.find(std::string(kTimeoutReason) + "\n"), std::string::npos);
}

TEST(ViewerResponse, ReasonPhrases) {
  EXPECT_EQ(reasonPhrase(200), "OK");
  EXPECT_EQ(reasonPhrase(206), "Partial Content");
  EXPECT_EQ(reasonPhrase(304), "Not Modified");
  EXPECT_EQ(reasonPhrase(403), "Forbidden");
  EXPECT_EQ(reasonPhrase(404), "Not Found");
  EXPECT_EQ(reasonPhrase(413), "Request Entity Too Large");
  EXPECT_EQ(reasonPhrase(502), "Bad Gateway");
  EXPECT_EQ(reasonPhrase(504), "Gateway Timeout");
  EXPECT_EQ(reasonPhrase(299), "Unknown");
}

TEST(RequestId, UrlSafeBase64Of40Bytes) {
  std::array<uint8_t, 40> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i);
  // Python: base64.urlsafe_b64encode(bytes(range(40)))
  EXPECT_EQ(formatRequestId(bytes), "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJw==");
  // 0xfb 0xff 0xbf → "-_-_": exercises both URL-safe characters.
  for (size_t i = 0; i < 39; i += 3) {
    bytes[i] = 0xfb;
    bytes[i + 1] = 0xff;
    bytes[i + 2] = 0xbf;
  }
  bytes[39] = 0xfe;
  const std::string id = formatRequestId(bytes);
  EXPECT_EQ(id, "-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-__g==");
  EXPECT_EQ(id.size(), 56u);
  EXPECT_EQ(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_="),
            std::string::npos);
}

TEST(ViaHost, ThirtyTwoLowercaseHexFromXxh3) {
  // XXH3-128 of the empty input (xxhsum -H2 /dev/null).
  EXPECT_EQ(viaHostFor(""), "99aa06d3014798d86001c324468d497f.cloudfront.net");
  const std::string a = viaHostFor("EMU50-C1");
  EXPECT_EQ(a.size(), 32u + std::string_view(".cloudfront.net").size());
  EXPECT_EQ(a.substr(0, 32).find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(a, viaHostFor("EMU50-C1"));
  EXPECT_NE(a, viaHostFor("EMU50-C2"));
}

}  // namespace
}  // namespace edge::policies
