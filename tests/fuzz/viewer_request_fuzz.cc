// Fuzz target: the viewer request path from raw bytes, as engine/pipeline/request_fsm.cc runs
// it, without a socket or a loop: engine/server/http_parser (llhttp, strict) → behaviour match
// (policies/behavior_match.h) → method / GET-with-body checks → signed URL / cookie check
// (policies/signed_request.h) → cache key (policies/cache_key.h), against a fixed in-process
// config whose /signed/* and /signed-legacy/* behaviours trust a key group holding an EC P-256
// key generated once per process.
//
// Input: byte 0 = flags (bit 0: small parser limits, so the 413 paths are reached), byte 1 = the
// size of the pieces the bytes are fed in (0 = all at once), then the raw bytes a viewer sends
// (one or more pipelined requests). Asserted:
//  * feeding the bytes in pieces gives the same events (heads, body bytes, completions, error)
//    as feeding them at once (Connection reads whatever the socket returns);
//  * every head the parser delivers is origin-form, HTTP/1.x, has a Host when HTTP/1.1, and a
//    body never exceeds its Content-Length (and equals it when the message completed);
//  * a request to a signing behaviour that reaches "pass" carries a signature made with the
//    test key: raw fuzzer bytes never do (nobody else holds the key);
//  * the cache key is deterministic, its hash is XXH3-128 of its text, the per-behaviour and
//    per-request key computations agree, and signing parameters/cookies never enter it;
//  * signing the request here (canned policy, the same key) makes it pass, with the same cache
//    key as without the signing parameters; a changed signature byte makes it fail.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/server/http_parser.h"
#include "policies/behavior_match.h"
#include "policies/cache_key.h"
#include "policies/cache_settings.h"
#include "policies/config_load.h"
#include "policies/forwarding_rules.h"
#include "policies/origin_request.h"
#include "policies/signed_request.h"
#include "policies/url_signer.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_keys.h"

using namespace edge::policies;
using edge::engine::ParserLimits;
using edge::engine::RequestHead;
using edge::engine::RequestParser;
using edge::engine::RequestSink;

namespace {

constexpr int64_t kNow = 1'700'000'000;

// The behaviours mirror tests/policies/cache_key_test.cc: keyed headers/cookies/queries,
// all-cookies/all-queries, legacy ForwardedValues, OPTIONS cached, all methods, signing.
constexpr const char* kConfigTemplate = R"({
  "PublicKeys": [{"Id": "KEC", "PublicKeyConfig": {"Name": "k", "EncodedKey": "@PEM@"}}],
  "KeyGroups": [{"Id": "KG", "KeyGroupConfig": {"Name": "g", "Items": ["KEC"]}}],
  "CachePolicies": [
    {"Id": "cp-keyed", "CachePolicyConfig": {"Name": "Keyed", "MinTTL": 0,
     "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": true,
       "EnableAcceptEncodingBrotli": true,
       "HeadersConfig": {"HeaderBehavior": "whitelist",
                         "Headers": ["X-Ver", "CloudFront-Viewer-Country", "Origin"]},
       "CookiesConfig": {"CookieBehavior": "whitelist", "Cookies": ["b", "a"]},
       "QueryStringsConfig": {"QueryStringBehavior": "whitelist",
                              "QueryStrings": ["page", "size"]}}}},
    {"Id": "cp-all", "CachePolicyConfig": {"Name": "All", "MinTTL": 0,
     "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": true,
       "HeadersConfig": {"HeaderBehavior": "none"},
       "CookiesConfig": {"CookieBehavior": "all"},
       "QueryStringsConfig": {"QueryStringBehavior": "all"}}}},
    {"Id": "cp-except", "CachePolicyConfig": {"Name": "Except", "MinTTL": 0,
     "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false,
       "EnableAcceptEncodingBrotli": true,
       "HeadersConfig": {"HeaderBehavior": "none"},
       "CookiesConfig": {"CookieBehavior": "allExcept", "Cookies": ["tracking"]},
       "QueryStringsConfig": {"QueryStringBehavior": "allExcept",
                              "QueryStrings": ["utm_source"]}}}}],
  "DistributionConfig": {
    "DefaultRootObject": "index.html",
    "Origins": [{"Id": "web", "DomainName": "web.test",
                 "CustomOriginConfig": {"OriginProtocolPolicy": "http-only"}}],
    "DefaultCacheBehavior": {"TargetOriginId": "web",
                             "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
    "CacheBehaviors": [
      {"PathPattern": "/keyed/*", "TargetOriginId": "web", "CachePolicyId": "cp-keyed"},
      {"PathPattern": "/except/*", "TargetOriginId": "web", "CachePolicyId": "cp-except"},
      {"PathPattern": "/signed/*", "TargetOriginId": "web",
       "TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["KG"]},
       "CachePolicyId": "cp-all"},
      {"PathPattern": "/signed-legacy/*", "TargetOriginId": "web",
       "TrustedKeyGroups": {"Enabled": true, "Quantity": 1, "Items": ["KG"]},
       "ForwardedValues": {"QueryString": true, "Cookies": {"Forward": "all"}}},
      {"PathPattern": "/opts/*", "TargetOriginId": "web",
       "AllowedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"],
                          "CachedMethods": {"Quantity": 3, "Items": ["GET", "HEAD", "OPTIONS"]}},
       "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
      {"PathPattern": "/api/*", "TargetOriginId": "web",
       "AllowedMethods": {"Quantity": 7,
                          "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"]},
       "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"},
      {"PathPattern": "/legacy/*", "TargetOriginId": "web", "Compress": true,
       "ForwardedValues": {"QueryString": true, "QueryStringCacheKeys": ["a"],
         "Cookies": {"Forward": "whitelist", "WhitelistedNames": ["session", "pref_*", "v?"]},
         "Headers": ["Accept-Language"]}}]
  }
})";

struct Fixture {
  Config config;
  ParsedKey ec_priv;
  std::map<const Behavior*, BehaviorCacheSettings> settings;
  std::map<const Behavior*, TrustedKeys> keys;
};

const Fixture& fixture() {
  static const Fixture* f = [] {
    auto* f = new Fixture;
    EVP_PKEY* ec = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    FUZZ_CHECK(ec != nullptr);
    f->ec_priv = {EvpPkeyPtr(ec, EVP_PKEY_free), KeyType::EcP256};
    std::string text = kConfigTemplate;
    const std::string pem = nlohmann::json(edge::fuzz::publicPem(ec)).dump();  // quoted, \n escaped
    const size_t at = text.find("\"@PEM@\"");
    text.replace(at, 7, pem);
    auto cfg = parseConfig(text, "viewer_request_fuzz.json");
    if (!cfg) std::fprintf(stderr, "config: %s\n", cfg.error().toString().c_str());
    FUZZ_CHECK(cfg && cfg->warnings.empty());
    f->config = std::move(*cfg);
    auto key_set = PublicKeySet::parse(f->config);
    FUZZ_CHECK(key_set && key_set->size() == 1);
    auto add = [&](const Behavior& b) {
      f->settings.emplace(&b, resolveBehaviorCacheSettings(b, f->config));
      f->keys.emplace(&b, TrustedKeys::forBehavior(b, f->config, *key_set));
      FUZZ_CHECK(!requiresSignedRequests(b) || f->keys.at(&b).size() == 1);
    };
    add(f->config.distribution.default_behavior);
    for (const auto& b : f->config.distribution.behaviors) add(b);
    return f;
  }();
  return *f;
}

// ---- parsing -------------------------------------------------------------------------------------

// Everything the parser reported, in order, so two feeds can be compared.
struct Events : RequestSink {
  struct Message {
    RequestHead head;
    std::string body;
    bool complete = false;
  };
  std::vector<Message> messages;
  bool body_outside_message = false;
  std::optional<int> error_status;
  std::string error_reason;

  void onHead(RequestHead&& h) override { messages.push_back({std::move(h), {}, false}); }
  void onBody(const char* d, size_t n) override {
    if (messages.empty()) body_outside_message = true;
    else messages.back().body.append(d, n);
  }
  void onMessageComplete() override {
    if (!messages.empty()) messages.back().complete = true;
  }
};

bool sameHead(const RequestHead& a, const RequestHead& b) {
  const ViewerRequest& x = a.request;
  const ViewerRequest& y = b.request;
  return x.method == y.method && x.method_name == y.method_name && x.path == y.path &&
         x.query == y.query && x.has_query == y.has_query && x.http_major == y.http_major &&
         x.http_minor == y.http_minor && x.headers == y.headers && x.has_body == y.has_body &&
         a.keep_alive == b.keep_alive && a.chunked == b.chunked &&
         a.content_length == b.content_length && a.expect_continue == b.expect_continue &&
         a.upgrade == b.upgrade;
}

// Drives the parser the way engine/server/connection.cc does: feed, resume after each
// message, stop at the first error. `piece` 0 feeds everything in one call.
Events parseAll(std::string_view bytes, const ParserLimits& limits, size_t piece) {
  Events ev;
  RequestParser parser(limits, ev);
  size_t off = 0;
  while (off < bytes.size()) {
    const size_t end = piece == 0 ? bytes.size() : std::min(bytes.size(), off + piece);
    size_t pos = off;
    while (pos < end) {
      const auto r = parser.feed(bytes.data() + pos, end - pos);
      FUZZ_CHECK(r.consumed <= end - pos);
      if (r.state == RequestParser::State::Error) {
        ev.error_status = parser.error().status;
        ev.error_reason = parser.error().reason;
        FUZZ_CHECK(ev.error_status == 400 || ev.error_status == 413 || ev.error_status == 417);
        return ev;
      }
      pos += r.consumed;
      if (r.state == RequestParser::State::MessageDone) parser.resume();
      else FUZZ_CHECK(pos == end);
    }
    off = end;
  }
  return ev;
}

void checkHead(const Events::Message& m, const ParserLimits& limits) {
  const ViewerRequest& r = m.head.request;
  FUZZ_CHECK(!r.path.empty() && r.path[0] == '/');
  FUZZ_CHECK(r.path.find('?') == std::string::npos);
  FUZZ_CHECK(r.path.find('#') == std::string::npos && r.query.find('#') == std::string::npos);
  FUZZ_CHECK(r.has_query || r.query.empty());
  FUZZ_CHECK(r.http_major == 1);
  FUZZ_CHECK(r.headers.count("host") <= 1);
  if (r.http_minor >= 1) FUZZ_CHECK(r.headers.has("host"));
  FUZZ_CHECK(r.method == parseMethod(r.method_name));
  FUZZ_CHECK(r.method_name != "CONNECT");
  FUZZ_CHECK(r.path.size() + r.query.size() <= limits.max_url_bytes);
  if (m.head.content_length) FUZZ_CHECK(*m.head.content_length <= limits.max_body_bytes);
  FUZZ_CHECK(m.body.size() <= limits.max_body_bytes);
  if (m.head.content_length && !m.head.chunked) {
    FUZZ_CHECK(m.body.size() <= *m.head.content_length);
    if (m.complete) FUZZ_CHECK(m.body.size() == *m.head.content_length);
  }
  if (!r.has_body) FUZZ_CHECK(m.body.empty());
}

// ---- the pipeline --------------------------------------------------------------------------------

enum class Verdict { MethodNotAllowed, GetWithBody, SignedDenied, Pass };

struct Outcome {
  Verdict verdict;
  SignedCheck check;
  std::optional<CacheKey> key;
};

void checkKey(const CacheKey& key, const BehaviorCacheSettings& s, const ViewerRequest& r,
              const std::string& path) {
  const Fixture& fx = fixture();
  const std::string_view domain = fx.config.edge.domain_name;
  FUZZ_CHECK(key.text.starts_with("K1"));
  const XXH128_hash_t h = XXH3_128bits(key.text.data(), key.text.size());
  FUZZ_CHECK(h.low64 == key.hash.low64 && h.high64 == key.hash.high64);
  FUZZ_CHECK(key.no_cache == s.key.no_cache);
  // Deterministic, and the per-behaviour (hot path) and per-request computations agree.
  FUZZ_CHECK(makeCacheKey(s.key, r, domain, path) == key);
  const Behavior& b = matchBehavior(fx.config.distribution, r.path);
  FUZZ_CHECK(makeCacheKey({r, b, fx.config, domain, path}) == key);
  const CacheKeyParts parts = makeCacheKeyParts(s.key, r, domain, path);
  const CacheKey again = serializeCacheKey(parts);
  FUZZ_CHECK(again == key && again.hash.low64 == key.hash.low64);
  FUZZ_CHECK(parts.domain == domain && parts.path == path);
  FUZZ_CHECK(parts.method == (r.method == Method::Options ? "OPTIONS" : ""));
  // Cookies sorted by name: the OWS-trimmed part before the first '=' (RFC 6265 §5.2, as
  // forEachCookie gives it; "v =1" is named "v"). Found by the long run: comparing the
  // untrimmed "v " with a later "v" failed although both are named "v" (request order kept).
  for (size_t i = 1; i < parts.cookies.size(); ++i) {
    const std::string_view a = parts.cookies[i - 1], c = parts.cookies[i];
    FUZZ_CHECK(trimOws(a.substr(0, a.find('='))) <= trimOws(c.substr(0, c.find('='))));
  }
  if (s.key.strip_signing) {
    for (const auto& q : parts.query) FUZZ_CHECK(!isSigningQueryParam(q.substr(0, q.find('='))));
    for (const auto& c : parts.cookies) FUZZ_CHECK(!isSigningCookie(c.substr(0, c.find('='))));
  }
}

Outcome runPipeline(const ViewerRequest& r) {
  const Fixture& fx = fixture();
  const Behavior& b = matchBehavior(fx.config.distribution, r.path);
  const BehaviorCacheSettings& s = fx.settings.at(&b);
  Outcome out{Verdict::Pass, {}, std::nullopt};
  if (!b.allows(r.method)) {
    out.verdict = Verdict::MethodNotAllowed;
    return out;
  }
  if ((r.method == Method::Get || r.method == Method::Head) && r.has_body) {
    out.verdict = Verdict::GetWithBody;
    return out;
  }
  FUZZ_CHECK(s.key.strip_signing == requiresSignedRequests(b));
  if (requiresSignedRequests(b)) {
    SignatureMemo memo(4);
    out.check = checkSignedRequest(r, "http", fx.keys.at(&b), memo, kNow);
    if (!out.check.ok()) {
      out.verdict = Verdict::SignedDenied;
      FUZZ_CHECK(!out.check.reason.empty());
      return out;
    }
  }
  const std::string path = applyDefaultRootObject(r.path, fx.config.distribution.default_root_object);
  out.key = makeCacheKey(s.key, r, fx.config.edge.domain_name, path);
  checkKey(*out.key, s, r, path);
  (void)requestNoCacheReason(r.method, s, *out.key);
  return out;
}

bool hasSigningQueryParam(const ViewerRequest& r) {
  std::string_view q = r.query;
  while (true) {
    const size_t amp = q.find('&');
    const std::string_view param = q.substr(0, amp);
    if (isSigningQueryParam(param.substr(0, param.find('=')))) return true;
    if (amp == std::string_view::npos) return false;
    q.remove_prefix(amp + 1);
  }
}

// Signs `r` here with the test key (a canned policy for its §5.3 URL): it must pass, keep its
// cache key, and fail with one signature character changed.
void checkSignedHere(const ViewerRequest& r, const Outcome& unsigned_outcome, uint8_t salt) {
  const Fixture& fx = fixture();
  const Behavior& b = matchBehavior(fx.config.distribution, r.path);
  if (!requiresSignedRequests(b) || hasSigningQueryParam(r)) return;
  if (unsigned_outcome.verdict == Verdict::MethodNotAllowed ||
      unsigned_outcome.verdict == Verdict::GetWithBody) {
    return;
  }
  const std::string url = signedResourceUrl(r, "http");
  const auto signed_url = signUrl({url, std::nullopt, "KEC", kNow + 3600}, fx.ec_priv);
  if (!signed_url) return;  // e.g. a Host that makes no URL
  FUZZ_CHECK(signed_url->url.starts_with(url) && signed_url->url.size() > url.size() + 1);
  const std::string params = signed_url->url.substr(url.size() + 1);
  ViewerRequest s = r;
  s.query = r.query.empty() ? params : r.query + "&" + params;
  s.has_query = true;
  // The signing parameters come off again for the §5.3 URL.
  FUZZ_CHECK(signedResourceUrl(s, "http") == url);
  const Outcome o = runPipeline(s);
  if (o.verdict != Verdict::Pass) {
    std::fprintf(stderr, "signed here, refused: %s\n", std::string(o.check.reason).c_str());
  }
  FUZZ_CHECK(o.verdict == Verdict::Pass);
  FUZZ_CHECK(o.check.source == CredentialSource::Query);
  // §5.9: the signing parameters are not part of the key.
  const std::string path = applyDefaultRootObject(r.path, fx.config.distribution.default_root_object);
  FUZZ_CHECK(*o.key == makeCacheKey(fx.settings.at(&b).key, r, fx.config.edge.domain_name, path));
  // One signature character changed: refused.
  const size_t sig_at = s.query.find("Signature=", r.query.size());
  FUZZ_CHECK(sig_at != std::string::npos);
  const size_t sig_begin = sig_at + 10;
  const size_t sig_end = s.query.find('&', sig_begin);
  FUZZ_CHECK(sig_end != std::string::npos && sig_end > sig_begin);
  char& c = s.query[sig_begin + salt % (sig_end - sig_begin)];
  c = c == 'A' ? 'B' : 'A';
  const Outcome bad = runPipeline(s);
  FUZZ_CHECK(bad.verdict == Verdict::SignedDenied);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t flags = data[0];
  const size_t piece = data[1];
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
  ParserLimits limits;
  if (flags & 1) limits = {256, 64, 8, 16};

  const Events whole = parseAll(bytes, limits, 0);
  FUZZ_CHECK(!whole.body_outside_message);
  if (piece != 0) {
    const Events pieces = parseAll(bytes, limits, piece);
    if (pieces.error_status.has_value() != whole.error_status.has_value()) {
      std::fprintf(stderr, "whole: %d %s; in pieces of %zu: %d %s\n", whole.error_status.value_or(0),
                   whole.error_reason.c_str(), piece, pieces.error_status.value_or(0),
                   pieces.error_reason.c_str());
    }
    // llhttp reports a span (the URL, a header value) when it ends or when a feed() call ends,
    // and checks its bytes as they come: a limit counted on spans (413) can trip before a bad
    // byte later in the same span (400) when the bytes arrive in pieces. Both refuse; only the
    // status differs, so that one pairing is allowed.
    FUZZ_CHECK(pieces.error_status.has_value() == whole.error_status.has_value());
    if (pieces.error_status != whole.error_status) {
      FUZZ_CHECK((*pieces.error_status == 413 && *whole.error_status == 400) ||
                 (*pieces.error_status == 400 && *whole.error_status == 413));
    }
    FUZZ_CHECK(pieces.messages.size() == whole.messages.size());
    for (size_t i = 0; i < whole.messages.size(); ++i) {
      FUZZ_CHECK(sameHead(pieces.messages[i].head, whole.messages[i].head));
      // A message refused mid-body (413 past max_body_bytes) delivered as much of its body as
      // the parser had seen before the refusal, which depends on where the feeds ended; the
      // bytes are the same stream, so one is a prefix of the other (found in CI: a chunked body
      // over a 16-byte limit, fed whole and in pieces of 93).
      const std::string& pb = pieces.messages[i].body;
      const std::string& wb = whole.messages[i].body;
      const bool refused_mid_body = whole.error_status.has_value() &&
                                    i + 1 == whole.messages.size() && !whole.messages[i].complete;
      if (refused_mid_body) {
        FUZZ_CHECK(pb.size() <= wb.size() ? wb.starts_with(pb) : pb.starts_with(wb));
      } else {
        FUZZ_CHECK(pb == wb);
      }
      FUZZ_CHECK(pieces.messages[i].complete == whole.messages[i].complete);
    }
  }
  for (size_t i = 0; i < whole.messages.size(); ++i) {
    const auto& m = whole.messages[i];
    checkHead(m, limits);
    // Only complete messages go further unless it is the last one (the engine starts a request
    // on its head, before the body has arrived).
    ViewerRequest r = m.head.request;
    r.client_ip = "192.0.2.10";
    const Outcome o = runPipeline(r);
    // Raw bytes never carry a valid signature: a signing behaviour never lets them pass.
    const Behavior& b = matchBehavior(fixture().config.distribution, r.path);
    if (requiresSignedRequests(b)) FUZZ_CHECK(o.verdict != Verdict::Pass);
    checkSignedHere(r, o, static_cast<uint8_t>(flags + i));
  }
  return 0;
}
