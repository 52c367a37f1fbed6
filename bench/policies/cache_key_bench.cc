// Cache key construction (§2). Target: < 150 ns for a typical browser request on a behaviour with
// the managed CachingOptimized policy.
#include <benchmark/benchmark.h>

#include "policies/cache_key.h"
#include "policies/config_load.h"

namespace {

using namespace edge::policies;

constexpr std::string_view kDomain = "d111111abcdef8.cloudfront.net";

ViewerRequest browserRequest(std::string path, std::string query = "") {
  ViewerRequest v;
  v.method = Method::Get;
  v.method_name = "GET";
  v.path = std::move(path);
  v.has_query = !query.empty();
  v.query = std::move(query);
  v.headers = {
      {"Host", "www.example.com"},
      {"User-Agent",
       "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/126.0.0.0 Safari/537.36"},
      {"Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
      {"Accept-Language", "en-US,en;q=0.9"},
      {"Accept-Encoding", "gzip, deflate, br, zstd"},
      {"Cookie", "session=abc123; theme=dark; _ga=GA1.2.3.4"},
      {"Connection", "keep-alive"},
  };
  return v;
}

Config managedConfig() {
  Config c;
  c.cache_policies = managedCachePolicies();
  CachePolicy keyed;
  keyed.id = "cp-keyed";
  keyed.enable_accept_encoding_gzip = true;
  keyed.enable_accept_encoding_brotli = true;
  keyed.headers = {ListBehavior::Whitelist, {"Accept-Language", "Origin"}};
  keyed.cookies = {ListBehavior::Whitelist, {"session", "theme"}};
  keyed.query_strings = {ListBehavior::Whitelist, {"page", "size"}};
  c.cache_policies.emplace(keyed.id, keyed);
  return c;
}

Behavior behaviorWith(std::string policy_id) {
  Behavior b;
  b.cache_policy_id = std::move(policy_id);
  return b;
}

// The engine's path: the policy resolved once per behaviour.
void BM_CacheKeyOptimizedPreResolved(benchmark::State& state) {
  const Config c = managedConfig();
  const CacheKeyPolicy p =
      resolveCacheKeyPolicy(behaviorWith("658327ea-f89d-4fab-a63d-7e88639e58f6"), c);
  const ViewerRequest v = browserRequest("/static/js/app.5f3c2b.js");
  for (auto _ : state) benchmark::DoNotOptimize(makeCacheKey(p, v, kDomain, v.path));
}
BENCHMARK(BM_CacheKeyOptimizedPreResolved);

// Resolving the behaviour's policy through the Config on every call.
void BM_CacheKeyOptimizedFromConfig(benchmark::State& state) {
  const Config c = managedConfig();
  const Behavior b = behaviorWith("658327ea-f89d-4fab-a63d-7e88639e58f6");
  const ViewerRequest v = browserRequest("/static/js/app.5f3c2b.js");
  for (auto _ : state) {
    benchmark::DoNotOptimize(makeCacheKey({v, b, c, kDomain, v.path}));
  }
}
BENCHMARK(BM_CacheKeyOptimizedFromConfig);

void BM_CacheKeyHeadersCookiesQuery(benchmark::State& state) {
  const Config c = managedConfig();
  const CacheKeyPolicy p = resolveCacheKeyPolicy(behaviorWith("cp-keyed"), c);
  const ViewerRequest v = browserRequest("/catalog/list", "page=2&utm_source=x&size=50");
  for (auto _ : state) benchmark::DoNotOptimize(makeCacheKey(p, v, kDomain, v.path));
}
BENCHMARK(BM_CacheKeyHeadersCookiesQuery);

void BM_CacheKeyParts(benchmark::State& state) {
  const Config c = managedConfig();
  const CacheKeyPolicy p = resolveCacheKeyPolicy(behaviorWith("cp-keyed"), c);
  const ViewerRequest v = browserRequest("/catalog/list", "page=2&utm_source=x&size=50");
  for (auto _ : state) benchmark::DoNotOptimize(makeCacheKeyParts(p, v, kDomain, v.path));
}
BENCHMARK(BM_CacheKeyParts);

}  // namespace
