// The run loop of the single-loop bundled servers (edged-s3, the static-directory origin):
// serve until SIGINT or SIGTERM, then shut the server down gracefully (stop accepting, let
// in-flight exchanges finish) and return once the loop has nothing left. And the ready file
// the tests and scripts wait for.
#pragma once

#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "engine/server/http_server.h"
#include "engine/uv/loop.h"

namespace edge::engine {

// The first SIGINT or SIGTERM starts the graceful shutdown; once the server has drained,
// `before_exit` runs on the loop (e.g. stopping a worker thread) and the signal handlers are
// removed. A further SIGINT/SIGTERM while that is under way closes the remaining connections at
// once instead of killing the process (a terminal's Ctrl-C and a script's SIGTERM often both
// arrive), so the program still finishes its own shutdown; after the handlers are removed,
// SIGINT and SIGTERM are ignored for the little that is left of the process.
void serveUntilSignalled(Loop& loop, HttpServer& server, std::function<void()> before_exit = {});

// Writes `line` + "\n" to `path` through a temporary file and a rename, so a reader never sees
// a partial line. False when it could not be written.
bool writeReadyFile(const std::string& path, const std::string& line);

// The command line the bundled servers share: "--name VALUE" options, and --help / -h.
// `options` maps each accepted name (e.g. "--config") to where its value goes. Returns nullopt
// when the program should go on; otherwise its exit status: 0 after printing `usage` to stdout
// for --help, 2 after naming the problem (a missing value, an unknown argument) and the usage on
// stderr, each line prefixed with `program`.
std::optional<int> parseServerArgs(int argc, char** argv, std::string_view program, std::string_view usage,
                                   std::initializer_list<std::pair<std::string_view, std::string*>> options);

}  // namespace edge::engine
