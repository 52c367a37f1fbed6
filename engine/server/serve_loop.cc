#include "engine/server/serve_loop.h"

#include <cstdio>
#include <fstream>

namespace edge::engine {

void serveUntilSignalled(Loop& loop, HttpServer& server) {
  struct Signals {
    uv_signal_t sig_int, sig_term;
    HttpServer* server;
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
  // Ends when the server has no listener and no connection left and the signals are closed.
  loop.run();
}

bool writeReadyFile(const std::string& path, const std::string& line) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << line << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace edge::engine
