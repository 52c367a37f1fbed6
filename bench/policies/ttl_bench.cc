// TTL decision for origin responses (§3.2, §3.3). Target: < 50 ns for a typical 200 with
// `Cache-Control: max-age=3600`.
#include <benchmark/benchmark.h>

#include "policies/http_date.h"
#include "policies/ttl.h"

namespace {

using namespace edge::policies;

constexpr int64_t kNow = 1'700'000'000;

// What a typical origin (nginx serving a static file) sends.
HeaderList typicalResponse(std::string cache_control) {
  return {{"Server", "nginx/1.24.0"},
          {"Date", formatHttpDate(kNow)},
          {"Content-Type", "text/html; charset=utf-8"},
          {"Content-Length", "48213"},
          {"Last-Modified", formatHttpDate(kNow - 86400)},
          {"Connection", "keep-alive"},
          {"ETag", "\"65a1b2c3-bc55\""},
          {"Cache-Control", std::move(cache_control)},
          {"Accept-Ranges", "bytes"}};
}

void BM_DecideTtlMaxAge(benchmark::State& state) {
  const HeaderList h = typicalResponse("max-age=3600");
  const TtlInputs in{.status = 200, .headers = h, .ttl = {0, 86400, 31536000}, .now = kNow};
  for (auto _ : state) benchmark::DoNotOptimize(decideTtl(in));
}
BENCHMARK(BM_DecideTtlMaxAge);

void BM_DecideTtlPreParsedCacheControl(benchmark::State& state) {
  const HeaderList h = typicalResponse("max-age=3600");
  const TtlInputs in{.status = 200, .headers = h, .ttl = {0, 86400, 31536000}, .now = kNow};
  const ResponseCacheControl cc = parseResponseCacheControl("max-age=3600");
  for (auto _ : state) benchmark::DoNotOptimize(decideTtl(in, cc));
}
BENCHMARK(BM_DecideTtlPreParsedCacheControl);

void BM_DecideTtlStaticAsset(benchmark::State& state) {
  const HeaderList h = typicalResponse("public, max-age=31536000, immutable");
  const TtlInputs in{.status = 200, .headers = h, .ttl = {1, 86400, 31536000}, .now = kNow};
  for (auto _ : state) benchmark::DoNotOptimize(decideTtl(in));
}
BENCHMARK(BM_DecideTtlStaticAsset);

// Expires is the slow path: two HTTP-date parses.
void BM_DecideTtlExpires(benchmark::State& state) {
  HeaderList h = typicalResponse("public");
  h.add("Expires", formatHttpDate(kNow + 600));
  const TtlInputs in{.status = 200, .headers = h, .ttl = {0, 86400, 31536000}, .now = kNow};
  for (auto _ : state) benchmark::DoNotOptimize(decideTtl(in));
}
BENCHMARK(BM_DecideTtlExpires);

void BM_DecideTtlError404(benchmark::State& state) {
  const HeaderList h = {
      {"Content-Type", "text/html"}, {"Content-Length", "153"}, {"Date", formatHttpDate(kNow)}};
  const std::vector<CustomErrorResponse> errors = {{404, "/404.html", 404, 60}};
  const TtlInputs in{.status = 404,
                     .headers = h,
                     .ttl = {0, 86400, 31536000},
                     .error_responses = errors,
                     .now = kNow};
  for (auto _ : state) benchmark::DoNotOptimize(decideTtl(in));
}
BENCHMARK(BM_DecideTtlError404);

void BM_TtlExplanation(benchmark::State& state) {
  const HeaderList h = typicalResponse("s-maxage=600");
  const TtlInputs in{.status = 200, .headers = h, .ttl = {0, 100, 300}, .now = kNow};
  const Cacheable c = std::get<Cacheable>(decideTtl(in));
  for (auto _ : state) benchmark::DoNotOptimize(c.explanation());
}
BENCHMARK(BM_TtlExplanation);

}  // namespace
