// edged-s3: the bundled S3-compatible server (see README.md). One loop; the store's fsyncs run
// on libuv's thread pool.
//
//   edged-s3 --config FILE [--listen ADDR:PORT] [--data-dir DIR] [--ready-file PATH]
//
// Exit status: 0 after SIGINT/SIGTERM (in-flight requests finish first), 1 when the store or
// the listening socket cannot be opened, 2 for a bad command line or config file.
#include <signal.h>

#include <cstdio>
#include <string>

#include "engine/server/http_server.h"
#include "engine/server/listener.h"
#include "engine/server/serve_loop.h"
#include "engine/uv/loop.h"
#include "origin/s3/object_store.h"
#include "origin/s3/s3_config.h"
#include "origin/s3/s3_payload.h"
#include "origin/s3/s3_service.h"
#include "policies/config.h"

namespace {

constexpr const char* kUsage =
    "usage: edged-s3 --config FILE [--listen ADDR:PORT] [--data-dir DIR] [--ready-file PATH]\n"
    "  An S3-compatible server (SigV4, versioning, durable writes) for edged's S3 origins.\n"
    "  --config FILE      JSON: Listen, DataDir, Region, Domain, Credentials, Buckets (see\n"
    "                     origin/s3/README.md)\n"
    "  --listen ADDR:PORT overrides Listen (port 0: any free port)\n"
    "  --data-dir DIR     overrides DataDir\n"
    "  --ready-file PATH  written with \"host:port\" once the server accepts connections\n";

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, listen, data_dir, ready_file;
  if (auto exit_status = edge::engine::parseServerArgs(
          argc, argv, "edged-s3", kUsage,
          {{"--config", &config_path}, {"--listen", &listen}, {"--data-dir", &data_dir}, {"--ready-file", &ready_file}}))
    return *exit_status;
  if (config_path.empty()) {
    std::fprintf(stderr, "edged-s3: --config FILE is required\n%s", kUsage);
    return 2;
  }
  auto config = edge::s3::loadS3Config(config_path);
  if (!config) {
    std::fprintf(stderr, "edged-s3: %s\n", config.error().c_str());
    return 2;
  }
  if (!listen.empty()) config->listen = listen;
  if (!data_dir.empty()) config->data_dir = data_dir;
  if (config->data_dir.empty()) {
    std::fprintf(stderr, "edged-s3: %s: DataDir: missing (or pass --data-dir)\n", config_path.c_str());
    return 2;
  }
  auto addr = edge::policies::parseListenAddress(config->listen);
  if (!addr) {
    std::fprintf(stderr, "edged-s3: bad listen address %s\n", config->listen.c_str());
    return 2;
  }

  auto store = edge::s3::ObjectStore::open(config->data_dir);
  if (!store) {
    std::fprintf(stderr, "edged-s3: data dir %s: %s\n", config->data_dir.c_str(), store.error().c_str());
    return 1;
  }
  if (auto b = edge::s3::applyBucketConfig(**store, *config); !b) {
    std::fprintf(stderr, "edged-s3: %s: %s\n", config_path.c_str(), b.error().c_str());
    return 1;
  }

  auto fd = edge::engine::openListenSocket(*addr);
  if (!fd) {
    std::fprintf(stderr, "edged-s3: %s\n", fd.error().c_str());
    return 1;
  }
  addr->port = edge::engine::boundPort(*fd);
  signal(SIGPIPE, SIG_IGN);

  edge::engine::Loop loop;
  edge::s3::S3Service service(**store, *config);
  edge::engine::ServerOptions options;
  // A single PUT may carry 5 GiB (plus aws-chunked framing); the service enforces the limit.
  options.limits.max_body_bytes = edge::s3::kMaxSinglePutBytes + (64ull << 20);
  options.body_timeout_ms = 60000;
  edge::engine::HttpServer server(loop, service, options);
  if (!server.adopt(*fd)) return 1;

  std::fprintf(stderr, "edged-s3: serving %s on %s (region %s, %zu bucket(s) configured)\n",
               config->data_dir.c_str(), addr->toString().c_str(), config->region.c_str(), config->buckets.size());
  if (!ready_file.empty() && !edge::engine::writeReadyFile(ready_file, addr->toString())) {
    std::fprintf(stderr, "edged-s3: cannot write %s\n", ready_file.c_str());
    return 1;
  }
  // Until SIGINT/SIGTERM; then in-flight requests (and their persists) finish first.
  edge::engine::serveUntilSignalled(loop, server);
  return 0;
}
