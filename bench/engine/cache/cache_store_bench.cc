// CacheStore hit path: lookup of a stored object (shard mutex, map probe, full-key compare,
// S3-FIFO onHit, shared_ptr copy) plus reading its body with a BodyReader (no lock), on 1 and 2
// threads sharing one store. 10k objects in 16 shards, bodies of 64 B or 4 KiB (the argument);
// keys shaped like real ones (~90 bytes of text). A miss lookup is measured for comparison.
//   edged_bench --benchmark_filter=CacheStore
#include <benchmark/benchmark.h>

#include <memory>
#include <string>
#include <vector>

#include <xxhash.h>

#include "engine/cache/cache_store.h"

namespace edge::engine {
namespace {

constexpr int kObjects = 10'000;

policies::CacheKey benchKey(int i) {
  policies::CacheKey k;
  k.text = "K1d22:d111abcdef8.cloudfront.netp" + std::to_string(20 + std::to_string(i).size()) +
           ":/assets/img/photo-" + std::to_string(i) + ".jpgm0:e4:gzipH{};C{};Q{};";
  k.hash = XXH3_128bits(k.text.data(), k.text.size());
  return k;
}

const std::vector<policies::CacheKey>& keys() {
  static const std::vector<policies::CacheKey> k = [] {
    std::vector<policies::CacheKey> v;
    for (int i = 0; i < 2 * kObjects; ++i) v.push_back(benchKey(i));  // second half: misses
    return v;
  }();
  return k;
}

// One store per body size, filled on first use: 64 B bodies keep the metadata cache-resident;
// 4 KiB bodies spread it over ~50 MB (beyond L3), as in a real cache, so every lookup pays DRAM
// and TLB misses for the map node, the object and its key text.
CacheStore& store(size_t body_bytes) {
  auto build = [](size_t bytes) {
    auto s = std::make_unique<CacheStore>([] {
      CacheStoreOptions o;
      o.memory_bytes = 1ull << 30;
      o.shards = 16;
      return o;
    }());
    for (int i = 0; i < kObjects; ++i) {
      ObjectHead head;
      head.status = 200;
      head.headers.add("Content-Type", "image/jpeg");
      head.headers.add("ETag", "\"abc\"");
      s->insert(CachedObject::makeComplete(keys()[i], "/assets/img/photo.jpg", std::move(head),
                                           {std::make_shared<const std::string>(bytes, 'x')}));
    }
    return s;
  };
  static const std::unique_ptr<CacheStore> small = build(64);
  static const std::unique_ptr<CacheStore> large = build(4096);
  return body_bytes <= 64 ? *small : *large;
}

void BM_CacheStoreLookupHit(benchmark::State& state) {
  CacheStore& s = store(static_cast<size_t>(state.range(0)));
  size_t i = static_cast<size_t>(state.thread_index()) * 4'999;
  for (auto _ : state) {
    CachedObjectPtr obj = s.lookup(keys()[i]);
    benchmark::DoNotOptimize(obj.get());
    i = (i + 7'919) % kObjects;
  }
}
BENCHMARK(BM_CacheStoreLookupHit)->Arg(64)->Arg(4096)->Threads(1)->Threads(2)->UseRealTime();

void BM_CacheStoreLookupHitAndRead(benchmark::State& state) {
  CacheStore& s = store(static_cast<size_t>(state.range(0)));
  size_t i = static_cast<size_t>(state.thread_index()) * 4'999;
  std::vector<BodyChunk> out;
  for (auto _ : state) {
    BodyReader reader(s.lookup(keys()[i]));
    out.clear();
    benchmark::DoNotOptimize(reader.read(out));
    i = (i + 7'919) % kObjects;
  }
}
BENCHMARK(BM_CacheStoreLookupHitAndRead)->Arg(64)->Arg(4096)->Threads(1)->Threads(2)->UseRealTime();

void BM_CacheStoreLookupMiss(benchmark::State& state) {
  CacheStore& s = store(static_cast<size_t>(state.range(0)));
  size_t i = 0;
  for (auto _ : state) {
    CachedObjectPtr obj = s.lookup(keys()[kObjects + i]);
    benchmark::DoNotOptimize(obj.get());
    i = (i + 7'919) % kObjects;
  }
}
BENCHMARK(BM_CacheStoreLookupMiss)->Arg(64)->Arg(4096);

}  // namespace
}  // namespace edge::engine
