// Integration-test harness: starts the real `edged` and the tests' own origin (`test_origin`) as
// child processes on 127.0.0.1. Tests include only this header; it brings in the socket client
// (raw_client.h), the curl client (http_client.h) and the message helpers (http_message.h).
//
// Everything here is bounded in time and uses loopback only. Start-up failures throw
// std::runtime_error (gtest reports the test as failed); assertion-like checks use gtest's
// ADD_FAILURE/EXPECT so that a failing test still tears its processes down.
// Thread: the test's main thread.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/http_client.h"
#include "support/http_message.h"
#include "support/raw_client.h"
#include "support/sha256.h"
#include "support/timing.h"

namespace edge::itest {

// ---------------------------------------------------------------------------------------------
// Files.

// A temporary directory (mkdtemp under $TMPDIR or /tmp), removed with its content on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

std::string readFile(const std::string& path);  // "" when missing
void writeFile(const std::string& path, std::string_view content);

// ---------------------------------------------------------------------------------------------
// Child processes.

// A fork/exec'd child with stdout and stderr redirected to files. The child gets SIGKILL when the
// test process dies (PR_SET_PDEATHSIG), and on destruction if still running.
class ChildProcess {
 public:
  ChildProcess() = default;
  // `env`: "NAME=value" entries replacing or adding to the test's own environment.
  // Throws std::runtime_error if fork fails.
  ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
               const std::string& stderr_path, const std::vector<std::string>& env = {});
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;

  pid_t pid() const { return pid_; }
  bool running();  // reaps the child if it has exited
  void signal(int sig);
  // Waits up to `timeout` for the child to exit. Returns its status in shell form (exit code, or
  // 128 + signal number), or nullopt on timeout (the child is left running).
  std::optional<int> wait(Ms timeout);
  std::optional<int> exitStatus() const { return status_; }
  // SIGKILL + reap, if still running.
  void kill();

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
};

struct CommandResult {
  int status = -1;  // shell form; -1 if it timed out (then it was killed)
  std::string out;
  std::string err;
};
// Runs argv to completion (bounded by `timeout`), capturing stdout and stderr.
CommandResult runCommand(const std::vector<std::string>& argv, Ms timeout = Ms(10000));

// ---------------------------------------------------------------------------------------------
// test_origin.

struct OriginStats {
  uint64_t requests = 0;
  uint64_t connections = 0;  // connections that carried at least one counted request
  uint64_t accepted = 0;
  int64_t open = 0;
  std::map<std::string, uint64_t> paths;
  uint64_t path(const std::string& p) const {
    auto it = paths.find(p);
    return it == paths.end() ? 0 : it->second;
  }
};
std::ostream& operator<<(std::ostream& os, const OriginStats& s);

// RAII: runs TEST_ORIGIN_BIN on 127.0.0.1:0 and reads its port from the port file (≤ 5 s).
class TestOrigin {
 public:
  TestOrigin();   // throws std::runtime_error when it does not come up
  ~TestOrigin();  // SIGKILL
  uint16_t port() const { return port_; }
  std::string url(std::string_view path_and_query) const;
  // Direct (not through edged) GET /stats and /stats/reset. Throw on failure.
  OriginStats stats() const;
  void resetStats() const;

 private:
  TempDir dir_;
  ChildProcess proc_;
  uint16_t port_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Configuration.

// The brief's standard distribution: one origin "o1" (origin.test, X-Origin-Secret custom header,
// overridden to 127.0.0.1:${ORIGIN_PORT}), default behaviour allowing all 7 methods with
// CachingDisabled + AllViewer, DefaultRootObject index.html, PopName TST50-C1, short timeouts.
nlohmann::json baseConfig();

// baseConfig() with a caching default behaviour: cache policy "cp-test" (TTLs 0 / 60 / 3600, key
// = path + all query strings, no headers, cookies or Accept-Encoding, so requests collapse, §9.3)
// and no origin request policy.
nlohmann::json cachingConfig();

// Managed policy ids (§2.6, §2.7).
inline constexpr const char* kCachingDisabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
inline constexpr const char* kOrpAllViewer = "216adef6-5c7f-47e4-b989-5492eafa07d3";
inline constexpr const char* kOrpAllViewerExceptHost = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

// An origin object: DomainName `domain`, OriginPath `origin_path`, attempts 3, timeouts 10/30/5.
nlohmann::json makeOrigin(const std::string& id, const std::string& domain,
                          const std::string& origin_path = "");
// Appends an origin and keeps Quantity right; also maps `domain` to `address` in
// Edge.OriginAddressOverrides (e.g. "127.0.0.1:${ORIGIN_PORT}").
void addOrigin(nlohmann::json& config, const nlohmann::json& origin, const std::string& address);
// A CacheBehaviors item (all 7 methods, CachingDisabled + `orp`).
nlohmann::json makeBehavior(const std::string& path_pattern, const std::string& origin_id,
                            const std::string& orp = kOrpAllViewer);
void addBehavior(nlohmann::json& config, const nlohmann::json& behavior);
// Switches a behaviour to the legacy model: ForwardedValues {QueryString true, Cookies none,
// no headers} and TTLs 0/0/0, removing CachePolicyId/OriginRequestPolicyId.
void makeLegacy(nlohmann::json& behavior);
// Sets AllowedMethods to GET,HEAD (Quantity 2).
void allowOnlyGetHead(nlohmann::json& behavior);
// Shortcuts into the first origin / default behaviour.
nlohmann::json& firstOrigin(nlohmann::json& config);
nlohmann::json& defaultBehavior(nlohmann::json& config);

// ---------------------------------------------------------------------------------------------
// edged.

struct EdgedOptions {
  int workers = 1;
  std::vector<std::string> extra_args;
  std::vector<std::string> env;  // "NAME=value" for edged's environment
  Ms ready_timeout = Ms(10000);
};

// "ASAN_OPTIONS=<the test's own ASAN_OPTIONS>:<extra>", for EdgedOptions::env. Memory tests use
// it to shrink ASan's free-memory quarantine (256 MB by default), which would otherwise count
// as edged's RSS in sanitizer builds; plain builds ignore the variable.
std::string asanOptionsWith(std::string_view extra);

// RAII: writes the config (every "${ORIGIN_PORT}" replaced by `origin_port`) into a temp dir and
// runs `EDGED_BIN serve --config FILE --listen 127.0.0.1:0 --workers N --ready-file FILE`, then
// waits until the ready file holds a `host:port` line. Throws std::runtime_error (with edged's
// stderr) if edged exits or is not ready in time. The destructor, if edged still runs, sends
// SIGTERM and EXPECTs exit status 0 within 15 s, and EXPECTs no ThreadSanitizer report on
// edged's stderr (TSan builds). On a failed test, edged's stderr is printed.
class Edged {
 public:
  Edged(const std::string& config_json, uint16_t origin_port, EdgedOptions options = {});
  Edged(const nlohmann::json& config, uint16_t origin_port, EdgedOptions options = {})
      : Edged(config.dump(2), origin_port, std::move(options)) {}
  ~Edged();
  Edged(const Edged&) = delete;
  Edged& operator=(const Edged&) = delete;

  uint16_t port() const { return port_; }
  pid_t pid() const { return proc_.pid(); }
  std::string url(std::string_view path_and_query) const;
  const std::string& configPath() const { return config_path_; }
  std::vector<std::string> readyLines() const;
  // The admin listener's "host:port" from the ready file (Edge.AdminListen set); ADD_FAILURE and
  // an unusable address when there is none.
  std::string adminAddress() const;
  std::string stderrText() const { return readFile(stderr_path_); }
  bool running() { return proc_.running(); }
  // Sends `sig` and waits (≤ timeout) for exit. Returns the status in shell form (exit code or
  // 128 + signal). On timeout: ADD_FAILURE, SIGKILL, returns -1.
  int stop(int sig = SIGTERM, Ms timeout = Ms(15000));
  // Sends a signal without waiting; then use waitExit().
  void signal(int sig) { proc_.signal(sig); }
  std::optional<int> waitExit(Ms timeout) { return proc_.wait(timeout); }

 private:
  TempDir dir_;
  std::string config_path_;
  std::string ready_path_;
  std::string stderr_path_;
  ChildProcess proc_;
  uint16_t port_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Memory of a process, from /proc/PID/status (kB; -1 when unreadable).

struct MemInfo {
  long rss_kb = -1;  // VmRSS
  long hwm_kb = -1;  // VmHWM (peak RSS)
};
MemInfo memInfo(pid_t pid);
long rssKb(pid_t pid);
// Summed over `pid` and all its descendants (in case edged forks workers).
MemInfo treeMemInfo(pid_t pid);

}  // namespace edge::itest
