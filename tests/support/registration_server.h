// Integration-test harness for the bundled registration API: runs EDGED_REGISTRATION_BIN with a
// generated config (sessions, certificate target, allowed origins, optional signed cookies and
// origin-verify header) on 127.0.0.1:0 with a temporary (or given) database, and waits for its
// ready file. Reusable by tests that put edged in front of it. Thread: the test's thread.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/harness.h"

namespace edge::itest {

struct RegistrationSessionSpec {
  std::string id;
  std::string title;
};

struct RegistrationServerOptions {
  std::string database;  // "" = "registrations.db" in a temporary directory owned by the server
  std::string conference = "EdgeConf Test";
  std::vector<RegistrationSessionSpec> sessions{
      {"keynote", "Opening keynote"}, {"caching", "Caching at the edge"}, {"security", "Signed URLs in practice"}};
  std::vector<std::string> allowed_origins{"http://127.0.0.1:8080"};
  // The certificate target (an edged-s3, see s3_server.h). The endpoint may point nowhere (e.g.
  // "127.0.0.1:9") when a test does not care about certificates: jobs then just fail and retry.
  std::string s3_endpoint = "127.0.0.1:9";
  std::string bucket = "site";
  std::string key_prefix = "certificates/";
  std::string region = "us-east-1";
  std::string access_key_id = "AKIDEDGEDS3TEST";
  std::string secret_access_key = "edged-s3-test-secret/K7MDENG";
  std::string url_prefix = "/certificates/";
  // SignedCookies: set when `cookie_key_file` is non-empty.
  std::string cookie_key_file;  // PEM private key
  std::string cookie_key_pair_id = "K2EDGEDTESTKEY";
  int64_t cookie_ttl_seconds = 3600;
  // OriginVerifyHeader {Name, Value}, when set.
  std::optional<std::pair<std::string, std::string>> origin_verify;
  std::vector<std::string> extra_args;  // appended to the command line
  std::vector<std::string> env;
  Ms ready_timeout = Ms(10000);
};

// RAII: a running edged-registration. Throws std::runtime_error (with its stderr) if it does not
// come up (or if the build has no edged-registration). The destructor sends SIGTERM and EXPECTs
// a clean exit (0) if it still runs.
class RegistrationServer {
 public:
  explicit RegistrationServer(RegistrationServerOptions options = {});
  ~RegistrationServer();
  RegistrationServer(const RegistrationServer&) = delete;
  RegistrationServer& operator=(const RegistrationServer&) = delete;

  uint16_t port() const { return port_; }
  std::string address() const;  // "127.0.0.1:PORT"
  pid_t pid() const { return proc_.pid(); }
  std::string endpoint() const;                            // "http://127.0.0.1:PORT"
  std::string url(std::string_view path_and_query) const;  // endpoint() + path_and_query
  const std::string& databasePath() const { return database_; }
  const std::string& configPath() const { return config_path_; }
  const RegistrationServerOptions& options() const { return options_; }
  std::string stderrText() const;
  bool running() { return proc_.running(); }

  // SIGTERM (or `sig`) and wait; returns the status in shell form, -1 on timeout (then killed).
  int stop(int sig = SIGTERM, Ms timeout = Ms(10000));
  // SIGKILL at once and reap.
  void kill();
  // Starts again on the same database and config (a new port). Throws like the constructor.
  void restart();

 private:
  void start();

  RegistrationServerOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::string database_;
  std::string config_path_;
  std::string ready_path_;
  std::string stderr_path_;
  ChildProcess proc_;
  uint16_t port_ = 0;
};

}  // namespace edge::itest
