// edged_hostile_load: the well-behaved client's latency while hostile viewers attack (issue 8
// item 3). Starts test_origin and edged (one worker, pinned to --edged-cpu), caches one object,
// then measures one well-behaved keep-alive client fetching that object during each attack
// (slowloris, slow readers, 10,000 idle connections, pipelined flood, smuggling corpus loop), in
// --rounds rounds of an unloaded window followed by an attacked one, so that each attack's p99
// is compared with unloaded windows measured at the same time (this VM's speed drifts). Prints
// per attack p50/p99, the p99 of its unloaded windows and the ratio, edged's peak RSS (VmRSS
// sampled every 20 ms), edged's CPU and the client CPU's busy share over the attacked windows
// (what an attack costs edged, and whether the client's own CPU was the bottleneck) and the
// attack's operations a second; exits 1 when a ratio reaches --max-ratio or an RSS reaches
// --ceiling-mb, 2 on a set-up failure.
//
//   edged_hostile_load --edged BIN --origin BIN [--edged-cpu 0] [--client-cpu 1] [--seconds 5]
//                      [--rounds 3] [--ceiling-mb 256] [--max-ratio 2] [--smoke] [--only ATTACK]
//                      [--smuggle-rate 1000]
//   edged_hostile_load --conn-cost --edged BIN --origin BIN [--seconds 5]
//
// --conn-cost: what one connection costs edged (CPU µs each) for a refused request and a hit,
// one connection after another from the client CPU; no attack, no ratio.
// --seconds: attacked (and as much unloaded) time per attack, split over the rounds.
// --smoke: small attacks, one round of 0.5 s windows; checks that every attack ran, every
// well-behaved request succeeded and RSS stayed under the ceiling, and reports (does not enforce)
// the ratios: a sub-second window on a shared machine is too noisy to gate on. Loopback only;
// stops only what it started.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Ms = std::chrono::milliseconds;

struct Options {
  std::string edged;
  std::string origin;
  int edged_cpu = 0;
  int client_cpu = 1;
  double seconds = 5;
  long ceiling_mb = 256;
  double max_ratio = 2.0;
  bool smoke = false;
  std::string only;        // run just the unloaded phase and this attack
  int smuggle_rate = 1000; // smuggling-corpus connections per second; 0 = back to back
  int rounds = 3;          // (unloaded, attacked) window pairs per attack
  bool conn_cost = false;  // instead: edged's CPU per connection, one request each
};

[[noreturn]] void fail(const std::string& msg) {
  std::fprintf(stderr, "hostile_load: %s\n", msg.c_str());
  std::exit(2);
}

void pin(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) fail("cannot pin to CPU " + std::to_string(cpu));
}

// A child in its own process group, killed with us (PR_SET_PDEATHSIG), pinned to `cpu`.
pid_t spawn(const std::vector<std::string>& argv, int cpu, const std::string& log) {
  const pid_t pid = fork();
  if (pid < 0) fail("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setpgid(0, 0);
    pin(cpu);
    const int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// Polls `path` until it holds a line ending in ":PORT" or a bare port.
int waitPort(const std::string& path, pid_t child) {
  for (int i = 0; i < 200; ++i) {
    const std::string s = slurp(path);
    if (!s.empty() && s.back() == '\n') {
      const size_t colon = s.rfind(':');
      return std::atoi(s.c_str() + (colon == std::string::npos ? 0 : colon + 1));
    }
    int st = 0;
    if (waitpid(child, &st, WNOHANG) == child) fail("child exited before it was ready: " + path);
    std::this_thread::sleep_for(Ms(50));
  }
  fail("not ready: " + path);
}

long rssKb(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

// A process's CPU time (user + system) so far, in clock ticks (/proc/<pid>/stat fields 14, 15).
long cpuTicks(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const size_t paren = all.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return -1;
  std::istringstream rest(all.substr(paren + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::atol(field.c_str());
    if (i == 15) stime = std::atol(field.c_str());
  }
  return utime + stime;
}

// One CPU's busy and total ticks so far (/proc/stat "cpuN" line; idle and iowait are not busy).
std::pair<long, long> cpuBusy(int cpu) {
  std::ifstream f("/proc/stat");
  std::string line;
  const std::string want = "cpu" + std::to_string(cpu) + " ";
  while (std::getline(f, line)) {
    if (line.rfind(want, 0) != 0) continue;
    std::istringstream in(line.substr(want.size()));
    long v = 0, total = 0, idle = 0;
    for (int i = 0; in >> v; ++i) {
      if (i < 8) total += v;  // user nice system idle iowait irq softirq steal
      if (i == 3 || i == 4) idle += v;
    }
    return {total - idle, total};
  }
  return {0, 0};
}

// a = max(a, v), with other threads raising it too.
void raiseTo(std::atomic<long>& a, long v) {
  long cur = a.load();
  while (v > cur && !a.compare_exchange_weak(cur, v)) {
  }
}

int connectTo(int port, bool nonblocking) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    const int e = errno;
    close(fd);
    return -e;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (nonblocking) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

bool sendAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// ------------------------------------------------------------------ the well-behaved client

// One keep-alive connection; GET `path` until `stop`, recording each latency (µs). A failed
// request (no 200, close, timeout) is counted and the connection re-opened.
struct Probe {
  std::vector<double> us;
  int failures = 0;
};

Probe probe(int port, const std::string& path, double seconds) {
  Probe p;
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
  int fd = -1;
  std::string buf;
  char tmp[65536];
  const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                      std::chrono::duration<double>(seconds));
  while (Clock::now() < end) {
    if (fd < 0) {
      fd = connectTo(port, false);
      if (fd < 0) {
        ++p.failures;
        std::this_thread::sleep_for(Ms(10));
        continue;
      }
      timeval tv{2, 0};
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    const auto t0 = Clock::now();
    bool ok = sendAll(fd, req);
    buf.clear();
    size_t need = std::string::npos;
    while (ok) {
      const ssize_t n = recv(fd, tmp, sizeof tmp, 0);
      if (n <= 0) {
        ok = false;
        break;
      }
      buf.append(tmp, static_cast<size_t>(n));
      if (need == std::string::npos) {
        const size_t he = buf.find("\r\n\r\n");
        if (he == std::string::npos) continue;
        const size_t cl = buf.find("Content-Length: ");
        if (buf.compare(0, 12, "HTTP/1.1 200") != 0 || cl == std::string::npos || cl > he) {
          ok = false;
          break;
        }
        need = he + 4 + std::strtoull(buf.c_str() + cl + 16, nullptr, 10);
      }
      if (buf.size() >= need) break;
    }
    if (!ok) {
      ++p.failures;
      close(fd);
      fd = -1;
      continue;
    }
    p.us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  if (fd >= 0) close(fd);
  return p;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  return v[i];
}

// The smuggling corpus: 7 forms (CL.TE, TE.CL, xchunked, "chunked, identity", obs-fold, bare CR,
// negative chunk size), each followed by a smuggled GET. Every one must get a 400 and a close.
std::vector<std::string> smugglingCorpus() {
  const std::string post = "POST /echo/s HTTP/1.1\r\nHost: x\r\n";
  const std::string get = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
  return {
      post + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nX" + get,
      post + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n" + get,
      post + "Content-Length: 5\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n" + get,
      post + "Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n" + get,
      post + "X-A: a\r\n b\r\nContent-Length: 0\r\n\r\n" + get,
      post + "X-A: a\rb\r\nContent-Length: 0\r\n\r\n" + get,
      post + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n" + get,
  };
}

// One request on a fresh connection, read until edged closes it (or 2 s pass without a byte).
struct OneShot {
  bool connected = false;
  bool sent = false;
  bool ended = false;  // EOF, or the RST edged sends when it closes with input unread
  std::string start;   // the answer's first bytes
};
OneShot oneShot(int port, const std::string& request) {
  OneShot r;
  const int fd = connectTo(port, false);
  if (fd < 0) return r;
  r.connected = true;
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  r.sent = sendAll(fd, request);
  char tmp[65536];
  ssize_t got = 0;
  while (r.sent && (got = recv(fd, tmp, sizeof tmp, 0)) > 0) {
    if (r.start.size() < 16) r.start.append(tmp, static_cast<size_t>(std::min<ssize_t>(got, 16)));
  }
  r.ended = r.sent && (got == 0 || errno == ECONNRESET);
  close(fd);
  return r;
}

// ------------------------------------------------------------------ attacks

// Each attack runs in its own thread until `stop`; `ran` counts what it did (connections
// opened, requests sent) so a phase that did nothing is reported.
struct Attack {
  const char* name;
  std::function<void(int port, const std::atomic<bool>& stop, std::atomic<long>& ran)> run;
  long ramp_ops = 0;  // the attack is in place once `ran` reaches this (at most 10 s more)
};

void closeAll(std::vector<int>& fds) {
  for (int fd : fds) close(fd);
  fds.clear();
}

std::vector<Attack> attacks(bool smoke, const std::string& big_path, int smuggle_rate) {
  const int slowloris = smoke ? 50 : 1000;
  const int slow_readers = smoke ? 4 : 64;
  const int idle = smoke ? 300 : 10000;
  const int flooders = smoke ? 1 : 8;
  std::vector<Attack> out;
  out.push_back({"slowloris", [=](int port, const std::atomic<bool>& stop, std::atomic<long>& ran) {
    // Each connection drips one header byte every 100 ms; closed ones (408 after HeaderTimeoutMs,
    // seen as a failed send) are replaced. Nothing is read: the attacker's own syscalls share
    // the client's CPU with the well-behaved client.
    const std::string head = "GET /size/16384?hot HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    std::vector<int> fds;
    std::vector<size_t> pos;
    while (!stop) {
      while (static_cast<int>(fds.size()) < slowloris) {
        const int fd = connectTo(port, true);
        if (fd < 0) break;
        fds.push_back(fd);
        pos.push_back(0);
      }
      for (size_t i = 0; i < fds.size();) {
        const char c = pos[i] < head.size() ? head[pos[i]] : 'a';
        if (send(fds[i], &c, 1, MSG_NOSIGNAL) != 1 && errno != EAGAIN) {
          close(fds[i]);
          fds.erase(fds.begin() + static_cast<long>(i));
          pos.erase(pos.begin() + static_cast<long>(i));
          continue;
        }
        ++pos[i];
        ++ran;  // a byte dripped
        ++i;
      }
      std::this_thread::sleep_for(Ms(100));
    }
    closeAll(fds);
  }});
  out.push_back({"slow readers", [=](int port, const std::atomic<bool>& stop, std::atomic<long>& ran) {
    // Each asks for the large cached object and reads 4 KiB every 100 ms (40 KB/s).
    std::vector<int> fds;
    const std::string req = "GET " + big_path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    for (int i = 0; i < slow_readers; ++i) {
      const int fd = connectTo(port, true);
      if (fd < 0) break;
      const int small = 16384;
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
      if (sendAll(fd, req)) ++ran;
      fds.push_back(fd);
    }
    char tmp[4096];
    while (!stop) {
      for (int fd : fds) {
        if (recv(fd, tmp, sizeof tmp, MSG_DONTWAIT) > 0) ++ran;
      }
      std::this_thread::sleep_for(Ms(100));
    }
    closeAll(fds);
  }});
  out.push_back({"idle connections", [=](int port, const std::atomic<bool>& stop, std::atomic<long>& ran) {
    std::vector<int> fds;
    for (int i = 0; i < idle && !stop; ++i) {
      const int fd = connectTo(port, true);
      if (fd < 0) {
        std::fprintf(stderr, "hostile_load: idle connect %d failed: %s\n", i, std::strerror(-fd));
        break;
      }
      fds.push_back(fd);
      ++ran;
    }
    while (!stop) std::this_thread::sleep_for(Ms(20));
    closeAll(fds);
  }, idle});
  out.push_back({"pipelined flood", [=](int port, const std::atomic<bool>& stop, std::atomic<long>& ran) {
    // Pipelined HEADs of the cached object (bodiless answers: nothing but the connection cap
    // holds them back) as fast as edged takes them; responses never read.
    std::string burst;
    for (int i = 0; i < 1000; ++i) burst += "HEAD /size/16384?hot HTTP/1.1\r\nHost: x\r\n\r\n";
    std::vector<int> fds;
    std::vector<size_t> off;
    for (int i = 0; i < flooders; ++i) {
      const int fd = connectTo(port, true);
      if (fd < 0) break;
      fds.push_back(fd);
      off.push_back(0);
    }
    while (!stop) {
      for (size_t i = 0; i < fds.size(); ++i) {
        const ssize_t n = send(fds[i], burst.data() + off[i], burst.size() - off[i], MSG_NOSIGNAL);
        if (n > 0) {
          ran += n;
          off[i] = (off[i] + static_cast<size_t>(n)) % burst.size();
        }
      }
      std::this_thread::sleep_for(Ms(5));
    }
    closeAll(fds);
  }});
  out.push_back({"smuggling corpus", [=](int port, const std::atomic<bool>& stop, std::atomic<long>& ran) {
    const std::vector<std::string> corpus = smugglingCorpus();
    // One connection at a time, each request refused and closed by edged; paced at
    // smuggle_rate connections a second (0: back to back, which is a connection flood that keeps
    // edged's one core busy whatever the bytes are).
    size_t k = 0;
    const auto start = Clock::now();
    while (!stop) {
      if (smuggle_rate > 0) {
        std::this_thread::sleep_until(start + std::chrono::microseconds(
                                                  static_cast<long>(k) * 1'000'000 / smuggle_rate));
      }
      if (oneShot(port, corpus[k++ % corpus.size()]).sent) ++ran;
    }
  }});
  return out;
}

// ------------------------------------------------------------------ cost of a connection

// --conn-cost: one connection after another, each carrying one request and read to EOF, for
// `seconds` per kind; prints connections a second and edged's CPU time per connection (edged's
// CPU is the one under study, so the client's own speed does not enter the per-connection figure).
// Returns false when a connection failed or got another status than expected.
bool connCost(int port, pid_t edged, double seconds) {
  const std::vector<std::string> corpus = smugglingCorpus();
  struct Kind {
    const char* name;
    std::string request;
    const char* status_line;  // what each answer must start with
  };
  const Kind kinds[] = {
      {"refused at the head (CL.TE)", corpus.front(), "HTTP/1.1 400"},
      {"refused in the body (chunk size -5)", corpus.back(), "HTTP/1.1 400"},
      {"cache hit, Connection: close",
       "GET /size/16384?hot HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "HTTP/1.1 200"},
  };
  bool ok = true;
  std::printf("| connection | connections/s | edged CPU %% | edged CPU µs per connection |\n");
  std::printf("|---|---|---|---|\n");
  for (const Kind& k : kinds) {
    long n = 0, bad = 0;
    const long ticks0 = cpuTicks(edged);
    const auto t0 = Clock::now();
    const auto end = t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
    while (Clock::now() < end) {
      const OneShot r = oneShot(port, k.request);
      if (!r.connected) {
        ++bad;
        break;
      }
      if (r.ended && r.start.rfind(k.status_line, 0) == 0) ++n;
      else ++bad;
    }
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    const double cpu = static_cast<double>(cpuTicks(edged) - ticks0) / static_cast<double>(sysconf(_SC_CLK_TCK));
    std::printf("| %s | %.0f | %.0f | %.1f |\n", k.name, static_cast<double>(n) / secs, 100 * cpu / secs,
                n > 0 ? 1e6 * cpu / static_cast<double>(n) : 0);
    if (bad > 0) {
      std::fprintf(stderr, "hostile_load: %s: %ld connections failed or got no %s\n", k.name, bad,
                   k.status_line);
      ok = false;
    }
    std::this_thread::sleep_for(Ms(500));
  }
  return ok;
}

// ------------------------------------------------------------------ main

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) fail("missing value after " + a);
      return argv[++i];
    };
    if (a == "--edged") o.edged = next();
    else if (a == "--origin") o.origin = next();
    else if (a == "--edged-cpu") o.edged_cpu = std::stoi(next());
    else if (a == "--client-cpu") o.client_cpu = std::stoi(next());
    else if (a == "--seconds") o.seconds = std::stod(next());
    else if (a == "--ceiling-mb") o.ceiling_mb = std::stol(next());
    else if (a == "--max-ratio") o.max_ratio = std::stod(next());
    else if (a == "--smoke") o.smoke = true;
    else if (a == "--only") o.only = next();
    else if (a == "--smuggle-rate") o.smuggle_rate = std::stoi(next());
    else if (a == "--rounds") o.rounds = std::stoi(next());
    else if (a == "--conn-cost") o.conn_cost = true;
    else fail("unknown argument " + a);
  }
  if (o.edged.empty() || o.origin.empty()) fail("--edged BIN and --origin BIN are required");
  if (o.smoke) {
    o.seconds = 0.5;
    o.rounds = 1;
  }
  if (o.rounds < 1) fail("--rounds must be at least 1");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);  // edged inherits it
  const long need_fds = opt.smoke ? 2000 : 12000;
  if (static_cast<long>(lim.rlim_max) < need_fds) {
    fail("RLIMIT_NOFILE hard limit " + std::to_string(lim.rlim_max) + " < " +
         std::to_string(need_fds) + " (ulimit -Hn)");
  }

  char tmpl[] = "/tmp/hostile_load.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) fail("mkdtemp failed");
  const std::string dir = tmpl;
  const pid_t origin = spawn({opt.origin, "--listen", "127.0.0.1:0", "--port-file", dir + "/origin.port"},
                             opt.client_cpu, dir + "/origin.log");
  const int origin_port = waitPort(dir + "/origin.port", origin);

  const std::string config = R"({
  "DistributionConfig": {
    "CallerReference": "hostile", "Comment": "", "Enabled": true,
    "Origins": {"Quantity": 1, "Items": [{"Id": "o1", "DomainName": "origin.test", "OriginPath": "",
      "CustomHeaders": {"Quantity": 0, "Items": []},
      "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "http-only",
                             "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
      "ConnectionAttempts": 3, "ConnectionTimeout": 10}]},
    "DefaultCacheBehavior": {"TargetOriginId": "o1", "ViewerProtocolPolicy": "allow-all",
      "AllowedMethods": {"Quantity": 7, "Items": ["GET","HEAD","OPTIONS","PUT","POST","PATCH","DELETE"],
        "CachedMethods": {"Quantity": 2, "Items": ["GET","HEAD"]}},
      "CachePolicyId": "cp"},
    "CacheBehaviors": {"Quantity": 0, "Items": []}
  },
  "CachePolicies": [{"Id": "cp", "CachePolicyConfig": {"Name": "cp", "MinTTL": 0, "DefaultTTL": 3600,
    "MaxTTL": 86400, "ParametersInCacheKeyAndForwardedToOrigin": {"EnableAcceptEncodingGzip": false,
      "HeadersConfig": {"HeaderBehavior": "none"}, "CookiesConfig": {"CookieBehavior": "none"},
      "QueryStringsConfig": {"QueryStringBehavior": "all"}}}}],
  "Edge": {"OriginAddressOverrides": {"origin.test": "127.0.0.1:)" +
                             std::to_string(origin_port) + R"("},
    "MaxConnectionsPerWorker": 12000, "HeaderTimeoutMs": 5000}
})";
  {
    std::ofstream f(dir + "/edged.json");
    f << config;
  }
  const pid_t edged = spawn({opt.edged, "serve", "--config", dir + "/edged.json", "--listen",
                             "127.0.0.1:0", "--workers", "1", "--ready-file", dir + "/ready"},
                            opt.edged_cpu, dir + "/edged.log");
  const int port = waitPort(dir + "/ready", edged);
  pin(opt.client_cpu);

  const std::string object = "/size/16384?hot";
  // Large but cached: a stored object must fit one cache shard (CacheMemoryBytes / 16 = 16 MiB).
  const std::string big = opt.smoke ? "/size/4194304?big" : "/size/12582912?big";
  Probe warm = probe(port, object, 0.2);
  Probe warm_big = probe(port, big, 0.1);
  if (warm.us.empty() || warm_big.us.empty()) fail("edged does not serve " + object + "; see " + dir);
  // Stops what the run started; the exit status, 1 also when edged died during the run. The
  // temporary directory goes unless something failed.
  auto finish = [&](int status) {
    int st = 0;
    if (waitpid(edged, &st, WNOHANG) == edged) {
      std::fprintf(stderr, "hostile_load: edged exited during the run (%s/edged.log)\n", dir.c_str());
      status = 1;
    }
    kill(-edged, SIGTERM);
    kill(-origin, SIGKILL);
    waitpid(edged, &st, 0);
    waitpid(origin, &st, 0);
    if (status == 0) {
      for (const char* f : {"origin.port", "origin.log", "edged.json", "edged.log", "ready"}) {
        unlink((dir + "/" + f).c_str());
      }
      rmdir(dir.c_str());
    } else {
      std::fprintf(stderr, "hostile_load: logs kept in %s\n", dir.c_str());
    }
    return status;
  };
  if (opt.conn_cost) return finish(connCost(port, edged, opt.seconds) ? 0 : 1);

  // One measured window: the well-behaved client for `secs`, with `attack` running (ramped up
  // first) or not. CPU and RSS figures cover the window only.
  struct Window {
    Probe probe;
    double secs = 0;
    long edged_ticks = 0;
    long client_busy = 0, client_total = 0;
    long attack_ops = 0;
    long peak_kb = 0;
    long ran = 0;
  };
  auto window = [&](const Attack* attack, double secs) {
    std::atomic<bool> stop{false};
    std::atomic<long> ran{0};
    std::atomic<long> peak{rssKb(edged)};
    std::thread sampler([&] {
      while (!stop) {
        raiseTo(peak, rssKb(edged));
        std::this_thread::sleep_for(Ms(20));
      }
    });
    std::thread attacker;
    if (attack != nullptr) {
      attacker = std::thread([&] { attack->run(port, stop, ran); });
      std::this_thread::sleep_for(Ms(opt.smoke ? 300 : 1000));  // the attack ramps up
      for (int i = 0; i < 500 && ran.load() < attack->ramp_ops; ++i) std::this_thread::sleep_for(Ms(20));
    }
    Window w;
    const long ticks0 = cpuTicks(edged);
    const auto client0 = cpuBusy(opt.client_cpu);
    const long ran0 = ran.load();
    const auto t0 = Clock::now();
    w.probe = probe(port, object, secs);
    w.secs = std::chrono::duration<double>(Clock::now() - t0).count();
    w.attack_ops = ran.load() - ran0;
    const auto client1 = cpuBusy(opt.client_cpu);
    w.edged_ticks = cpuTicks(edged) - ticks0;
    w.client_busy = client1.first - client0.first;
    w.client_total = client1.second - client0.second;
    raiseTo(peak, rssKb(edged));
    stop = true;
    if (attacker.joinable()) attacker.join();
    sampler.join();
    w.peak_kb = peak.load();
    w.ran = ran.load();
    if (attack != nullptr) std::this_thread::sleep_for(Ms(opt.smoke ? 200 : 1000));  // edged closes what is left
    return w;
  };

  struct Row {
    std::string name;
    Window sum;  // the windows of this row, probes' samples pooled; ran: the lowest of a window
    int rounds_added = 0;
    void add(Window&& w) {
      sum.probe.us.insert(sum.probe.us.end(), w.probe.us.begin(), w.probe.us.end());
      sum.probe.failures += w.probe.failures;
      sum.secs += w.secs;
      sum.edged_ticks += w.edged_ticks;
      sum.client_busy += w.client_busy;
      sum.client_total += w.client_total;
      sum.attack_ops += w.attack_ops;
      sum.peak_kb = std::max(sum.peak_kb, w.peak_kb);
      sum.ran = rounds_added == 0 ? w.ran : std::min(sum.ran, w.ran);  // the idlest round
      ++rounds_added;
    }
  };
  // Each attack runs in --rounds rounds of (unloaded window, attack window), seconds/rounds each,
  // and its p99 is compared with the p99 of its own unloaded windows: this VM's speed drifts by
  // up to 1.6x within a minute (unloaded p50 25 vs 40 µs), which a single unloaded phase at the
  // start turned into ratios of 0.7 or 2.2 that had nothing to do with the attacks.
  const std::vector<Attack> list = attacks(opt.smoke, big, opt.smuggle_rate);
  std::vector<std::pair<Row, Row>> rows;  // (interleaved unloaded windows, attack windows)
  Row all_unloaded{"unloaded (all windows)", {}};
  const double slice = opt.seconds / opt.rounds;
  for (const Attack& a : list) {
    if (!opt.only.empty() && opt.only != a.name) continue;
    Row base{"unloaded", {}}, hit{a.name, {}};
    for (int r = 0; r < opt.rounds; ++r) {
      Window u = window(nullptr, slice);
      all_unloaded.add(Window(u));
      base.add(std::move(u));
      hit.add(window(&a, slice));
    }
    rows.emplace_back(std::move(base), std::move(hit));
  }
  if (rows.empty()) fail("--only " + opt.only + ": no such attack");

  int status = 0;
  std::printf("edged on CPU %d, client and attackers on CPU %d, %d round(s) of %.1f s unloaded + "
              "%.1f s attacked per attack%s; smuggling corpus at %s connections/s\n",
              opt.edged_cpu, opt.client_cpu, opt.rounds, slice, slice, opt.smoke ? " (smoke)" : "",
              opt.smuggle_rate > 0 ? std::to_string(opt.smuggle_rate).c_str() : "unpaced");
  std::printf("| phase | requests | failed | p50 µs | p99 µs | unloaded p99 µs (same rounds) | p99 ratio "
              "| edged peak RSS MB | ceiling MB | edged CPU %% | client CPU busy %% | attack ops/s |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  auto print = [&](const Row& r, const Row* base) {
    const Window& w = r.sum;
    const double p99 = percentile(w.probe.us, 0.99);
    const double base99 = base != nullptr ? percentile(base->sum.probe.us, 0.99) : p99;
    const double ratio = base99 > 0 ? p99 / base99 : 0;
    const bool ratio_bad = base != nullptr && ratio >= opt.max_ratio;
    const bool rss_bad = w.peak_kb >= opt.ceiling_mb * 1024;
    const bool dead = w.probe.us.empty() || w.probe.failures > 0 || (base != nullptr && w.ran == 0);
    const double edged_cpu = w.secs > 0 ? 100.0 * static_cast<double>(w.edged_ticks) /
                                              static_cast<double>(sysconf(_SC_CLK_TCK)) / w.secs
                                        : 0;
    const double client_cpu = w.client_total > 0 ? 100.0 * static_cast<double>(w.client_busy) /
                                                       static_cast<double>(w.client_total)
                                                 : 0;
    std::printf("| %s | %zu | %d | %.0f | %.0f | %.0f | %.2f%s | %.1f%s | %ld | %.0f | %.0f | %.0f |\n",
                r.name.c_str(), w.probe.us.size(), w.probe.failures, percentile(w.probe.us, 0.5),
                p99, base99, ratio, ratio_bad ? " (!)" : "", static_cast<double>(w.peak_kb) / 1024.0,
                rss_bad ? " (!)" : "", opt.ceiling_mb, edged_cpu, client_cpu,
                w.secs > 0 ? static_cast<double>(w.attack_ops) / w.secs : 0);
    if (rss_bad || dead || (ratio_bad && !opt.smoke)) status = 1;
    if (dead) std::fprintf(stderr, "hostile_load: phase %s: %zu requests, %d failed, attack did %ld\n",
                           r.name.c_str(), w.probe.us.size(), w.probe.failures, w.ran);
  };
  print(all_unloaded, nullptr);
  for (const auto& [base, hit] : rows) print(hit, &base);
  return finish(status);
}
