// Response Cache-Control parsing (RFC 9111 §5.2).
#include <benchmark/benchmark.h>

#include "policies/cache_control.h"

namespace {

using edge::policies::parseResponseCacheControl;

void BM_ParseCacheControl(benchmark::State& state, const char* value) {
  for (auto _ : state) benchmark::DoNotOptimize(parseResponseCacheControl(value));
}
BENCHMARK_CAPTURE(BM_ParseCacheControl, MaxAge, "max-age=3600");
BENCHMARK_CAPTURE(BM_ParseCacheControl, StaticAsset, "public, max-age=31536000, immutable");
BENCHMARK_CAPTURE(BM_ParseCacheControl, Complex,
                  "private, no-cache=\"Set-Cookie\", max-age=0, must-revalidate, "
                  "stale-while-revalidate=60, stale-if-error=86400");
BENCHMARK_CAPTURE(BM_ParseCacheControl, Junk,
                  "max-age=\"12\\\"3\", foo=\"a,b,c\", , ,max-age=5 x, s-maxage=abc, bogus");

}  // namespace
