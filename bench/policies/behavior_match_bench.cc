// Cache-behaviour selection: first match over a distribution's path patterns.
#include <benchmark/benchmark.h>

#include "policies/behavior_match.h"

namespace {

using edge::policies::Behavior;
using edge::policies::Distribution;

Distribution makeDistribution(int n) {
  Distribution d;
  for (int i = 0; i < n; ++i) {
    Behavior b;
    b.path_pattern = "/section" + std::to_string(i) + "/*.jpg";
    d.behaviors.push_back(b);
  }
  d.default_behavior.path_pattern = "*";
  d.default_behavior.is_default = true;
  return d;
}

void BM_MatchBehaviorFallsToDefault(benchmark::State& state) {
  const Distribution d = makeDistribution(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(&edge::policies::matchBehavior(d, "/static/js/app.5f3c2b.js"));
  }
}
BENCHMARK(BM_MatchBehaviorFallsToDefault)->Arg(1)->Arg(8)->Arg(25);

void BM_MatchPathPatternWildcards(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(edge::policies::matchPathPattern("/images/*/thumb-??.jpg",
                                                              "/images/2026/11/28/thumb-01.jpg"));
  }
}
BENCHMARK(BM_MatchPathPatternWildcards);

}  // namespace
