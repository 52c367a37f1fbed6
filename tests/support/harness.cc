#include "support/harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include <curl/curl.h>
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

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

int shellStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

std::string tail(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(s.size() - n); }

void replaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) {
    s.replace(pos, from.size(), to);
  }
}

int pollFd(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<Ms>(deadline - Clock::now()).count();
    if (left < 0) left = 0;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return 0;
    return p.revents;
  }
}

// Non-blocking connect to 127.0.0.1:port. Returns the fd (non-blocking, CLOEXEC) or -errno.
int connectLoopback(uint16_t port, Ms timeout) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -errno;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno != EINPROGRESS) {
      int err = errno;
      ::close(fd);
      return -err;
    }
    int ev = pollFd(fd, POLLOUT, Clock::now() + timeout);
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (ev == 0) err = ETIMEDOUT;
    if (err != 0) {
      ::close(fd);
      return -err;
    }
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

void ensureCurlGlobal() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Utilities.

bool CaseLess::operator()(const std::string& a, const std::string& b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                      [](char x, char y) { return lowerAscii(x) < lowerAscii(y); });
}

void Headers::add(std::string name, std::string value) {
  map_.emplace(std::move(name), std::move(value));
}

std::optional<std::string> Headers::get(std::string_view name) const {
  auto it = map_.find(std::string(name));
  if (it == map_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> Headers::all(std::string_view name) const {
  std::vector<std::string> out;
  auto [b, e] = map_.equal_range(std::string(name));
  for (auto it = b; it != e; ++it) out.push_back(it->second);
  return out;
}

size_t Headers::count(std::string_view name) const { return map_.count(std::string(name)); }

std::ostream& operator<<(std::ostream& os, const Headers& h) {
  for (const auto& [n, v] : h.map()) os << "  " << n << ": " << v << "\n";
  return os;
}

std::string patternBody(size_t n, uint64_t offset) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>('a' + (offset + i) % 26);
  return out;
}

bool waitUntil(const std::function<bool()>& pred, Ms timeout, Ms step) {
  auto deadline = Clock::now() + timeout;
  for (;;) {
    if (pred()) return true;
    if (Clock::now() >= deadline) return pred();
    std::this_thread::sleep_for(step);
  }
}

int64_t elapsedMs(Clock::time_point start) {
  return std::chrono::duration_cast<Ms>(Clock::now() - start).count();
}

uint16_t unusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("unusedPort: socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("unusedPort: bind failed");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool connectRefused(uint16_t port, Ms timeout) {
  int fd = connectLoopback(port, timeout);
  if (fd >= 0) {
    ::close(fd);
    return false;
  }
  return true;
}

bool isCfId(std::string_view v) {
  if (v.size() != 56 || v.substr(54) != "==") return false;
  for (char c : v.substr(0, 54)) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool isCloudFrontVia(std::string_view v) {
  static const std::regex re(R"(^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$)");
  return std::regex_match(v.begin(), v.end(), re);
}

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
                           const std::string& stderr_path) {
  // Everything the child needs is prepared before fork: only async-signal-safe calls after it.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
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
    ::execve(args[0], args.data(), environ);
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
      "CustomHeaders": {"Quantity": 1, "Items": [{"HeaderName": "X-Origin-Secret", "HeaderValue": "s3cr3t"}]},
      "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
                             "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
      "ConnectionAttempts": 3, "ConnectionTimeout": 10}]},
    "DefaultCacheBehavior": {
      "TargetOriginId": "o1", "ViewerProtocolPolicy": "allow-all",
      "AllowedMethods": {"Quantity": 7, "Items": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
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
  std::vector<std::string> argv{EDGED_BIN,   "serve",        "--config",
                                config_path_, "--listen",     "127.0.0.1:0",
                                "--workers",  std::to_string(options.workers),
                                "--ready-file", ready_path_};
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  proc_ = ChildProcess(argv, dir_.file("stdout"), stderr_path_);

  // Ready when the file holds a complete "host:port" line (or is stable and parseable).
  std::string previous;
  bool ready = waitUntil(
      [&] {
        if (!proc_.running()) return true;
        std::string content = readFile(ready_path_);
        bool complete = content.find('\n') != std::string::npos ||
                        (!content.empty() && content == previous);
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
    std::string why = !proc_.running()
                          ? "edged exited with status " + std::to_string(proc_.exitStatus().value_or(-1))
                          : "edged not ready within " + std::to_string(options.ready_timeout.count()) +
                                " ms (ready file: '" + readFile(ready_path_) + "')";
    proc_.kill();
    throw std::runtime_error(why + "\n--- edged stderr ---\n" + tail(readFile(stderr_path_), 8192));
  }
}

Edged::~Edged() {
  if (proc_.running()) {
    int status = stop(SIGTERM);
    EXPECT_EQ(status, 0) << "edged did not exit cleanly on SIGTERM at the end of the test";
  }
  if (::testing::Test::HasFailure()) {
    std::cerr << "--- edged stderr (" << stderr_path_ << ", last 8 KiB) ---\n"
              << tail(stderrText(), 8192) << "\n--- end of edged stderr ---\n";
  }
}

std::string Edged::url(std::string_view path_and_query) const {
  return "http://127.0.0.1:" + std::to_string(port_) + std::string(path_and_query);
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
// Raw responses.

namespace {

// Decodes a complete chunked body from `data`; returns consumed bytes, 0 if incomplete, or
// std::nullopt on a framing error.
std::optional<size_t> decodeChunked(std::string_view data, std::string* body) {
  size_t pos = 0;
  for (;;) {
    size_t eol = data.find("\r\n", pos);
    if (eol == std::string_view::npos) return 0;
    std::string_view size_text = data.substr(pos, eol - pos);
    size_text = trimSpace(size_text.substr(0, size_text.find(';')));
    if (size_text.empty()) return std::nullopt;
    uint64_t size = 0;
    for (char c : size_text) {
      int v = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (v < 0 || size > (uint64_t{1} << 56)) return std::nullopt;
      size = size * 16 + static_cast<uint64_t>(v);
    }
    pos = eol + 2;
    if (size == 0) {
      // Trailer section, ended by an empty line.
      for (;;) {
        size_t end = data.find("\r\n", pos);
        if (end == std::string_view::npos) return 0;
        bool empty = end == pos;
        pos = end + 2;
        if (empty) return pos;
      }
    }
    if (data.size() < pos + size + 2) return 0;
    body->append(data.substr(pos, size));
    pos += size;
    if (data.substr(pos, 2) != "\r\n") return std::nullopt;
    pos += 2;
  }
}

}  // namespace

ParseOutcome parseResponse(std::string_view data, bool head_request, bool at_eof) {
  ParseOutcome out;
  size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    if (data.size() >= 5 && data.substr(0, 5) != "HTTP/") out.status = ParseStatus::Invalid;
    return out;
  }
  std::string_view head = data.substr(0, head_end);
  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12) {
    out.status = ParseStatus::Invalid;
    return out;
  }
  RawResponse& r = out.response;
  size_t sp = status_line.find(' ');
  r.version = std::string(status_line.substr(0, sp));
  r.status = std::atoi(std::string(status_line.substr(sp + 1, 3)).c_str());
  if (status_line.size() > sp + 5) r.reason = std::string(status_line.substr(sp + 5));
  if (r.status < 100 || r.status > 999) {
    out.status = ParseStatus::Invalid;
    return out;
  }
  std::string_view rest = line_end == std::string_view::npos ? "" : head.substr(line_end + 2);
  while (!rest.empty()) {
    size_t e = rest.find("\r\n");
    std::string_view line = rest.substr(0, e);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      out.status = ParseStatus::Invalid;
      return out;
    }
    r.headers.add(std::string(line.substr(0, colon)), std::string(trimSpace(line.substr(colon + 1))));
    if (e == std::string_view::npos) break;
    rest.remove_prefix(e + 2);
  }
  size_t body_start = head_end + 4;
  std::string_view after = data.substr(body_start);
  bool no_body = head_request || r.status < 200 || r.status == 204 || r.status == 304;
  auto te = r.headers.get("Transfer-Encoding");
  auto cl = r.headers.get("Content-Length");
  if (no_body) {
    out.consumed = body_start;
  } else if (te && te->find("chunked") != std::string::npos) {
    r.chunked = true;
    auto used = decodeChunked(after, &r.body);
    if (!used) {
      out.status = ParseStatus::Invalid;
      return out;
    }
    if (*used == 0) return out;  // incomplete
    out.consumed = body_start + *used;
  } else if (cl) {
    uint64_t n = std::strtoull(cl->c_str(), nullptr, 10);
    if (after.size() < n) return out;
    r.body = std::string(after.substr(0, n));
    out.consumed = body_start + n;
  } else {
    if (!at_eof) return out;
    r.body = std::string(after);
    out.consumed = data.size();
  }
  out.status = ParseStatus::Complete;
  return out;
}

std::vector<RawResponse> parseResponses(std::string_view data, bool at_eof) {
  std::vector<RawResponse> out;
  while (!data.empty()) {
    ParseOutcome o = parseResponse(data, false, at_eof);
    if (o.status != ParseStatus::Complete) break;
    out.push_back(std::move(o.response));
    data.remove_prefix(o.consumed);
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const RawResponse& r) {
  os << r.version << " " << r.status << " " << r.reason << "\n" << r.headers;
  os << "  [body " << r.body.size() << " bytes" << (r.chunked ? ", chunked" : "") << "]: "
     << r.body.substr(0, 600);
  return os;
}

// ---------------------------------------------------------------------------------------------
// RawClient.

RawClient::RawClient(uint16_t port, Ms connect_timeout) {
  fd_ = connectLoopback(port, connect_timeout);
  if (fd_ < 0) {
    int err = -fd_;
    fd_ = -1;
    throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) +
                             " failed: " + std::strerror(err));
  }
}

RawClient::~RawClient() { close(); }

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void RawClient::shutdownWrite() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

bool RawClient::send(std::string_view data, Ms timeout) {
  auto deadline = Clock::now() + timeout;
  while (!data.empty()) {
    ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (pollFd(fd_, POLLOUT, deadline) == 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

ReadResult RawClient::readUntil(const std::function<bool(std::string_view)>& done, Ms timeout) {
  ReadResult r;
  auto deadline = Clock::now() + timeout;
  char buf[64 * 1024];
  while (!done(r.data)) {
    int ev = pollFd(fd_, POLLIN, deadline);
    if (ev == 0) {
      r.timed_out = true;
      break;
    }
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n > 0) {
      r.data.append(buf, static_cast<size_t>(n));
    } else if (n == 0) {
      r.closed = true;
      break;
    } else if (errno != EINTR && errno != EAGAIN) {
      r.closed = true;
      r.reset = errno == ECONNRESET;
      break;
    }
  }
  return r;
}

ReadResult RawClient::readUntilClosed(Ms timeout) {
  return readUntil([](std::string_view) { return false; }, timeout);
}

ReadResult RawClient::readResponses(size_t n, Ms timeout, bool head_request) {
  return readUntil(
      [&](std::string_view data) {
        size_t complete = 0;
        while (!data.empty()) {
          ParseOutcome o = parseResponse(data, head_request, false);
          if (o.status != ParseStatus::Complete) break;
          if (o.response.status >= 200) ++complete;
          data.remove_prefix(o.consumed);
        }
        return complete >= n;
      },
      timeout);
}

ReadResult RawClient::readSome(size_t max, Ms timeout) {
  ReadResult r;
  int ev = pollFd(fd_, POLLIN, Clock::now() + timeout);
  if (ev == 0) {
    r.timed_out = true;
    return r;
  }
  std::string buf(max, '\0');
  ssize_t n = ::recv(fd_, buf.data(), max, 0);
  if (n > 0) {
    buf.resize(static_cast<size_t>(n));
    r.data = std::move(buf);
  } else if (n == 0) {
    r.closed = true;
  } else if (errno != EINTR && errno != EAGAIN) {
    r.closed = true;
    r.reset = errno == ECONNRESET;
  }
  return r;
}

ReadResult rawExchange(uint16_t port, std::string_view request, Ms timeout) {
  RawClient c(port);
  ReadResult r;
  if (!c.send(request, timeout)) {
    // The server may have answered and closed before taking everything: read what it sent.
    r = c.readUntilClosed(Ms(1000));
    return r;
  }
  return c.readUntilClosed(timeout);
}

bool BodyCounter::feed(std::string_view data) {
  if (!chunked_) {
    uint64_t take = std::min<uint64_t>(remaining_, data.size());
    remaining_ -= take;
    body_bytes_ += take;
    return take == data.size();  // bytes beyond Content-Length are a framing error
  }
  size_t i = 0;
  while (i < data.size()) {
    char c = data[i];
    switch (state_) {
      case State::Size:
        ++i;
        if (c == '\n') {
          const std::string size_line = std::exchange(line_, std::string());
          std::string_view s = trimSpace(std::string_view(size_line).substr(0, size_line.find(';')));
          if (s.empty()) return false;
          uint64_t size = 0;
          for (char h : s) {
            int v = (h >= '0' && h <= '9')   ? h - '0'
                    : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                    : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                             : -1;
            if (v < 0) return false;
            size = size * 16 + static_cast<uint64_t>(v);
          }
          chunk_left_ = size;
          state_ = size == 0 ? State::Trailer : State::Data;
        } else {
          line_.push_back(c);
          if (line_.size() > 1024) return false;
        }
        break;
      case State::Data: {
        uint64_t take = std::min<uint64_t>(chunk_left_, data.size() - i);
        chunk_left_ -= take;
        body_bytes_ += take;
        i += take;
        if (chunk_left_ == 0) state_ = State::DataCr;
        break;
      }
      case State::DataCr:
        if (c != '\r') return false;
        ++i;
        state_ = State::DataLf;
        break;
      case State::DataLf:
        if (c != '\n') return false;
        ++i;
        state_ = State::Size;
        break;
      case State::Trailer:
        ++i;
        if (c == '\n') {
          bool empty = line_.empty() || line_ == "\r";
          line_.clear();
          if (empty) state_ = State::Done;
        } else {
          line_.push_back(c);
        }
        break;
      case State::SizeLf:
      case State::Done:
        return false;  // bytes after the end
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Http (libcurl).

namespace {

struct Transfer {
  HttpResponse* response;
  bool discard;
};

size_t onBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  size_t n = size * nmemb;
  t->response->body_bytes += n;
  if (!t->discard) t->response->body.append(ptr, n);
  return n;
}

size_t onHeader(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  size_t n = size * nmemb;
  std::string_view line(ptr, n);
  line = trimSpace(line);
  if (line.substr(0, 5) == "HTTP/") {
    t->response->headers = Headers();  // a new (final or interim) response starts
    t->response->status_line = std::string(line);
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->response->headers.add(std::string(line.substr(0, colon)),
                             std::string(trimSpace(line.substr(colon + 1))));
  }
  return n;
}

}  // namespace

Http::Http() {
  ensureCurlGlobal();
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

Http::~Http() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse Http::get(const std::string& url, const std::vector<std::string>& headers,
                       const RequestOptions& options) {
  return request("GET", url, headers, nullptr, options);
}

HttpResponse Http::head(const std::string& url, const std::vector<std::string>& headers,
                        const RequestOptions& options) {
  return request("HEAD", url, headers, nullptr, options);
}

HttpResponse Http::post(const std::string& url, const std::vector<std::string>& headers,
                        const std::string& body, const RequestOptions& options) {
  return request("POST", url, headers, &body, options);
}

HttpResponse Http::put(const std::string& url, const std::vector<std::string>& headers,
                       const std::string& body, const RequestOptions& options) {
  return request("PUT", url, headers, &body, options);
}

HttpResponse Http::request(const std::string& method, const std::string& url,
                           const std::vector<std::string>& headers, const std::string* body,
                           const RequestOptions& options) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);  // keeps live connections
  HttpResponse response;
  Transfer transfer{&response, options.discard_body};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
                   options.http10 ? CURL_HTTP_VERSION_1_0 : CURL_HTTP_VERSION_1_1);
  if (method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    if (method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (body != nullptr) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    } else if (method == "POST") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    }
  }

  CURLcode rc = curl_easy_perform(c);
  response.curl_code = static_cast<int>(rc);
  response.error = errbuf[0] ? errbuf : (rc != CURLE_OK ? curl_easy_strerror(rc) : "");
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &response.connects);
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &response.total_seconds);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(list);
  return response;
}

std::ostream& operator<<(std::ostream& os, const HttpResponse& r) {
  os << "curl_code=" << r.curl_code << " (" << r.error << ") status=" << r.status << " "
     << r.status_line << "\n"
     << r.headers << "  [body " << r.body_bytes << " bytes]: " << r.body.substr(0, 600);
  return os;
}

::testing::AssertionResult isGeneratedError(const HttpResponse& r, long status,
                                            std::string_view reason) {
  auto fail = [&](const std::string& what) {
    return ::testing::AssertionFailure() << what << "\n" << r;
  };
  if (!r.ok()) return fail("transfer failed");
  if (r.status != status) return fail("status " + std::to_string(r.status) + " != " + std::to_string(status));
  if (r.headers.get("X-Cache").value_or("") != "Error from cloudfront") return fail("X-Cache");
  if (r.headers.get("Server").value_or("") != "CloudFront") return fail("Server");
  if (r.headers.get("Content-Type").value_or("").rfind("text/html", 0) != 0) return fail("Content-Type");
  std::string id = r.headers.get("X-Amz-Cf-Id").value_or("");
  if (!isCfId(id)) return fail("X-Amz-Cf-Id missing or malformed");
  if (r.body.find(id) == std::string::npos) return fail("body does not quote the request id");
  if (!reason.empty() && r.body.find(reason) == std::string::npos) {
    return fail("body lacks \"" + std::string(reason) + "\"");
  }
  return ::testing::AssertionSuccess();
}

// ---------------------------------------------------------------------------------------------
// Echo.

EchoInfo parseEcho(std::string_view body) {
  EchoInfo e;
  std::vector<std::string_view> lines;
  while (!body.empty()) {
    size_t nl = body.find('\n');
    lines.push_back(body.substr(0, nl));
    if (nl == std::string_view::npos) break;
    body.remove_prefix(nl + 1);
  }
  if (lines.size() < 4) return e;
  e.request_line = std::string(lines[0]);
  size_t sp1 = e.request_line.find(' ');
  size_t sp2 = e.request_line.rfind(' ');
  if (sp1 == std::string::npos || sp2 <= sp1) return e;
  e.method = e.request_line.substr(0, sp1);
  e.target = e.request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t i = 1;
  for (; i < lines.size() && !lines[i].empty(); ++i) {
    std::string_view line = lines[i];
    e.header_lines.emplace_back(line);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return e;
    e.headers.add(std::string(line.substr(0, colon)), std::string(trimSpace(line.substr(colon + 1))));
  }
  if (i + 2 >= lines.size()) return e;
  std::string_view len_line = lines[i + 1];
  std::string_view sha_line = lines[i + 2];
  if (len_line.substr(0, 13) != "body-length: " || sha_line.substr(0, 13) != "body-sha256: ") return e;
  e.body_length = std::strtoull(std::string(len_line.substr(13)).c_str(), nullptr, 10);
  e.body_sha256 = std::string(sha_line.substr(13));
  e.valid = true;
  return e;
}

std::ostream& operator<<(std::ostream& os, const EchoInfo& e) {
  os << (e.valid ? "" : "[INVALID ECHO] ") << e.request_line << "\n";
  for (const auto& l : e.header_lines) os << "  " << l << "\n";
  return os << "  body-length " << e.body_length << " sha256 " << e.body_sha256;
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
