// The access log's per-request work on a worker thread (issue 9 item 5): what onExchangeEnd does
// for one cache hit — makeAccessLogRecord over the viewer request and the exchange's log, then
// appendAccessLogLine into the reused buffer. The request is wrk's static one (bench/cache_bench.sh
// hit runs): GET /1k.bin with Host only; BM_AccessLogLineBrowser adds a browser's headers.
#include <benchmark/benchmark.h>

#include <string>

#include "engine/log/access_log_record.h"
#include "policies/access_log_format.h"

namespace {

using namespace edge;

policies::ViewerRequest wrkRequest() {
  policies::ViewerRequest req;
  req.method_name = "GET";
  req.path = "/1k.bin";
  req.headers.add("Host", "127.0.0.1:18080");
  req.client_ip = "127.0.0.1";
  req.client_port = 40112;
  return req;
}

engine::ExchangeLog hitLog() {
  engine::ExchangeLog log;
  log.status = 200;
  log.bytes_sent = 1489;
  log.bytes_received = 40;
  log.started_ms = 1000;
  log.first_byte_ms = 1000;
  log.end_ms = 1001;
  log.x_cache_type = policies::ResultType::Hit;
  log.content_type = "application/octet-stream";
  log.content_length = 1024;
  log.request_id = "p0W4cbB9Lr3Zrx0R1lfzX_3hTRYzWEdHLi8VS7Q0CE_nPIpBdLnY7g==";
  return log;
}

void run(benchmark::State& state, const policies::ViewerRequest& req) {
  const engine::ExchangeLog log = hitLog();
  const policies::EdgeSettings edge;
  std::string line;
  int64_t now_ms = 1795000000000;
  for (auto _ : state) {
    const policies::AccessLogRecord rec = engine::makeAccessLogRecord(req, log, edge, ++now_ms);
    line.clear();
    policies::appendAccessLogLine(line, rec);
    benchmark::DoNotOptimize(line.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * line.size()));
}

void BM_AccessLogLineWrk(benchmark::State& state) { run(state, wrkRequest()); }
BENCHMARK(BM_AccessLogLineWrk);

void BM_AccessLogLineBrowser(benchmark::State& state) {
  policies::ViewerRequest req = wrkRequest();
  req.query = "utm_source=newsletter&utm_medium=email&id=42";
  req.has_query = true;
  req.headers.add("User-Agent",
                  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/131.0.0.0 Safari/537.36");
  req.headers.add("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8");
  req.headers.add("Accept-Encoding", "gzip, deflate, br");
  req.headers.add("Accept-Language", "en-GB,en;q=0.9");
  req.headers.add("Referer", "https://www.example.com/conference/2026/schedule?day=2");
  req.headers.add("Cookie", "session=abc123; theme=dark");
  run(state, req);
}
BENCHMARK(BM_AccessLogLineBrowser);

}  // namespace
