#include "support/harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include <gtest/gtest.h>

#ifndef EDGED_BIN
#error "EDGED_BIN must be defined by the build"
#endif
#ifndef TEST_ORIGIN_BIN
#error "TEST_ORIGIN_BIN must be defined by the build"
#endif

extern char** environ;

namespace edge::itest {

namespace {

int shellStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

std::string tail(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(s.size() - n);
}

void replaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

}  // namespace

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/edged-itest-XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) throw std::runtime_error("mkdtemp failed: " + tmpl);
  path_ = buf.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void writeFile(const std::string& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

// ---------------------------------------------------------------------------------------------
// ChildProcess.

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& stdout_path,
                           const std::string& stderr_path, const std::vector<std::string>& env) {
  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view var = *e;
    std::string_view name = var.substr(0, var.find('='));
    bool overridden = std::any_of(env.begin(), env.end(), [&](const std::string& o) {
      return std::string_view(o).substr(0, o.find('=')) == name;
    });
    if (!overridden) env_strings.emplace_back(var);
  }
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDONLY);
    int out = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (devnull < 0 || out < 0 || err < 0) ::_exit(126);
    ::dup2(devnull, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    // Do not leak the test's sockets (curl connections, raw clients) into the child.
    for (int fd = 3; fd < 4096; ++fd) ::close(fd);
    ::execve(args[0], args.data(), envp.data());
    static const char kMsg[] = "exec failed\n";
    ssize_t ignored = ::write(2, kMsg, sizeof kMsg - 1);
    (void)ignored;
    ::_exit(127);
  }
  pid_ = pid;
}

ChildProcess::~ChildProcess() { kill(); }

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), status_(std::exchange(other.status_, std::nullopt)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill();
    pid_ = std::exchange(other.pid_, -1);
    status_ = std::exchange(other.status_, std::nullopt);
  }
  return *this;
}

bool ChildProcess::running() {
  if (pid_ <= 0 || status_) return false;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = shellStatus(st);
    return false;
  }
  return r == 0;
}

void ChildProcess::signal(int sig) {
  if (running()) ::kill(pid_, sig);
}

std::optional<int> ChildProcess::wait(Ms timeout) {
  if (pid_ <= 0) return status_;
  auto deadline = Clock::now() + timeout;
  while (running()) {
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(Ms(5));
  }
  return status_;
}

void ChildProcess::kill() {
  if (running()) {
    ::kill(pid_, SIGKILL);
    int st = 0;
    if (::waitpid(pid_, &st, 0) == pid_) status_ = shellStatus(st);
  }
}

CommandResult runCommand(const std::vector<std::string>& argv, Ms timeout) {
  TempDir dir;
  CommandResult result;
  {
    ChildProcess proc(argv, dir.file("stdout"), dir.file("stderr"));
    auto st = proc.wait(timeout);
    if (st) {
      result.status = *st;
    } else {
      proc.kill();
      result.status = -1;
    }
  }
  result.out = readFile(dir.file("stdout"));
  result.err = readFile(dir.file("stderr"));
  return result;
}

// ---------------------------------------------------------------------------------------------
// TestOrigin.

TestOrigin::TestOrigin() {
  std::string port_file = dir_.file("port");
  proc_ = ChildProcess({TEST_ORIGIN_BIN, "--listen", "127.0.0.1:0", "--port-file", port_file},
                       dir_.file("stdout"), dir_.file("stderr"));
  bool ready = waitUntil(
      [&] {
        std::string text = readFile(port_file);
        port_ = static_cast<uint16_t>(std::atoi(text.c_str()));
        return port_ != 0 || !proc_.running();
      },
      Ms(5000), Ms(5));
  if (!ready || port_ == 0) {
    proc_.kill();
    throw std::runtime_error("test_origin did not start: " + readFile(dir_.file("stderr")));
  }
}

TestOrigin::~TestOrigin() { proc_.kill(); }

std::string TestOrigin::url(std::string_view path_and_query) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path_and_query);
}

OriginStats TestOrigin::stats() const {
  Http http;
  HttpResponse r = http.get(url("/stats"), {}, RequestOptions{Ms(5000)});
  if (!r.ok() || r.status != 200) throw std::runtime_error("test_origin /stats failed: " + r.error);
  auto j = nlohmann::json::parse(r.body);
  OriginStats s;
  s.requests = j.at("requests").get<uint64_t>();
  s.connections = j.at("connections").get<uint64_t>();
  s.accepted = j.at("accepted").get<uint64_t>();
  s.open = j.at("open").get<int64_t>();
  for (const auto& [k, v] : j.at("paths").items()) s.paths[k] = v.get<uint64_t>();
  return s;
}

void TestOrigin::resetStats() const {
  Http http;
  HttpResponse r = http.get(url("/stats/reset"), {}, RequestOptions{Ms(5000)});
  if (!r.ok() || r.status != 200) throw std::runtime_error("test_origin /stats/reset failed");
}

std::ostream& operator<<(std::ostream& os, const OriginStats& s) {
  os << "{requests=" << s.requests << " connections=" << s.connections << " accepted=" << s.accepted
     << " open=" << s.open << " paths={";
  for (const auto& [p, n] : s.paths) os << p << ":" << n << " ";
  return os << "}}";
}

// ---------------------------------------------------------------------------------------------
// Configuration.

nlohmann::json baseConfig() {
  static const char* kText = R"({
  "DistributionConfig": {
    "CallerReference": "t", "Comment": "", "Enabled": true,
    "Origins": {"Quantity": 1, "Items": [{
      "Id": "o1", "DomainName": "origin.test", "OriginPath": "",
      "CustomHeaders": {"Quantity": 1,
                        "Items": [{"HeaderName": "X-Origin-Secret", "HeaderValue": "s3cr3t"}]},
      "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
                             "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
      "ConnectionAttempts": 3, "ConnectionTimeout": 10}]},
    "DefaultCacheBehavior": {
      "TargetOriginId": "o1", "ViewerProtocolPolicy": "allow-all",
      "AllowedMethods": {"Quantity": 7,
                         "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                         "CachedMethods": {"Quantity": 2, "Items": ["GET", "HEAD"]}},
      "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      "OriginRequestPolicyId": "216adef6-5c7f-47e4-b989-5492eafa07d3"},
    "CacheBehaviors": {"Quantity": 0, "Items": []},
    "DefaultRootObject": "index.html"
  },
  "Edge": {
    "PopName": "TST50-C1",
    "OriginAddressOverrides": {"origin.test": "127.0.0.1:${ORIGIN_PORT}"},
    "HeaderTimeoutMs": 1000, "IdleTimeoutMs": 5000, "BodyTimeoutMs": 2000, "ShutdownGraceMs": 5000
  }
})";
  return nlohmann::json::parse(kText);
}

nlohmann::json cachingConfig() {
  nlohmann::json cfg = baseConfig();
  cfg["CachePolicies"] = nlohmann::json::parse(R"([{"Id": "cp-test", "CachePolicyConfig": {
    "Name": "Test", "MinTTL": 0, "DefaultTTL": 60, "MaxTTL": 3600,
    "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false,
      "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
      "QueryStringsConfig": {"QueryStringBehavior": "all"}}}}])");
  auto& b = defaultBehavior(cfg);
  b["CachePolicyId"] = "cp-test";
  b.erase("OriginRequestPolicyId");
  return cfg;
}

nlohmann::json makeOrigin(const std::string& id, const std::string& domain,
                          const std::string& origin_path) {
  return {{"Id", id},
          {"DomainName", domain},
          {"OriginPath", origin_path},
          {"CustomHeaders", {{"Quantity", 0}, {"Items", nlohmann::json::array()}}},
          {"CustomOriginConfig",
           {{"HTTPPort", 80},
            {"HTTPSPort", 443},
            {"OriginProtocolPolicy", "http-only"},
            {"OriginReadTimeout", 30},
            {"OriginKeepaliveTimeout", 5}}},
          {"ConnectionAttempts", 3},
          {"ConnectionTimeout", 10}};
}

void addOrigin(nlohmann::json& config, const nlohmann::json& origin, const std::string& address) {
  auto& origins = config["DistributionConfig"]["Origins"];
  origins["Items"].push_back(origin);
  origins["Quantity"] = origins["Items"].size();
  config["Edge"]["OriginAddressOverrides"][origin.at("DomainName").get<std::string>()] = address;
}

nlohmann::json makeBehavior(const std::string& path_pattern, const std::string& origin_id,
                            const std::string& orp) {
  return {{"PathPattern", path_pattern},
          {"TargetOriginId", origin_id},
          {"ViewerProtocolPolicy", "allow-all"},
          {"AllowedMethods",
           {{"Quantity", 7},
            {"Items", {"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"}},
            {"CachedMethods", {{"Quantity", 2}, {"Items", {"GET", "HEAD"}}}}}},
          {"CachePolicyId", kCachingDisabled},
          {"OriginRequestPolicyId", orp}};
}

void addBehavior(nlohmann::json& config, const nlohmann::json& behavior) {
  auto& behaviors = config["DistributionConfig"]["CacheBehaviors"];
  behaviors["Items"].push_back(behavior);
  behaviors["Quantity"] = behaviors["Items"].size();
}

void makeLegacy(nlohmann::json& behavior) {
  behavior.erase("CachePolicyId");
  behavior.erase("OriginRequestPolicyId");
  behavior["ForwardedValues"] = {
      {"QueryString", true},
      {"Cookies", {{"Forward", "none"}}},
      {"Headers", {{"Quantity", 0}, {"Items", nlohmann::json::array()}}},
      {"QueryStringCacheKeys", {{"Quantity", 0}, {"Items", nlohmann::json::array()}}}};
  behavior["MinTTL"] = 0;
  behavior["DefaultTTL"] = 0;
  behavior["MaxTTL"] = 0;
}

void allowOnlyGetHead(nlohmann::json& behavior) {
  behavior["AllowedMethods"] = {{"Quantity", 2},
                                {"Items", {"GET", "HEAD"}},
                                {"CachedMethods", {{"Quantity", 2}, {"Items", {"GET", "HEAD"}}}}};
}

nlohmann::json& firstOrigin(nlohmann::json& config) {
  return config["DistributionConfig"]["Origins"]["Items"][0];
}

nlohmann::json& defaultBehavior(nlohmann::json& config) {
  return config["DistributionConfig"]["DefaultCacheBehavior"];
}

// ---------------------------------------------------------------------------------------------
// Edged.

Edged::Edged(const std::string& config_json, uint16_t origin_port, EdgedOptions options) {
  std::string text = config_json;
  replaceAll(text, "${ORIGIN_PORT}", std::to_string(origin_port));
  config_path_ = dir_.file("edged.json");
  ready_path_ = dir_.file("ready");
  stderr_path_ = dir_.file("stderr");
  writeFile(config_path_, text);
  std::vector<std::string> argv{
      EDGED_BIN,      "serve",       "--config",  config_path_,
      "--listen",     "127.0.0.1:0", "--workers", std::to_string(options.workers),
      "--ready-file", ready_path_};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  proc_ = ChildProcess(argv, dir_.file("stdout"), stderr_path_, options.env);

  // Ready when the file holds a complete "host:port" line (or is stable and parseable).
  std::string previous;
  bool ready = waitUntil(
      [&] {
        if (!proc_.running()) return true;
        std::string content = readFile(ready_path_);
        bool complete =
            content.find('\n') != std::string::npos || (!content.empty() && content == previous);
        previous = content;
        if (!complete) return false;
        std::string first = content.substr(0, content.find('\n'));
        size_t colon = first.rfind(':');
        if (colon == std::string::npos) return false;
        port_ = static_cast<uint16_t>(std::atoi(first.c_str() + colon + 1));
        return port_ != 0;
      },
      options.ready_timeout, Ms(20));
  if (!ready || port_ == 0 || !proc_.running()) {
    std::string why =
        !proc_.running()
            ? "edged exited with status " + std::to_string(proc_.exitStatus().value_or(-1))
            : "edged not ready within " + std::to_string(options.ready_timeout.count()) +
                  " ms (ready file: '" + readFile(ready_path_) + "')";
    proc_.kill();
    throw std::runtime_error(why + "\n--- edged stderr ---\n" + tail(readFile(stderr_path_), 8192));
  }
}

std::string asanOptionsWith(std::string_view extra) {
  const char* current = std::getenv("ASAN_OPTIONS");
  std::string value = current != nullptr ? current : "";
  if (!value.empty()) value += ":";
  return "ASAN_OPTIONS=" + value + std::string(extra);
}

Edged::~Edged() {
  if (proc_.running()) {
    int status = stop(SIGTERM);
    EXPECT_EQ(status, 0) << "edged did not exit cleanly on SIGTERM at the end of the test";
  }
  // A ThreadSanitizer build reports races on stderr and only fails the exit status at exit; a
  // test that ended edged some other way (SIGKILL, its own stop()) must still see them.
  EXPECT_EQ(stderrText().find("WARNING: ThreadSanitizer:"), std::string::npos)
      << "ThreadSanitizer reported on edged's stderr";
  if (::testing::Test::HasFailure()) {
    std::cerr << "--- edged stderr (" << stderr_path_ << ", last 8 KiB) ---\n"
              << tail(stderrText(), 8192) << "\n--- end of edged stderr ---\n";
  }
}

std::string Edged::url(std::string_view path_and_query) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path_and_query);
}

std::string Edged::adminAddress() const {
  for (const std::string& line : readyLines()) {
    if (line.starts_with("admin ")) return line.substr(6);
  }
  ADD_FAILURE() << "no admin line in the ready file";
  return "127.0.0.1:1";
}

std::vector<std::string> Edged::readyLines() const {
  std::vector<std::string> lines;
  std::istringstream in(readFile(ready_path_));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

int Edged::stop(int sig, Ms timeout) {
  if (!proc_.running()) return proc_.exitStatus().value_or(-1);
  proc_.signal(sig);
  auto status = proc_.wait(timeout);
  if (!status) {
    ADD_FAILURE() << "edged did not exit within " << timeout.count() << " ms after signal " << sig
                  << "; killing it";
    proc_.kill();
    return -1;
  }
  return *status;
}

// ---------------------------------------------------------------------------------------------
// Memory.

MemInfo memInfo(pid_t pid) {
  MemInfo m;
  std::istringstream in(readFile("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) m.rss_kb = std::atol(line.c_str() + 6);
    if (line.rfind("VmHWM:", 0) == 0) m.hwm_kb = std::atol(line.c_str() + 6);
  }
  return m;
}

long rssKb(pid_t pid) { return memInfo(pid).rss_kb; }

MemInfo treeMemInfo(pid_t pid) {
  // Build the parent → children relation from /proc/*/stat (field 4 follows the ")" of comm).
  std::multimap<pid_t, pid_t> children;
  if (DIR* d = ::opendir("/proc")) {
    while (dirent* ent = ::readdir(d)) {
      pid_t p = static_cast<pid_t>(std::atoi(ent->d_name));
      if (p <= 0) continue;
      std::string stat = readFile("/proc/" + std::to_string(p) + "/stat");
      size_t close_paren = stat.rfind(')');
      if (close_paren == std::string::npos || close_paren + 4 >= stat.size()) continue;
      std::istringstream fields(stat.substr(close_paren + 2));
      std::string state;
      pid_t ppid = 0;
      fields >> state >> ppid;
      children.emplace(ppid, p);
    }
    ::closedir(d);
  }
  MemInfo total;
  std::vector<pid_t> todo{pid};
  std::set<pid_t> seen;
  while (!todo.empty()) {
    pid_t p = todo.back();
    todo.pop_back();
    if (!seen.insert(p).second) continue;
    MemInfo m = memInfo(p);
    if (m.rss_kb >= 0) total.rss_kb = std::max(total.rss_kb, 0L) + m.rss_kb;
    if (m.hwm_kb >= 0) total.hwm_kb = std::max(total.hwm_kb, 0L) + m.hwm_kb;
    auto [b, e] = children.equal_range(p);
    for (auto it = b; it != e; ++it) todo.push_back(it->second);
  }
  return total;
}

}  // namespace edge::itest
