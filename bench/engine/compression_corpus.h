// Deterministic, realistic inputs for the compression benchmarks: an HTML product-listing page
// (~30 KiB) and a JSON API response (~1 MB). Both are built from a fixed-seed generator, so every
// run and every machine compresses the same bytes; nothing large is committed. The structure is
// what real pages have (markup and field names repeat, while words, numbers, ids, prices and
// dates vary, drawn from a skewed vocabulary), so the ratios land in the range of real
// text/html and application/json rather than that of a repeating pattern.
//
// Shared by bench/engine/compression_bench.cc and the edged_bench_corpus tool, which writes the
// same HTML for the origin of bench/compress_bench.sh.
#pragma once

#include <cstddef>
#include <string>

namespace edge::bench {

// An HTML page of at least `min_bytes` (it ends with a complete document).
std::string makeHtmlPage(size_t min_bytes = 30 * 1024);

// A JSON object {"items": [...], ...} of at least `min_bytes`.
std::string makeJsonDocument(size_t min_bytes = 1'000'000);

}  // namespace edge::bench
