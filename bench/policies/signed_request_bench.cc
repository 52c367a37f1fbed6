// Signed-URL verification (§5): the full check (cold: base64, JSON, RSA/ECDSA verify) against a
// SignatureMemo hit for a repeated URL. Target: a memo hit < 1 µs.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include "policies/signed_request.h"
#include "policies/url_signer.h"

namespace {

using namespace edge::policies;

constexpr int64_t kNow = 1'700'000'000;
constexpr const char* kBase = "https://d111111abcdef8.cloudfront.net";

struct Fixture {
  ParsedKey rsa{EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}), EVP_PKEY_free),
                KeyType::Rsa2048};
  ParsedKey ec{EvpPkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"), EVP_PKEY_free),
               KeyType::EcP256};
  TrustedKeys keys{{{"KRSA", rsa.pkey, rsa.type}, {"KEC", ec.pkey, ec.type}}};
};

const Fixture& fixture() {
  static const Fixture f;
  return f;
}

// A browser-like request for the signed URL `url`.
ViewerRequest requestFor(const std::string& url) {
  ViewerRequest v;
  v.method_name = "GET";
  const std::string target = url.substr(std::string_view(kBase).size());
  const size_t q = target.find('?');
  v.path = target.substr(0, q);
  v.has_query = q != std::string::npos;
  if (v.has_query) v.query = target.substr(q + 1);
  v.headers = {
      {"Host", "d111111abcdef8.cloudfront.net"},
      {"User-Agent",
       "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0.0.0 Safari/537.36"},
      {"Accept", "*/*"},
      {"Accept-Encoding", "gzip, deflate, br"},
      {"Cookie", "session=abc123; theme=dark"},
  };
  v.client_ip = "192.0.2.10";
  return v;
}

ViewerRequest signedRequest(const std::string& url, const ParsedKey& key, const char* key_id,
                            std::optional<SignatureHash> hash, bool custom) {
  UrlSignRequest req{url, std::nullopt, key_id, kNow + 3600};
  req.hash = hash;
  if (custom) {
    req.policy_resource = std::string(kBase) + "/videos/*";
    req.ip_address = "192.0.2.0/24";
    req.date_greater_than = kNow - 3600;
  }
  return requestFor(signUrl(req, key)->url);
}

void runCold(benchmark::State& state, const ViewerRequest& v) {
  SignatureMemo memo;
  for (auto _ : state) {
    memo.clear();  // every iteration verifies
    const SignedCheck c = checkSignedRequest(v, "https", fixture().keys, memo, kNow);
    if (!c.ok() || c.memo_hit) state.SkipWithError("unexpected verdict");
    benchmark::DoNotOptimize(c);
  }
}

void runHit(benchmark::State& state, const ViewerRequest& v) {
  SignatureMemo memo;
  checkSignedRequest(v, "https", fixture().keys, memo, kNow);  // warm the memo
  for (auto _ : state) {
    const SignedCheck c = checkSignedRequest(v, "https", fixture().keys, memo, kNow);
    if (!c.ok() || !c.memo_hit) state.SkipWithError("unexpected verdict");
    benchmark::DoNotOptimize(c);
  }
}

const std::string kCannedUrl = std::string(kBase) + "/videos/intro.mp4?quality=hd";

void BM_SignedColdCannedRsaSha1(benchmark::State& state) {
  runCold(state, signedRequest(kCannedUrl, fixture().rsa, "KRSA", std::nullopt, false));
}
BENCHMARK(BM_SignedColdCannedRsaSha1);

void BM_SignedColdCannedRsaSha256(benchmark::State& state) {
  runCold(state, signedRequest(kCannedUrl, fixture().rsa, "KRSA", SignatureHash::Sha256, false));
}
BENCHMARK(BM_SignedColdCannedRsaSha256);

void BM_SignedColdCannedEcdsa(benchmark::State& state) {
  runCold(state, signedRequest(kCannedUrl, fixture().ec, "KEC", std::nullopt, false));
}
BENCHMARK(BM_SignedColdCannedEcdsa);

void BM_SignedColdCustomRsaSha1(benchmark::State& state) {
  runCold(state, signedRequest(kCannedUrl, fixture().rsa, "KRSA", std::nullopt, true));
}
BENCHMARK(BM_SignedColdCustomRsaSha1);

void BM_SignedMemoHitCanned(benchmark::State& state) {
  runHit(state, signedRequest(kCannedUrl, fixture().rsa, "KRSA", std::nullopt, false));
}
BENCHMARK(BM_SignedMemoHitCanned);

// Wildcard Resource, IP range and DateGreaterThan: all three conditions checked per hit.
void BM_SignedMemoHitCustom(benchmark::State& state) {
  runHit(state, signedRequest(kCannedUrl, fixture().rsa, "KRSA", std::nullopt, true));
}
BENCHMARK(BM_SignedMemoHitCustom);

void BM_SignedMemoHitCustomEcdsa(benchmark::State& state) {
  runHit(state, signedRequest(kCannedUrl, fixture().ec, "KEC", std::nullopt, true));
}
BENCHMARK(BM_SignedMemoHitCustomEcdsa);

}  // namespace
