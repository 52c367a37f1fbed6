// Runs Debian's AWS CLI v2 (/usr/bin/aws, not the pyenv one) against a local endpoint, offline:
// no config or credentials files, no instance metadata, the given keys and region. Each call
// costs about 2 s of start-up, so tests group their steps. Thread: the test's thread.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "support/harness.h"

namespace edge::itest {

inline constexpr const char* kAwsCliBin = "/usr/bin/aws";

struct AwsCliResult {
  int status = -1;  // exit code (shell form); -1 on timeout
  std::string out;
  std::string err;
  bool ok() const { return status == 0; }
};
std::ostream& operator<<(std::ostream& os, const AwsCliResult& r);

class AwsCli {
 public:
  AwsCli(std::string endpoint, std::string access_key_id, std::string secret_access_key,
         std::string region = "us-east-1");
  // True when /usr/bin/aws exists (tests skip otherwise).
  static bool available();
  // `aws --endpoint-url ENDPOINT --no-cli-pager --output json ARGS…`.
  AwsCliResult run(const std::vector<std::string>& args, Ms timeout = Ms(60000)) const;
  // Same, parsing stdout as JSON (null when it is not JSON).
  nlohmann::json json(const std::vector<std::string>& args, AwsCliResult* raw = nullptr) const;

 private:
  std::string endpoint_;
  std::vector<std::string> env_;
};

}  // namespace edge::itest
