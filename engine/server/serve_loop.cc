#include "engine/server/serve_loop.h"

#include <csignal>
#include <cstdio>
#include <fstream>

namespace edge::engine {

void serveUntilSignalled(Loop& loop, HttpServer& server, std::function<void()> before_exit) {
  struct Signals {
    uv_signal_t sig_int, sig_term;
    HttpServer* server;
    std::function<void()> before_exit;
    bool shutting_down = false;
  } sigs{};
  sigs.server = &server;
  sigs.before_exit = std::move(before_exit);
  uv_signal_init(loop.raw(), &sigs.sig_int);
  uv_signal_init(loop.raw(), &sigs.sig_term);
  sigs.sig_int.data = sigs.sig_term.data = &sigs;
  auto on_signal = [](uv_signal_t* s, int) {
    auto* g = static_cast<Signals*>(s->data);
    if (g->shutting_down) {
      g->server->closeAll();  // grace over
      return;
    }
    g->shutting_down = true;
    g->server->beginShutdown([g] {
      if (g->before_exit) g->before_exit();
      uv_close(reinterpret_cast<uv_handle_t*>(&g->sig_int), nullptr);
      uv_close(reinterpret_cast<uv_handle_t*>(&g->sig_term), nullptr);
      // libuv put the default actions back; the program is about to return, and a late signal
      // (a script's SIGTERM after the terminal's SIGINT) must not turn its clean exit into a kill.
      ::signal(SIGINT, SIG_IGN);
      ::signal(SIGTERM, SIG_IGN);
    });
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

std::optional<int> parseServerArgs(int argc, char** argv, std::string_view program, std::string_view usage,
                                   std::initializer_list<std::pair<std::string_view, std::string*>> options) {
  const std::string prog(program);
  const std::string use(usage);
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(use.c_str(), stdout);
      return 0;
    }
    std::string* target = nullptr;
    for (const auto& [name, value] : options)
      if (name == a) target = value;
    if (!target) {
      std::fprintf(stderr, "%s: unknown argument %s\n%s", prog.c_str(), argv[i], use.c_str());
      return 2;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "%s: %s needs a value\n%s", prog.c_str(), argv[i], use.c_str());
      return 2;
    }
    *target = argv[++i];
  }
  return std::nullopt;
}

}  // namespace edge::engine
