#include "support/registration_server.h"

#include <unistd.h>

#include <iostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace edge::itest {

namespace {

std::string tail(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(s.size() - n); }

}  // namespace

RegistrationServer::RegistrationServer(RegistrationServerOptions options)
    : options_(std::move(options)), dir_(std::make_unique<TempDir>()) {
  database_ = options_.database.empty() ? dir_->file("registrations.db") : options_.database;
  config_path_ = dir_->file("registration.json");
  ready_path_ = dir_->file("ready");
  stderr_path_ = dir_->file("stderr");
  nlohmann::json cfg;
  cfg["Listen"] = "127.0.0.1:0";
  cfg["Database"] = database_;
  cfg["AllowedOrigins"] = options_.allowed_origins;
  nlohmann::json sessions = nlohmann::json::array();
  for (const auto& s : options_.sessions) sessions.push_back({{"Id", s.id}, {"Title", s.title}});
  cfg["Conference"] = {{"Name", options_.conference}, {"Sessions", sessions}};
  cfg["Certificates"] = {{"Endpoint", options_.s3_endpoint},
                         {"Bucket", options_.bucket},
                         {"KeyPrefix", options_.key_prefix},
                         {"Region", options_.region},
                         {"AccessKeyId", options_.access_key_id},
                         {"SecretAccessKey", options_.secret_access_key},
                         {"UrlPrefix", options_.url_prefix}};
  if (!options_.cookie_key_file.empty()) {
    cfg["SignedCookies"] = {{"KeyPairId", options_.cookie_key_pair_id},
                            {"PrivateKeyFile", options_.cookie_key_file},
                            {"TtlSeconds", options_.cookie_ttl_seconds}};
  }
  if (options_.origin_verify) {
    cfg["OriginVerifyHeader"] = {{"Name", options_.origin_verify->first}, {"Value", options_.origin_verify->second}};
  }
  writeFile(config_path_, cfg.dump(2));
  start();
}

void RegistrationServer::start() {
#ifndef EDGED_REGISTRATION_BIN
  throw std::runtime_error("this build has no edged-registration (EDGED_REGISTRATION_BIN is not defined)");
#else
  ::unlink(ready_path_.c_str());
  port_ = 0;
  std::vector<std::string> argv{EDGED_REGISTRATION_BIN, "--config", config_path_, "--ready-file", ready_path_};
  argv.insert(argv.end(), options_.extra_args.begin(), options_.extra_args.end());
  proc_ = ChildProcess(argv, dir_->file("stdout"), stderr_path_, options_.env);
  const bool ready = waitUntil(
      [&] {
        if (!proc_.running()) return true;
        const std::string content = readFile(ready_path_);
        if (content.find('\n') == std::string::npos) return false;
        const size_t colon = content.rfind(':');
        if (colon == std::string::npos) return false;
        port_ = static_cast<uint16_t>(std::atoi(content.c_str() + colon + 1));
        return port_ != 0;
      },
      options_.ready_timeout, Ms(5));
  if (!ready || port_ == 0 || !proc_.running()) {
    const std::string why =
        !proc_.running() ? "edged-registration exited with status " + std::to_string(proc_.exitStatus().value_or(-1))
                         : "edged-registration not ready in time";
    proc_.kill();
    throw std::runtime_error(why + "\n--- edged-registration stderr ---\n" + tail(readFile(stderr_path_), 8192));
  }
#endif
}

RegistrationServer::~RegistrationServer() {
  if (proc_.running()) {
    const int status = stop(SIGTERM);
    EXPECT_EQ(status, 0) << "edged-registration did not exit cleanly on SIGTERM";
  }
  if (::testing::Test::HasFailure()) {
    std::cerr << "--- edged-registration stderr (last 8 KiB) ---\n"
              << tail(stderrText(), 8192) << "\n--- end ---\n";
  }
}

std::string RegistrationServer::address() const { return "127.0.0.1:" + std::to_string(port_); }
std::string RegistrationServer::endpoint() const { return "http://" + address(); }
std::string RegistrationServer::url(std::string_view path_and_query) const {
  return endpoint() + std::string(path_and_query);
}
std::string RegistrationServer::stderrText() const { return readFile(stderr_path_); }

int RegistrationServer::stop(int sig, Ms timeout) {
  proc_.signal(sig);
  auto st = proc_.wait(timeout);
  if (!st) {
    proc_.kill();
    return -1;
  }
  return *st;
}

void RegistrationServer::kill() { proc_.kill(); }

void RegistrationServer::restart() {
  if (proc_.running()) proc_.kill();
  start();
}

}  // namespace edge::itest
