// edged-static-dir-origin: serve a directory over HTTP/1.1 on one loop (the demo's origin).
#include <signal.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "engine/server/http_server.h"
#include "engine/server/listener.h"
#include "engine/uv/loop.h"
#include "origin/bundled/static_dir_origin.h"
#include "policies/config.h"

int main(int argc, char** argv) {
  edge::origin::StaticDirOptions opts;
  std::string listen = "127.0.0.1:8081", ready_file;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help") {
      std::puts("usage: edged-static-dir-origin --root DIR [--listen ADDR:PORT] [--cache-control VALUE] [--ready-file PATH]");
      return 0;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "edged-static-dir-origin: %s needs a value\n", a.c_str());
      return 2;
    }
    const char* v = argv[++i];
    if (a == "--root") opts.root = v;
    else if (a == "--listen") listen = v;
    else if (a == "--cache-control") opts.cache_control = v;
    else if (a == "--ready-file") ready_file = v;
    else {
      std::fprintf(stderr, "edged-static-dir-origin: unknown argument %s\n", a.c_str());
      return 2;
    }
  }
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
  struct Signals {
    uv_signal_t sig_int, sig_term;
    edge::engine::HttpServer* server;
  } sigs{};
  sigs.server = &server;
  uv_signal_init(loop.raw(), &sigs.sig_int);
  uv_signal_init(loop.raw(), &sigs.sig_term);
  sigs.sig_int.data = sigs.sig_term.data = &sigs;
  auto on_signal = [](uv_signal_t* s, int) {
    auto* g = static_cast<Signals*>(s->data);
    uv_close(reinterpret_cast<uv_handle_t*>(&g->sig_int), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&g->sig_term), nullptr);
    g->server->beginShutdown([] {});
  };
  uv_signal_start(&sigs.sig_int, on_signal, SIGINT);
  uv_signal_start(&sigs.sig_term, on_signal, SIGTERM);
  std::fprintf(stderr, "edged-static-dir-origin: serving %s on %s\n", opts.root.c_str(), addr->toString().c_str());
  if (!ready_file.empty()) std::ofstream(ready_file) << addr->toString() << "\n";
  // Ends when the server has no listener and no connection left and the signals are closed.
  loop.run();
  return 0;
}
