// Integration-test harness for the bundled S3 server: runs EDGED_S3_BIN with a generated config
// (credentials, buckets and their access/versioning) on 127.0.0.1:0 and a temporary (or given)
// data directory, waits for its ready file, and signs requests for the raw-HTTP tests with
// policies/sigv4.h. Reusable by tests that put edged in front of it. Thread: the test's thread.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/harness.h"

namespace edge::itest {

struct S3BucketSpec {
  std::string name;
  std::string access = "private";  // "private" | "public-read"
  std::string versioning;          // "" | "Enabled" | "Suspended"
};

struct S3ServerOptions {
  std::string access_key_id = "AKIDEDGEDS3TEST";
  std::string secret_access_key = "edged-s3-test-secret/K7MDENG";
  std::string region = "us-east-1";
  std::string domain = "s3.localhost";
  std::vector<S3BucketSpec> buckets{{"site", "private", ""}};
  std::string data_dir;  // "" = a temporary directory owned by the S3Server
  // The loopback port to listen on; 0 = any free port (a new one on each restart). A fixed port
  // lets a client configured before the server starts (or across restarts) reach it.
  uint16_t port = 0;
  std::vector<std::string> env;
  Ms ready_timeout = Ms(10000);
};

// RAII: a running edged-s3. Throws std::runtime_error (with its stderr) if it does not come up.
// The destructor sends SIGTERM and EXPECTs a clean exit (0) if it still runs.
class S3Server {
 public:
  explicit S3Server(S3ServerOptions options = {});
  ~S3Server();
  S3Server(const S3Server&) = delete;
  S3Server& operator=(const S3Server&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return proc_.pid(); }
  std::string endpoint() const;                           // "http://127.0.0.1:PORT"
  std::string url(std::string_view path_and_query) const;  // endpoint() + path_and_query
  const std::string& dataDir() const { return data_dir_; }
  const std::string& configPath() const { return config_path_; }
  const S3ServerOptions& options() const { return options_; }
  std::string stderrText() const;
  bool running() { return proc_.running(); }

  // SIGTERM (or `sig`) and wait; returns the status in shell form, -1 on timeout (then killed).
  int stop(int sig = SIGTERM, Ms timeout = Ms(10000));
  // SIGKILL at once and reap.
  void kill();
  // Starts again on the same data directory and config (a new port). Throws like the constructor.
  void restart();

  // "Name: value" header lines for a request signed with the server's credentials (SigV4 header
  // form; payload hash = SHA-256 of `body`, or UNSIGNED-PAYLOAD when `unsigned_payload`).
  // `path` is the raw request path, `query` the raw query without '?'.
  std::vector<std::string> signedHeaders(std::string_view method, std::string_view path, std::string_view query,
                                         std::string_view body, bool unsigned_payload = false,
                                         const std::vector<std::string>& extra = {}) const;
  // Same with an explicit x-amz-content-sha256 value (e.g. STREAMING-AWS4-HMAC-SHA256-PAYLOAD).
  std::vector<std::string> signedHeadersWithHash(std::string_view method, std::string_view path,
                                                 std::string_view query, const std::string& payload_hash,
                                                 const std::vector<std::string>& extra = {}) const;
  // A presigned URL (query form) for `method` on `path`, valid `expires` seconds.
  std::string presignedUrl(std::string_view method, std::string_view path, int64_t expires = 300) const;

 private:
  void start();

  S3ServerOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::string data_dir_;
  std::string config_path_;
  std::string ready_path_;
  std::string stderr_path_;
  ChildProcess proc_;
  uint16_t port_ = 0;
};

}  // namespace edge::itest
