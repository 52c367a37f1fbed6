// edged-registration: the bundled conference-registration API (see README.md). One loop for
// HTTP, libuv's thread pool for the database, and the certificate worker's own thread.
//
//   edged-registration --config FILE [--listen ADDR:PORT] [--database PATH]
//                      [--cookie-key-file PEM] [--ready-file PATH]
//
// Exit status: 0 after SIGINT/SIGTERM (in-flight requests finish, then the worker stops), 1 when
// the database or the listening socket cannot be opened, 2 for a bad command line or config.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "engine/server/http_server.h"
#include "engine/server/listener.h"
#include "engine/server/serve_loop.h"
#include "engine/uv/loop.h"
#include "origin/registration/certificate_worker.h"
#include "origin/registration/registration_config.h"
#include "origin/registration/registration_service.h"
#include "origin/registration/registration_store.h"
#include "policies/config.h"
#include "policies/signed_keys.h"

namespace {

constexpr const char* kUsage =
    "usage: edged-registration --config FILE [--listen ADDR:PORT] [--database PATH]\n"
    "                          [--cookie-key-file PEM] [--ready-file PATH]\n"
    "  The conference-registration API behind the edge's /api/* behaviour, with the worker that\n"
    "  issues certificates into the bucket (see origin/registration/README.md).\n"
    "  --config FILE          JSON: Listen, Database, AllowedOrigins, Conference, Certificates,\n"
    "                         SignedCookies, OriginVerifyHeader\n"
    "  --listen ADDR:PORT     overrides Listen (port 0: any free port)\n"
    "  --database PATH        overrides Database\n"
    "  --cookie-key-file PEM  overrides SignedCookies.PrivateKeyFile\n"
    "  --ready-file PATH      written with \"host:port\" once the server accepts connections\n";

}  // namespace

int main(int argc, char** argv) {
  std::string config_path, listen, database, cookie_key_file, ready_file;
  if (auto exit_status = edge::engine::parseServerArgs(argc, argv, "edged-registration", kUsage,
                                                      {{"--config", &config_path},
                                                       {"--listen", &listen},
                                                       {"--database", &database},
                                                       {"--cookie-key-file", &cookie_key_file},
                                                       {"--ready-file", &ready_file}}))
    return *exit_status;
  if (config_path.empty()) {
    std::fprintf(stderr, "edged-registration: --config FILE is required\n%s", kUsage);
    return 2;
  }
  auto config = edge::registration::loadRegistrationConfig(config_path);
  if (!config) {
    std::fprintf(stderr, "edged-registration: %s\n", config.error().c_str());
    return 2;
  }
  if (!listen.empty()) config->listen = listen;
  if (!database.empty()) config->database = database;
  if (config->database.empty()) {
    std::fprintf(stderr, "edged-registration: %s: Database: missing (or pass --database)\n", config_path.c_str());
    return 2;
  }
  auto addr = edge::policies::parseListenAddress(config->listen);
  if (!addr) {
    std::fprintf(stderr, "edged-registration: bad listen address %s\n", config->listen.c_str());
    return 2;
  }

  // The signing key is read once, here: a missing or unreadable key is a start-up error.
  edge::registration::RegistrationServiceOptions service_options;
  if (!cookie_key_file.empty()) {
    if (!config->signed_cookies) {
      std::fprintf(stderr, "edged-registration: --cookie-key-file needs SignedCookies (KeyPairId) in %s\n",
                   config_path.c_str());
      return 2;
    }
    config->signed_cookies->private_key_file = cookie_key_file;
  }
  if (config->signed_cookies) {
    const std::string& file = config->signed_cookies->private_key_file;
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "edged-registration: %s: cannot be read (SignedCookies.PrivateKeyFile)\n", file.c_str());
      return 2;
    }
    std::ostringstream pem;
    pem << in.rdbuf();
    auto key = edge::policies::parsePrivateKeyPem(pem.str());
    if (!key) {
      std::fprintf(stderr, "edged-registration: %s: %s (SignedCookies.PrivateKeyFile)\n", file.c_str(),
                   key.error().c_str());
      return 2;
    }
    service_options.cookie_key = std::move(*key);
  }

  auto store = edge::registration::RegistrationStore::open(config->database);
  if (!store) {
    std::fprintf(stderr, "edged-registration: database %s\n", store.error().c_str());
    return 1;
  }

  edge::registration::CertificateWorkerOptions worker_options;
  worker_options.database = config->database;
  worker_options.target = config->certificates;
  worker_options.conference_name = config->conference_name;
  worker_options.sessions = config->sessions;
  edge::registration::CertificateWorker worker(std::move(worker_options));

  auto fd = edge::engine::openListenSocket(*addr);
  if (!fd) {
    std::fprintf(stderr, "edged-registration: %s\n", fd.error().c_str());
    return 1;
  }
  addr->port = edge::engine::boundPort(*fd);
  signal(SIGPIPE, SIG_IGN);

  if (auto w = worker.start(); !w) {
    std::fprintf(stderr, "edged-registration: certificate worker: %s\n", w.error().c_str());
    return 1;
  }

  {
    edge::engine::Loop loop;
    service_options.wake = [&worker] { worker.wake(); };
    edge::registration::RegistrationService service(*config, **store, std::move(service_options));
    edge::engine::ServerOptions options;
    // The parser refuses larger bodies with a 413 before the service sees them.
    options.limits.max_body_bytes = edge::registration::kMaxBodyBytes;
    options.body_timeout_ms = 30000;
    edge::engine::HttpServer server(loop, service, options);
    if (!server.adopt(*fd)) {
      worker.stop();
      return 1;
    }
    std::fprintf(stderr, "edged-registration: %s on %s (database %s, %zu session(s), certificates to %s/%s)\n",
                 config->conference_name.c_str(), addr->toString().c_str(), config->database.c_str(),
                 config->sessions.size(), config->certificates.endpoint.c_str(), config->certificates.bucket.c_str());
    if (!ready_file.empty() && !edge::engine::writeReadyFile(ready_file, addr->toString())) {
      std::fprintf(stderr, "edged-registration: cannot write %s\n", ready_file.c_str());
      worker.stop();
      return 1;
    }
    // Until SIGINT/SIGTERM; in-flight requests and their database jobs finish first, then the
    // worker finishes the job in hand (still under the loop's signal handlers, so a second
    // signal does not kill the process half-way).
    edge::engine::serveUntilSignalled(loop, server, [&worker] { worker.stop(); });
  }
  std::fprintf(stderr, "edged-registration: stopped (%llu certificate(s) issued)\n",
               static_cast<unsigned long long>(worker.issuedCount()));
  return 0;
}
