#include "support/s3rver.h"

#include <unistd.h>

#include <stdexcept>

#ifndef EDGED_SOURCE_DIR
#error "EDGED_SOURCE_DIR must point at the source tree (tests/interop holds s3rver)"
#endif

namespace edge::itest {

S3rver::S3rver(const std::string& bucket) {
  const std::string bin = std::string(EDGED_SOURCE_DIR) + "/tests/interop/node_modules/.bin/s3rver";
  if (::access(bin.c_str(), X_OK) != 0) {
    throw std::runtime_error(bin + " is missing: run scripts/setup.sh");
  }
  const std::string data = dir_.file("data");
  const std::string out = dir_.file("stdout");
  proc_ = ChildProcess({bin, "-d", data, "-a", "127.0.0.1", "-p", "0", "--configure-bucket", bucket},
                       out, dir_.file("stderr"));
  // It prints "S3rver listening on 127.0.0.1:PORT" once the bucket exists and it listens.
  const std::string marker = "listening on 127.0.0.1:";
  const bool up = waitUntil(
      [&] {
        const std::string text = readFile(out);
        const size_t at = text.find(marker);
        if (at != std::string::npos) port_ = static_cast<uint16_t>(std::atoi(text.c_str() + at + marker.size()));
        return port_ != 0 || !proc_.running();
      },
      Ms(15000), Ms(20));
  if (!up || port_ == 0) {
    proc_.kill();
    throw std::runtime_error("s3rver did not start: " + readFile(out) + readFile(dir_.file("stderr")));
  }
}

S3rver::~S3rver() { proc_.kill(); }

}  // namespace edge::itest
