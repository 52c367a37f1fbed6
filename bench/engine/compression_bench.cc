// BodyCompressor throughput (§4): what one fill spends compressing a variant, for the gzip levels
// and brotli qualities worth choosing between (Edge.GzipLevel, Edge.BrotliQuality). Inputs come
// from bench/engine/compression_corpus.h: a ~30 KiB HTML page and a ~1 MB JSON document.
//
// BM_Compress/<input>/<coding>-<level>: one fill's work per iteration, all of it timed: make()
// with the origin's Content-Length as size hint, write() of 16 KiB pieces (the origin's reads),
// finish(), destruction. MB/s is of input bytes (SetBytesProcessed). Counters: `ratio` = input /
// output bytes, `out_bytes`, `chunks` (output pieces; the fill stores each as a body chunk) and
// `faults` (minor page faults per iteration, see minorFaults()). Brotli 11 runs on the HTML page
// only (too slow for 1 MB per iteration).
// BM_CompressSmallest/<coding>-<level>/hint:<bytes>: the same for a 1,000-byte body (the smallest
// that is compressed) with the size hint of a larger one: the fixed cost per fill.
//   edged_bench --benchmark_filter=BM_Compress
//   edged_bench --benchmark_filter='BM_Compress/json'
//   edged_bench --benchmark_filter='BM_CompressSmallest/br-5'
#include <sys/resource.h>

#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "bench/engine/compression_corpus.h"
#include "engine/pipeline/body_compressor.h"

namespace edge::engine {
namespace {

using policies::ContentCoding;

constexpr size_t kPiece = 16 * 1024;

const std::string& htmlPage() {
  static const std::string s = bench::makeHtmlPage();
  return s;
}
const std::string& jsonDocument() {
  static const std::string s = bench::makeJsonDocument();
  return s;
}

// Minor page faults of the process so far. Counted per iteration because the encoders' memory
// (zlib's deflate state, ~270 KB at memLevel 8, plus the compressor's 64 KiB scratch buffer;
// brotli's hasher, up to ~1 MiB at quality 5-9) is allocated per fill, and with glibc's default
// malloc whether those pages are reused, or unmapped and faulted in again on every fill, depends
// on the heap's history (top-of-heap trimming, the dynamic mmap threshold). The same benchmark
// can therefore differ between a run of it alone and a run after others; `faults` shows which.
long minorFaults() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_minflt;
}

bool compressOnce(std::string_view input, ContentCoding coding, int level, uint64_t size_hint,
                  std::vector<std::string>& out, uint64_t& out_bytes) {
  auto c = BodyCompressor::make(coding, {.gzip = level, .brotli = level}, size_hint);
  if (c == nullptr) return false;
  out.clear();
  for (size_t off = 0; off < input.size(); off += kPiece) {
    if (!c->write(input.substr(off, kPiece), out)) return false;
  }
  if (!c->finish(out)) return false;
  out_bytes = c->bytesOut();
  return true;
}

void compressBody(benchmark::State& state, std::string_view input, ContentCoding coding, int level,
                  uint64_t size_hint) {
  std::vector<std::string> out;
  uint64_t out_bytes = 0;
  const long faults0 = minorFaults();
  for (auto _ : state) {
    if (!compressOnce(input, coding, level, size_hint, out, out_bytes)) {
      state.SkipWithError("compression failed");
      return;
    }
    benchmark::DoNotOptimize(out.data());
  }
  const double iterations = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * input.size()));
  state.counters["ratio"] = out_bytes ? static_cast<double>(input.size()) / out_bytes : 0;
  state.counters["out_bytes"] = static_cast<double>(out_bytes);
  state.counters["chunks"] = static_cast<double>(out.size());
  state.counters["faults"] = static_cast<double>(minorFaults() - faults0) / iterations;
}

struct Case {
  ContentCoding coding;
  int level;
  bool large_too;  // also on the 1 MB JSON document
};

constexpr Case kCases[] = {
    {ContentCoding::Gzip, 1, true},     {ContentCoding::Gzip, 4, true},
    {ContentCoding::Gzip, 6, true},     {ContentCoding::Gzip, 9, true},
    {ContentCoding::Brotli, 1, true},   {ContentCoding::Brotli, 4, true},
    {ContentCoding::Brotli, 5, true},   {ContentCoding::Brotli, 6, true},
    {ContentCoding::Brotli, 11, false},
};

std::string caseName(const Case& c) {
  return std::string(policies::toString(c.coding)) + "-" + std::to_string(c.level);
}

const bool kRegistered = [] {
  for (const Case& c : kCases) {
    benchmark::RegisterBenchmark(("BM_Compress/html_30k/" + caseName(c)).c_str(),
                                 [c](benchmark::State& s) {
                                   compressBody(s, htmlPage(), c.coding, c.level,
                                                htmlPage().size());
                                 })
        ->Unit(benchmark::kMicrosecond);
  }
  for (const Case& c : kCases) {
    if (!c.large_too) continue;
    benchmark::RegisterBenchmark(("BM_Compress/json_1m/" + caseName(c)).c_str(),
                                 [c](benchmark::State& s) {
                                   compressBody(s, jsonDocument(), c.coding, c.level,
                                                jsonDocument().size());
                                 })
        ->Unit(benchmark::kMillisecond);
  }
  // The smallest compressed body (§4.1: 1,000 bytes) under the size hint of a 30 KB and of a
  // 1 MB body (brotli sizes its window, and with it its hasher, by the hint).
  for (const Case& c : kCases) {
    if (c.level == 11) continue;
    for (const uint64_t hint : {uint64_t{30'000}, uint64_t{1'000'000}}) {
      benchmark::RegisterBenchmark(
          ("BM_CompressSmallest/" + caseName(c) + "/hint:" + std::to_string(hint)).c_str(),
          [c, hint](benchmark::State& s) {
            compressBody(s, std::string_view(htmlPage()).substr(0, policies::kMinCompressBytes),
                         c.coding, c.level, hint);
          })
          ->Unit(benchmark::kMicrosecond);
    }
  }
  return true;
}();

}  // namespace
}  // namespace edge::engine
