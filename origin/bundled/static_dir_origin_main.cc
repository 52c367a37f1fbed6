// edged-static-dir-origin: serve a directory over HTTP/1.1 on one loop (the demo's origin).
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "engine/server/http_server.h"
#include "engine/server/listener.h"
#include "engine/server/serve_loop.h"
#include "engine/uv/loop.h"
#include "origin/bundled/static_dir_origin.h"
#include "policies/config.h"

int main(int argc, char** argv) {
  edge::origin::StaticDirOptions opts;
  std::string listen = "127.0.0.1:8081", ready_file;
  if (auto exit_status = edge::engine::parseServerArgs(
          argc, argv, "edged-static-dir-origin",
          "usage: edged-static-dir-origin --root DIR [--listen ADDR:PORT] [--cache-control VALUE] [--ready-file PATH]\n",
          {{"--root", &opts.root}, {"--listen", &listen}, {"--cache-control", &opts.cache_control},
           {"--ready-file", &ready_file}}))
    return *exit_status;
  if (opts.root.empty()) {
    std::fprintf(stderr, "edged-static-dir-origin: --root DIR is required\n");
    return 2;
  }
  auto addr = edge::policies::parseListenAddress(listen);
  if (!addr) {
    std::fprintf(stderr, "edged-static-dir-origin: bad --listen %s\n", listen.c_str());
    return 2;
  }
  auto fd = edge::engine::openListenSocket(*addr);
  if (!fd) {
    std::fprintf(stderr, "edged-static-dir-origin: %s\n", fd.error().c_str());
    return 1;
  }
  addr->port = edge::engine::boundPort(*fd);
  signal(SIGPIPE, SIG_IGN);
  edge::engine::Loop loop;
  edge::origin::StaticDirService service(opts);
  edge::engine::ServerOptions options;
  edge::engine::HttpServer server(loop, service, options);
  if (!server.adopt(*fd)) return 1;
  std::fprintf(stderr, "edged-static-dir-origin: serving %s on %s\n", opts.root.c_str(), addr->toString().c_str());
  if (!ready_file.empty() && !edge::engine::writeReadyFile(ready_file, addr->toString())) {
    std::fprintf(stderr, "edged-static-dir-origin: cannot write %s\n", ready_file.c_str());
    return 1;
  }
  edge::engine::serveUntilSignalled(loop, server);
  return 0;
}
