// edged_bench_corpus html|json [MIN_BYTES]: writes a compression benchmark input
// (bench/engine/compression_corpus.h) to stdout. bench/compress_bench.sh serves the HTML page
// from its origin, so the load bench and BM_Compress/html_30k compress the same bytes.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "bench/engine/compression_corpus.h"

int main(int argc, char** argv) {
  const std::string_view kind = argc > 1 ? argv[1] : "";
  if (argc > 3 || (kind != "html" && kind != "json")) {
    std::fprintf(stderr, "usage: edged_bench_corpus html|json [MIN_BYTES]\n");
    return 2;
  }
  std::string body;
  if (argc == 3) {
    const size_t n = std::strtoull(argv[2], nullptr, 10);
    body = kind == "html" ? edge::bench::makeHtmlPage(n) : edge::bench::makeJsonDocument(n);
  } else {
    body = kind == "html" ? edge::bench::makeHtmlPage() : edge::bench::makeJsonDocument();
  }
  return std::fwrite(body.data(), 1, body.size(), stdout) == body.size() ? 0 : 1;
}
