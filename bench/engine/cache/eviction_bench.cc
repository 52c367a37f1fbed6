// Eviction policies replayed against synthetic CDN-like traces: hit ratio and cost per request.
//
// Each benchmark replays one whole trace once (Iterations(1)) against a fresh policy whose
// budget is 1%, 5% or 10% of the trace's working set (bytes of the distinct Zipf keys it
// requests; one-time scan keys excluded). A request is a hit if the policy tracks the key (then
// onHit), otherwise a miss (then onInsert, victims dropped), as the store will do. Counters:
//   hit_ratio       hits / requests (whole trace, cold start included)
//   zipf_hit_ratio  hits / Zipf requests: scan requests excluded (they cannot hit); on the
//                   scan trace, compare with zipf1.0's hit_ratio to see what the scans cost
//   byte_hit_ratio  hit bytes / requested bytes
//   ns_per_op       wall time of the replay / requests (contains + onHit or onInsert)
//   objects         objects in cache at the end of the trace
//   budget_mib      the policy's byte budget
// Traces are generated once per process with a fixed seed, outside the timed loop, and shared
// by every policy and cache size:
//   zipf0.8, zipf1.0  4M requests, Zipf(alpha) popularity over 1M keys
//   scan              the zipf1.0 trace with a sequential scan of 50k keys that are never
//                     requested again inserted after every 250k requests (backups, crawlers,
//                     prefetchers): 4.75M requests, 16% of them scan
// Object sizes: log-normal with median 16 KiB and sigma 1 (mean ~27 KiB), clamped to
// [256 B, 4 MiB], one size per key.
//
// Tables for engine/cache/DESIGN.md (ns/op is noisy on shared cores: median of 3):
//   edged_bench --benchmark_filter=Eviction --benchmark_repetitions=3
//     --benchmark_out=evict.json --benchmark_out_format=json   (one command line)
//   python3 bench/engine/cache/eviction_table.py evict.json
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "engine/cache/eviction_policy.h"

namespace {

using edge::engine::EvictionKind;
using edge::engine::KeyId;

constexpr uint32_t kZipfKeys = 1'000'000;
constexpr size_t kZipfRequests = 4'000'000;
constexpr uint64_t kSeed = 0x5eed2026;
constexpr size_t kScanEvery = 250'000;  // Zipf requests between two scans
constexpr size_t kScanLength = 50'000;  // one-time keys per scan

// Requests carry their key and size inline so that replaying is one sequential read: the
// measured cache misses are the policy's, not the harness's.
struct Request {
  KeyId id;  // hash-like bits, as the store's KeyIds
  uint32_t bytes;
};

struct Trace {
  std::vector<Request> requests;
  // Bytes of the distinct Zipf keys requested. Scan keys are left out, so the scan trace has
  // the same budgets as zipf1.0 and the two differ only by the scans.
  uint64_t working_set_bytes = 0;
};

KeyId hashLike(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Inverse-CDF sampling of Zipf(alpha) ranks 0..n-1 (rank 0 the most popular). A guide table
// maps each of kGuide equal slices of [0,1) to the CDF indices it spans, so a draw binary-searches
// a handful of entries instead of all n (trace generation stays well under a second).
class ZipfSampler {
 public:
  ZipfSampler(uint32_t n, double alpha) : cdf_(n), guide_(kGuide + 1) {
    double sum = 0;
    for (uint32_t i = 0; i < n; ++i) cdf_[i] = sum += 1.0 / std::pow(i + 1.0, alpha);
    for (double& c : cdf_) c /= sum;
    cdf_.back() = 1.0;
    for (size_t g = 0; g <= kGuide; ++g) {
      const double u = static_cast<double>(g) / kGuide;
      guide_[g] =
          static_cast<uint32_t>(std::lower_bound(cdf_.begin(), cdf_.end(), u) - cdf_.begin());
    }
  }
  uint32_t operator()(std::mt19937_64& rng) {
    const double u = uniform_(rng);  // [0, 1)
    const size_t g = std::min<size_t>(static_cast<size_t>(u * kGuide), kGuide - 1);
    // cdf_[guide_[g] - 1] < g/kGuide <= u, and cdf_[guide_[g + 1]] >= (g+1)/kGuide > u.
    const auto first = cdf_.begin() + guide_[g];
    const auto last = cdf_.begin() + std::min<size_t>(guide_[g + 1] + 1, cdf_.size());
    return static_cast<uint32_t>(std::lower_bound(first, last, u) - cdf_.begin());
  }

 private:
  static constexpr size_t kGuide = size_t{1} << 16;
  std::vector<double> cdf_;
  std::vector<uint32_t> guide_;
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
};

// The scan trace draws exactly the same Zipf requests (and sizes) as the plain trace of the
// same alpha, with the scans inserted between them.
Trace makeTrace(double alpha, bool scans) {
  std::mt19937_64 rng(kSeed);
  std::vector<uint32_t> keys;  // key index per request; Zipf rank = key index
  keys.reserve(kZipfRequests + (scans ? kZipfRequests / kScanEvery * kScanLength : 0));
  ZipfSampler zipf(kZipfKeys, alpha);
  uint32_t next_scan_key = kZipfKeys;  // scan keys follow the Zipf keys
  for (size_t n = 0; n < kZipfRequests; ++n) {
    if (scans && n > 0 && n % kScanEvery == 0) {
      for (size_t i = 0; i < kScanLength; ++i) keys.push_back(next_scan_key++);
    }
    keys.push_back(zipf(rng));
  }
  std::lognormal_distribution<double> size(std::log(16384.0), 1.0);
  std::vector<uint32_t> sizes(next_scan_key);
  for (uint32_t& s : sizes) {
    s = static_cast<uint32_t>(std::clamp(size(rng), 256.0, 4.0 * 1024 * 1024));
  }
  Trace t;
  t.requests.reserve(keys.size());
  std::vector<bool> seen(next_scan_key);
  for (uint32_t k : keys) {
    t.requests.push_back(Request{hashLike(k), sizes[k]});
    if (!seen[k] && k < kZipfKeys) t.working_set_bytes += sizes[k];
    seen[k] = true;
  }
  return t;
}

enum class TraceKind { Zipf08, Zipf10, Scan };

const Trace& traceFor(TraceKind kind) {
  switch (kind) {
    case TraceKind::Zipf08: {
      static const Trace t = makeTrace(0.8, false);
      return t;
    }
    case TraceKind::Zipf10: {
      static const Trace t = makeTrace(1.0, false);
      return t;
    }
    case TraceKind::Scan:
      break;
  }
  static const Trace t = makeTrace(1.0, true);
  return t;
}

void BM_Eviction(benchmark::State& state, EvictionKind kind, TraceKind trace_kind,
                 int cache_percent) {
  const Trace& trace = traceFor(trace_kind);  // generated before the timed loop
  const uint64_t budget = trace.working_set_bytes * cache_percent / 100;
  uint64_t hits = 0;
  uint64_t hit_bytes = 0;
  uint64_t requested_bytes = 0;
  double elapsed_ns = 0;
  for (auto _ : state) {
    auto policy = edge::engine::makeEvictionPolicy(kind, budget);
    std::vector<KeyId> victims;
    victims.reserve(256);
    hits = hit_bytes = requested_bytes = 0;
    const auto start = std::chrono::steady_clock::now();
    for (const Request& r : trace.requests) {
      requested_bytes += r.bytes;
      if (policy->contains(r.id)) {
        policy->onHit(r.id);
        ++hits;  // a one-time key never hits, so every hit is a Zipf hit
        hit_bytes += r.bytes;
      } else {
        victims.clear();
        policy->onInsert(r.id, r.bytes, victims);
      }
    }
    elapsed_ns +=
        std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count();
    benchmark::DoNotOptimize(hits);
    state.counters["objects"] = static_cast<double>(policy->size());  // in cache at the end
    state.PauseTiming();  // the policy's teardown is not part of the replay
    policy.reset();
    state.ResumeTiming();
  }
  const double n = static_cast<double>(trace.requests.size());
  state.counters["hit_ratio"] = static_cast<double>(hits) / n;
  state.counters["zipf_hit_ratio"] = static_cast<double>(hits) / kZipfRequests;
  state.counters["byte_hit_ratio"] =
      static_cast<double>(hit_bytes) / static_cast<double>(requested_bytes);
  state.counters["ns_per_op"] = elapsed_ns / (n * static_cast<double>(state.iterations()));
  state.counters["budget_mib"] = static_cast<double>(budget) / (1 << 20);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * trace.requests.size()));
}

const int kRegistered = [] {
  const std::pair<TraceKind, const char*> traces[] = {
      {TraceKind::Zipf08, "zipf0.8"}, {TraceKind::Zipf10, "zipf1.0"}, {TraceKind::Scan, "scan"}};
  for (const auto& [trace, trace_name] : traces) {
    for (int pct : {1, 5, 10}) {
      for (EvictionKind kind : {EvictionKind::Lru, EvictionKind::S3Fifo, EvictionKind::Sieve}) {
        const std::string name = std::string("Eviction/") + trace_name + "/" + std::to_string(pct) +
                                 "pct/" + std::string(edge::engine::toString(kind));
        benchmark::RegisterBenchmark(name.c_str(), BM_Eviction, kind, trace, pct)
            ->Iterations(1)
            ->Unit(benchmark::kMillisecond);
      }
    }
  }
  return 0;
}();

}  // namespace
