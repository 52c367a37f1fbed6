// edged: the command line. `serve` starts the workers (and the admin listener when
// Edge.AdminListen is set); `check-config` validates a file and prints the resolved behaviours;
// `explain`, `invalidate` and `sign` are in engine/cli/*_command.cc. Exit codes: 0 ok, 1 runtime
// failure, 2 bad usage or config.
#include <curl/curl.h>
#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/admin/admin_server.h"
#include "engine/admin/cache_invalidator.h"
#include "engine/admin/edge_clock.h"
#include "engine/admin/store_invalidator.h"
#include "engine/pipeline/edge_context.h"
#include "engine/cli/commands.h"
#include "engine/log/access_log_writer.h"
#include "engine/metrics/worker_metrics.h"
#include "engine/server/listener.h"
#include "engine/worker/worker.h"
#include "policies/config_load.h"

namespace {

using edge::policies::Config;
using edge::policies::ListenAddress;

constexpr const char* kUsageCommands =
    "usage:\n"
    "  edged serve --config FILE [--listen ADDR:PORT]... [--workers N] [--ready-file PATH]\n"
    "  edged check-config FILE\n";
constexpr const char* kUsageRest =
    "  edged --help | --version\n"
    "\n"
    "serve         run the edge with the distribution in FILE (JSON, CloudFront API shapes)\n"
    "  --listen    viewer address, overrides Edge.Listen (repeatable; port 0 = pick one)\n"
    "  --workers   worker loops, overrides Edge.Workers (0 = one per CPU)\n"
    "  --ready-file  written with one host:port line per listen address once serving, then\n"
    "                \"admin host:port\" when Edge.AdminListen is set\n"
    "check-config  validate FILE and print the behaviours in evaluation order\n"
    "explain       print, without serving, what a request would get: behaviour, cache key,\n"
    "              origin request, and the TTL for an assumed origin response (default 200)\n"
    "invalidate    POST an invalidation of PATHs to the admin listener (Edge.AdminListen);\n"
    "              '*' is allowed only as the last character\n"
    "sign          print a signed URL like `aws cloudfront sign`: a canned policy unless\n"
    "              --date-greater-than, --ip-address or a --policy-resource other than the\n"
    "              URL asks for a custom one; RSA 2048 or ECDSA P-256 key in PEM (PKCS#8,\n"
    "              PKCS#1, SEC1); DATE is YYYY-MM-DD[Thh:mm:ss[Z|+hh:mm]] or epoch seconds;\n"
    "              --cookies prints the signed cookies instead, one NAME=VALUE per line\n"
    "\n"
    "SIGINT/SIGTERM stop accepting, let in-flight requests finish (Edge.ShutdownGraceMs), write\n"
    "the access log's last lines, exit 0. SIGHUP reopens the access log (Edge.AccessLog).\n";

void printUsage(FILE* out) {
  std::fputs(kUsageCommands, out);
  std::fputs(edge::engine::cli::kExplainUsage, out);
  std::fputs(edge::engine::cli::kInvalidateUsage, out);
  std::fputs(edge::engine::cli::kSignUsage, out);
  std::fputs(kUsageRest, out);
}

int usageError(const std::string& msg) {
  std::fprintf(stderr, "edged: %s\n", msg.c_str());
  printUsage(stderr);
  return 2;
}

bool loadOrReport(const std::string& path, Config& out) {
  auto cfg = edge::policies::loadConfigFile(path);
  if (!cfg) {
    std::fprintf(stderr, "edged: %s\n", cfg.error().toString().c_str());
    return false;
  }
  out = std::move(*cfg);
  for (const auto& w : out.warnings) std::fprintf(stderr, "edged: warning: %s\n", w.c_str());
  return true;
}

int checkConfig(int argc, char** argv) {
  if (argc != 3) return usageError("check-config takes exactly one FILE");
  Config cfg;
  if (!loadOrReport(argv[2], cfg)) return 2;
  std::fputs(edge::policies::describeConfig(cfg).c_str(), stdout);
  std::printf("%s: OK\n", argv[2]);
  return 0;
}

// Main-thread signal handling: the first SIGINT/SIGTERM starts a graceful shutdown; SIGHUP
// reopens the access log.
struct MainLoop {
  uv_loop_t* loop = nullptr;
  uv_signal_t sigint{}, sigterm{}, sighup{};
  edge::engine::AccessLogWriter* access_log = nullptr;  // null without Edge.AccessLog
  uv_async_t ready_async{};
  std::vector<std::unique_ptr<edge::engine::Worker>>* workers = nullptr;
  edge::engine::AdminServer* admin = nullptr;  // null without Edge.AdminListen
  uint32_t grace_ms = 0;
  bool shutting_down = false;
};

void onSignal(uv_signal_t* h, int signum) {
  auto* m = static_cast<MainLoop*>(h->data);
  if (m->shutting_down) {
    std::fprintf(stderr, "edged: second signal %d, exiting now\n", signum);
    std::_Exit(1);
  }
  m->shutting_down = true;
  std::fprintf(stderr, "edged: signal %d: shutting down (grace %u ms)\n", signum, m->grace_ms);
  for (auto& w : *m->workers) w->shutdown(m->grace_ms);
  if (m->admin != nullptr) m->admin->shutdown(m->grace_ms);
  // Workers are joined after the loop stops; keep the signal handlers for a second signal.
  uv_close(reinterpret_cast<uv_handle_t*>(&m->ready_async), nullptr);
  uv_unref(reinterpret_cast<uv_handle_t*>(&m->sigint));
  uv_unref(reinterpret_cast<uv_handle_t*>(&m->sigterm));
  uv_unref(reinterpret_cast<uv_handle_t*>(&m->sighup));
}

void onHangup(uv_signal_t* h, int) {
  auto* m = static_cast<MainLoop*>(h->data);
  // The writer thread reopens the file (logrotate moved it away); this loop never waits on it.
  if (m->access_log != nullptr) m->access_log->reopen();
}

bool writeReadyFile(const std::string& path, const std::vector<ListenAddress>& addrs,
                    const std::optional<ListenAddress>& admin) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return false;
    for (const auto& a : addrs) f << a.toString() << "\n";
    if (admin) f << "admin " << admin->toString() << "\n";
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

int serve(int argc, char** argv) {
  std::string config_path, ready_file;
  std::vector<ListenAddress> listen_override;
  int workers_override = -1;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) return nullptr;
      (void)name;
      return argv[++i];
    };
    if (a == "--config") {
      const char* v = value("--config");
      if (v == nullptr) return usageError("--config needs a FILE");
      config_path = v;
    } else if (a == "--listen") {
      const char* v = value("--listen");
      auto addr = v ? edge::policies::parseListenAddress(v) : std::nullopt;
      if (!addr) return usageError("--listen needs ADDR:PORT");
      listen_override.push_back(*addr);
    } else if (a == "--workers") {
      const char* v = value("--workers");
      char* end = nullptr;
      const long n = v ? std::strtol(v, &end, 10) : -1;
      if (v == nullptr || *end != '\0' || n < 0 || n > 256) return usageError("--workers needs 0..256");
      workers_override = static_cast<int>(n);
    } else if (a == "--ready-file") {
      const char* v = value("--ready-file");
      if (v == nullptr) return usageError("--ready-file needs a PATH");
      ready_file = v;
    } else {
      return usageError("unknown argument: " + a);
    }
  }
  if (config_path.empty()) return usageError("serve needs --config FILE");

  Config cfg;
  if (!loadOrReport(config_path, cfg)) return 2;
  if (!listen_override.empty()) cfg.edge.listen = listen_override;
  if (workers_override >= 0) cfg.edge.workers = workers_override;
  int nworkers = cfg.edge.workers;
  if (nworkers == 0) nworkers = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  // One SO_REUSEPORT socket per worker and address; port 0 resolves on the first socket.
  std::vector<std::vector<int>> fds(static_cast<size_t>(nworkers));
  for (auto& addr : cfg.edge.listen) {
    for (int w = 0; w < nworkers; ++w) {
      auto fd = edge::engine::openListenSocket(addr);
      if (!fd) {
        std::fprintf(stderr, "edged: %s\n", fd.error().c_str());
        return 1;
      }
      if (addr.port == 0) addr.port = edge::engine::boundPort(*fd);
      fds[static_cast<size_t>(w)].push_back(*fd);
    }
  }
  // The admin listener: one socket, its own thread (engine/admin/admin_server.h).
  int admin_fd = -1;
  if (cfg.edge.admin_listen) {
    auto fd = edge::engine::openListenSocket(*cfg.edge.admin_listen);
    if (!fd) {
      std::fprintf(stderr, "edged: admin listener: %s\n", fd.error().c_str());
      for (auto& per_worker : fds) {
        for (int f : per_worker) ::close(f);
      }
      return 1;
    }
    if (cfg.edge.admin_listen->port == 0) {
      cfg.edge.admin_listen->port = edge::engine::boundPort(*fd);
    }
    admin_fd = *fd;
  }

  signal(SIGPIPE, SIG_IGN);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const edge::engine::ServerOptions options = edge::engine::serverOptionsFrom(cfg.edge);

  // Shared by every worker and the admin thread; both outlive the workers (joined below).
  edge::engine::EdgeClock clock;
  edge::engine::CacheStoreOptions store_options;
  store_options.memory_bytes = cfg.edge.cache_memory_bytes;
  store_options.max_object_bytes = cfg.edge.max_cache_object_bytes;
  store_options.shards = edge::engine::CacheStore::shardCountFor(store_options.memory_bytes,
                                                                 store_options.max_object_bytes);
  edge::engine::CacheStore store(store_options);
  edge::engine::StoreInvalidator invalidator(store);
  // The access log: opened before the workers start, written by its own thread, stopped (every
  // queued line written) after the workers are joined.
  std::unique_ptr<edge::engine::AccessLogWriter> access_log;
  if (!cfg.edge.access_log.empty()) {
    access_log = std::make_unique<edge::engine::AccessLogWriter>(edge::engine::AccessLogOptions{
        cfg.edge.access_log, cfg.edge.access_log_max_bytes, cfg.edge.access_log_max_files});
    if (auto started = access_log->start(); !started) {
      std::fprintf(stderr, "edged: %s\n", started.error().c_str());
      for (auto& per_worker : fds) {
        for (int f : per_worker) ::close(f);
      }
      if (admin_fd >= 0) ::close(admin_fd);
      curl_global_cleanup();
      return 1;
    }
  }
  const edge::engine::EdgeContext context{cfg, store, clock, access_log.get()};
  // One set of counters per worker (GET /metrics): written by its worker, read by the admin
  // thread; declared before both, so they outlive the workers and the admin server.
  std::vector<edge::engine::WorkerMetricsPtr> worker_metrics;
  edge::engine::WorkerMetricsList metrics_list;
  for (int w = 0; w < nworkers; ++w) {
    worker_metrics.push_back(std::make_unique<edge::engine::WorkerMetrics>());
    metrics_list.push_back(worker_metrics.back().get());
  }
  std::unique_ptr<edge::engine::AdminServer> admin;
  if (admin_fd >= 0) {
    admin = std::make_unique<edge::engine::AdminServer>(cfg, clock, invalidator, admin_fd,
                                                        metrics_list);
  }

  MainLoop m;
  m.loop = uv_default_loop();
  m.admin = admin.get();
  m.grace_ms = cfg.edge.shutdown_grace_ms;
  std::vector<std::unique_ptr<edge::engine::Worker>> workers;
  m.workers = &workers;
  std::atomic<int> ready_count{0};
  uv_signal_init(m.loop, &m.sigint);
  uv_signal_init(m.loop, &m.sigterm);
  uv_signal_init(m.loop, &m.sighup);
  m.sigint.data = m.sigterm.data = m.sighup.data = &m;
  m.access_log = access_log.get();
  uv_signal_start(&m.sigint, onSignal, SIGINT);
  uv_signal_start(&m.sigterm, onSignal, SIGTERM);
  uv_signal_start(&m.sighup, onHangup, SIGHUP);
  struct ReadyCtx {
    std::string file;
    std::vector<ListenAddress> addrs;
    std::optional<ListenAddress> admin_addr;
    edge::engine::AdminServer* admin = nullptr;
    bool written = false;
  } ready_ctx{ready_file, cfg.edge.listen, cfg.edge.admin_listen, admin.get()};
  uv_async_init(m.loop, &m.ready_async, [](uv_async_t* a) {
    auto* ctx = static_cast<ReadyCtx*>(a->data);
    if (ctx->written) return;
    ctx->written = true;
    for (const auto& addr : ctx->addrs) std::fprintf(stderr, "edged: listening on %s\n", addr.toString().c_str());
    if (ctx->admin_addr) {
      std::fprintf(stderr, "edged: admin listening on %s\n", ctx->admin_addr->toString().c_str());
    }
    if (ctx->admin != nullptr) ctx->admin->setReady(true);  // every listener is up: /readyz 200
    if (!ctx->file.empty() && !writeReadyFile(ctx->file, ctx->addrs, ctx->admin_addr)) {
      std::fprintf(stderr, "edged: cannot write ready file %s\n", ctx->file.c_str());
    }
  });
  m.ready_async.data = &ready_ctx;

  for (int w = 0; w < nworkers; ++w) {
    const auto i = static_cast<size_t>(w);
    workers.push_back(std::make_unique<edge::engine::Worker>(w, context, *worker_metrics[i],
                                                             options, std::move(fds[i])));
  }
  const int nready = nworkers + (admin ? 1 : 0);
  auto on_ready = [&] {
    if (ready_count.fetch_add(1) + 1 == nready) uv_async_send(&m.ready_async);
  };
  for (auto& w : workers) w->start(on_ready);
  if (admin) admin->start(on_ready);
  std::fprintf(stderr, "edged %s: %d worker(s), distribution %s, pop %s\n", EDGED_VERSION, nworkers,
               cfg.edge.domain_name.c_str(), cfg.edge.pop_name.c_str());

  uv_run(m.loop, UV_RUN_DEFAULT);  // returns once a signal started the shutdown
  for (auto& w : workers) w->join();
  workers.clear();
  if (admin) admin->join();
  admin.reset();
  if (access_log) {
    // Every worker is gone: what they logged is queued; write it all, then close the file.
    access_log->stop();
    if (const uint64_t dropped = access_log->droppedLines(); dropped != 0) {
      std::fprintf(stderr, "edged: access log: %llu line(s) dropped\n",
                   static_cast<unsigned long long>(dropped));
    }
    m.access_log = nullptr;
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&m.sigint), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&m.sigterm), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&m.sighup), nullptr);
  uv_run(m.loop, UV_RUN_DEFAULT);
  uv_loop_close(m.loop);
  curl_global_cleanup();
  std::fprintf(stderr, "edged: stopped\n");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usageError("missing command");
  const std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    printUsage(stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::printf("edged %s\n", EDGED_VERSION);
    return 0;
  }
  if (cmd == "serve") return serve(argc, argv);
  if (cmd == "check-config") return checkConfig(argc, argv);
  if (cmd == "explain") return edge::engine::cli::runExplain(argc, argv);
  if (cmd == "invalidate") return edge::engine::cli::runInvalidate(argc, argv);
  if (cmd == "sign") return edge::engine::cli::runSign(argc, argv);
  return usageError("unknown command: " + cmd);
}
