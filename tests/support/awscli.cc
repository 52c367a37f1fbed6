#include "support/awscli.h"

#include <unistd.h>

namespace edge::itest {

std::ostream& operator<<(std::ostream& os, const AwsCliResult& r) {
  return os << "aws exit " << r.status << "\n--- stdout ---\n" << r.out << "\n--- stderr ---\n" << r.err;
}

AwsCli::AwsCli(std::string endpoint, std::string access_key_id, std::string secret_access_key, std::string region)
    : endpoint_(std::move(endpoint)),
      env_{"AWS_EC2_METADATA_DISABLED=true",
           "AWS_CONFIG_FILE=/dev/null",
           "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
           "AWS_ACCESS_KEY_ID=" + access_key_id,
           "AWS_SECRET_ACCESS_KEY=" + secret_access_key,
           "AWS_SESSION_TOKEN=",
           "AWS_DEFAULT_REGION=" + region,
           "AWS_REGION=" + region,
           "AWS_PAGER=",
           "AWS_RETRY_MODE=standard",
           "AWS_MAX_ATTEMPTS=1",
           "HTTP_PROXY=",
           "HTTPS_PROXY=",
           "http_proxy=",
           "https_proxy=",
           "NO_PROXY=127.0.0.1",
           "no_proxy=127.0.0.1"} {}

bool AwsCli::available() { return ::access(kAwsCliBin, X_OK) == 0; }

AwsCliResult AwsCli::run(const std::vector<std::string>& args, Ms timeout) const {
  std::vector<std::string> argv{kAwsCliBin, "--endpoint-url", endpoint_, "--no-cli-pager", "--output", "json"};
  argv.insert(argv.end(), args.begin(), args.end());
  TempDir dir;
  AwsCliResult result;
  {
    ChildProcess proc(argv, dir.file("stdout"), dir.file("stderr"), env_);
    auto st = proc.wait(timeout);
    if (st) {
      result.status = *st;
    } else {
      proc.kill();
    }
  }
  result.out = readFile(dir.file("stdout"));
  result.err = readFile(dir.file("stderr"));
  return result;
}

nlohmann::json AwsCli::json(const std::vector<std::string>& args, AwsCliResult* raw) const {
  AwsCliResult r = run(args);
  nlohmann::json j = r.out.empty() ? nlohmann::json() : nlohmann::json::parse(r.out, nullptr, false);
  if (j.is_discarded()) j = nullptr;
  if (raw != nullptr) *raw = std::move(r);
  return j;
}

}  // namespace edge::itest
