// The run loop of the single-loop bundled servers (edged-s3, the static-directory origin):
// serve until SIGINT or SIGTERM, then shut the server down gracefully (stop accepting, let
// in-flight exchanges finish) and return once the loop has nothing left. And the ready file
// the tests and scripts wait for.
#pragma once

#include <string>

#include "engine/server/http_server.h"
#include "engine/uv/loop.h"

namespace edge::engine {

void serveUntilSignalled(Loop& loop, HttpServer& server);

// Writes `line` + "\n" to `path` through a temporary file and a rename, so a reader never sees
// a partial line. False when it could not be written.
bool writeReadyFile(const std::string& path, const std::string& line);

}  // namespace edge::engine
