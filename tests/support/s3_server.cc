#include "support/s3_server.h"

#include <ctime>
#include <iostream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "policies/sigv4.h"

#ifndef EDGED_S3_BIN
#error "EDGED_S3_BIN must be defined by the build"
#endif

namespace edge::itest {

namespace {

std::string tailOf(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(s.size() - n); }

}  // namespace

S3Server::S3Server(S3ServerOptions options) : options_(std::move(options)), dir_(std::make_unique<TempDir>()) {
  data_dir_ = options_.data_dir.empty() ? dir_->file("data") : options_.data_dir;
  config_path_ = dir_->file("s3.json");
  ready_path_ = dir_->file("ready");
  stderr_path_ = dir_->file("stderr");
  nlohmann::json cfg;
  cfg["Listen"] = "127.0.0.1:" + std::to_string(options_.port);
  cfg["DataDir"] = data_dir_;
  cfg["Region"] = options_.region;
  cfg["Domain"] = options_.domain;
  cfg["Credentials"] = nlohmann::json::array(
      {{{"AccessKeyId", options_.access_key_id}, {"SecretAccessKey", options_.secret_access_key}}});
  cfg["Buckets"] = nlohmann::json::array();
  for (const auto& b : options_.buckets) {
    nlohmann::json jb{{"Name", b.name}, {"Access", b.access}};
    if (!b.versioning.empty()) jb["Versioning"] = b.versioning;
    cfg["Buckets"].push_back(jb);
  }
  writeFile(config_path_, cfg.dump(2));
  start();
}

void S3Server::start() {
  ::unlink(ready_path_.c_str());
  port_ = 0;
  proc_ = ChildProcess({EDGED_S3_BIN, "--config", config_path_, "--ready-file", ready_path_},
                       dir_->file("stdout"), stderr_path_, options_.env);
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
    const std::string why = !proc_.running()
                                ? "edged-s3 exited with status " + std::to_string(proc_.exitStatus().value_or(-1))
                                : "edged-s3 not ready in time";
    proc_.kill();
    throw std::runtime_error(why + "\n--- edged-s3 stderr ---\n" + tailOf(readFile(stderr_path_), 8192));
  }
}

S3Server::~S3Server() {
  if (proc_.running()) {
    const int status = stop(SIGTERM);
    EXPECT_EQ(status, 0) << "edged-s3 did not exit cleanly on SIGTERM";
  }
  if (::testing::Test::HasFailure()) {
    std::cerr << "--- edged-s3 stderr (last 8 KiB) ---\n" << tailOf(stderrText(), 8192) << "\n--- end ---\n";
  }
}

std::string S3Server::endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
std::string S3Server::url(std::string_view path_and_query) const { return endpoint() + std::string(path_and_query); }
std::string S3Server::stderrText() const { return readFile(stderr_path_); }

int S3Server::stop(int sig, Ms timeout) {
  proc_.signal(sig);
  auto st = proc_.wait(timeout);
  if (!st) {
    proc_.kill();
    return -1;
  }
  return *st;
}

void S3Server::kill() { proc_.kill(); }

void S3Server::restart() {
  if (proc_.running()) proc_.kill();
  start();
}

std::vector<std::string> S3Server::signedHeaders(std::string_view method, std::string_view path,
                                                 std::string_view query, std::string_view body,
                                                 bool unsigned_payload, const std::vector<std::string>& extra) const {
  namespace sigv4 = policies::sigv4;
  return signedHeadersWithHash(method, path, query,
                               unsigned_payload ? std::string(sigv4::kUnsignedPayload) : sigv4::sha256Hex(body),
                               extra);
}

std::vector<std::string> S3Server::signedHeadersWithHash(std::string_view method, std::string_view path,
                                                         std::string_view query, const std::string& payload_hash,
                                                         const std::vector<std::string>& extra) const {
  namespace sigv4 = policies::sigv4;
  policies::HeaderList h;
  h.add("Host", "127.0.0.1:" + std::to_string(port_));
  sigv4::SignOptions opts;
  opts.region = options_.region;
  opts.payload_hash = payload_hash;
  for (const auto& line : extra) {
    const size_t colon = line.find(':');
    const std::string name = line.substr(0, colon);
    h.add(name, std::string(policies::trimOws(line.substr(colon + 1))));
    opts.extra_signed_headers.push_back(policies::toLower(name));
  }
  const sigv4::Credentials creds{options_.access_key_id, options_.secret_access_key};
  if (!sigv4::signRequest(method, path, query, h, creds, opts, std::time(nullptr))) {
    ADD_FAILURE() << "signRequest failed for " << path << "?" << query;
  }
  std::vector<std::string> out;
  for (const auto& f : h) out.push_back(f.name + ": " + f.value);
  return out;
}

std::string S3Server::presignedUrl(std::string_view method, std::string_view path, int64_t expires) const {
  namespace sigv4 = policies::sigv4;
  sigv4::SignOptions opts;
  opts.region = options_.region;
  const sigv4::Credentials creds{options_.access_key_id, options_.secret_access_key};
  const std::string host = "127.0.0.1:" + std::to_string(port_);
  return url(std::string(path) + "?" +
             sigv4::presignQuery(method, host, path, "", creds, opts, std::time(nullptr), expires));
}

}  // namespace edge::itest
