// Viewer request parsing: llhttp (strict) plus head extraction into a ViewerRequest.
#include <benchmark/benchmark.h>

#include <string>

#include "engine/server/http_parser.h"

namespace {

struct NullSink : edge::engine::RequestSink {
  size_t heads = 0;
  void onHead(edge::engine::RequestHead&& h) override { heads += h.request.headers.size(); }
  void onBody(const char*, size_t) override {}
  void onMessageComplete() override {}
};

void BM_ParseTypicalGet(benchmark::State& state) {
  const std::string req =
      "GET /images/cat.jpg?w=100&h=200 HTTP/1.1\r\nHost: d111111abcdef8.cloudfront.net\r\n"
      "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0\r\n"
      "Accept: image/avif,image/webp,*/*\r\nAccept-Encoding: gzip, deflate, br\r\n"
      "Accept-Language: en-US,en;q=0.9\r\nCookie: session=abc123; theme=dark\r\n\r\n";
  NullSink sink;
  edge::engine::RequestParser parser({}, sink);
  for (auto _ : state) {
    auto r = parser.feed(req.data(), req.size());
    parser.resume();
    benchmark::DoNotOptimize(r);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * req.size()));
}
BENCHMARK(BM_ParseTypicalGet);

}  // namespace
