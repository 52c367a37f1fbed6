// SigV4 (policies/sigv4.h): verifying a typical header-signed S3 GET (the S3 server's per-request
// cost), signing an origin GET (the edge's per-miss cost with origin access control), and the
// aws-chunked decoder's throughput on a signed 1 MiB body in 64 KiB chunks.
#include <benchmark/benchmark.h>

#include "policies/sigv4.h"

namespace {

using namespace edge::policies;
using namespace edge::policies::sigv4;

constexpr int64_t kNow = 1'700'000'000;
const Credentials kCreds{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"};

HeaderList typicalHeaders() {
  return {{"Host", "media-bucket.s3.us-east-1.amazonaws.com"},
          {"User-Agent", "aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12"},
          {"Accept-Encoding", "identity"},
          {"Range", "bytes=0-1048575"}};
}

ViewerRequest typicalSignedGet() {
  ViewerRequest r;
  r.method_name = "GET";
  r.path = "/videos/2024/intro%20final.mp4";
  r.query = "versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY";
  r.has_query = true;
  r.headers = typicalHeaders();
  SignOptions opts;
  opts.extra_signed_headers = {"range"};
  signRequest("GET", r.path, r.query, r.headers, kCreds, opts, kNow);
  return r;
}

void BM_Sigv4VerifyHeaderGet(benchmark::State& state) {
  const ViewerRequest r = typicalSignedGet();
  const SecretLookup secrets = [](std::string_view) {
    return std::optional<std::string>(kCreds.secret_access_key);
  };
  for (auto _ : state) {
    auto v = verifyRequest(r, secrets, kNow);
    if (!v) state.SkipWithError("verification failed");
    benchmark::DoNotOptimize(v);
  }
}
BENCHMARK(BM_Sigv4VerifyHeaderGet);

void BM_Sigv4SignGet(benchmark::State& state) {
  const HeaderList base = typicalHeaders();
  SignOptions opts;
  opts.extra_signed_headers = {"range"};
  for (auto _ : state) {
    HeaderList h = base;
    const bool ok = signRequest("GET", "/videos/2024/intro%20final.mp4", "", h, kCreds, opts, kNow);
    if (!ok) state.SkipWithError("signing failed");
    benchmark::DoNotOptimize(h);
  }
}
BENCHMARK(BM_Sigv4SignGet);

void BM_Sigv4ChunkedDecode1MiB(benchmark::State& state) {
  Verified v;
  v.scope = Scope{"20231114", "us-east-1", "s3"};
  v.amz_date = "20231114T221320Z";
  v.key = signingKey(kCreds.secret_access_key, v.scope);
  v.seed_signature = std::string(64, 'a');
  v.payload = PayloadMode::StreamingSigned;
  const ChunkSigning s{v.key, v.scope, v.amz_date, v.seed_signature};
  const std::string wire = encodeAwsChunked(std::string(1 << 20, 'x'), 65536, &s);
  for (auto _ : state) {
    AwsChunkedDecoder d(v);
    uint64_t n = 0;
    const auto e = d.feed(wire, [&](std::string_view data) { n += data.size(); });
    if (e || !d.done()) state.SkipWithError("decode failed");
    benchmark::DoNotOptimize(n);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(wire.size()));
}
BENCHMARK(BM_Sigv4ChunkedDecode1MiB);

}  // namespace
