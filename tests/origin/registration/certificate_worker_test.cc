// The certificate worker against an in-process fake S3 listener on 127.0.0.1 that records each
// PUT (and checks its SigV4 signature with policies/sigv4 verifyRequest) and answers with the
// statuses the test scripts.
#include "origin/registration/certificate_worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sqlite3.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "origin/registration/certificate_svg.h"
#include "origin/registration/s3_put_client.h"
#include "origin/registration/schema.h"
#include "policies/sigv4.h"

namespace edge::registration {
namespace {

namespace sigv4 = edge::policies::sigv4;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr const char* kAccessKey = "AKIDWORKERTEST";
constexpr const char* kSecret = "worker-test-secret/abc";

struct RecordedRequest {
  std::string method;
  std::string path;
  policies::HeaderList headers;
  std::string body;
  bool signature_ok = false;
  std::string signature_error;
  Clock::time_point at;
};

// A one-request-per-connection HTTP/1.1 listener. `statuses` are answered in order; the last one
// repeats. 200 carries an ETag; anything else an S3 error document with Code InternalError.
class FakeS3 {
 public:
  explicit FakeS3(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeS3() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  std::vector<RecordedRequest> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 20) <= 0) continue;
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) continue;
      timeval tv{2, 0};
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      handle(c);
      ::close(c);
    }
  }

  void handle(int c) {
    std::string data;
    char buf[8192];
    size_t head_end = std::string::npos;
    while ((head_end = data.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
    }
    RecordedRequest req;
    req.at = Clock::now();
    const std::string head = data.substr(0, head_end);
    size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    req.method = request_line.substr(0, request_line.find(' '));
    const size_t sp = request_line.find(' ');
    req.path = request_line.substr(sp + 1, request_line.rfind(' ') - sp - 1);
    size_t content_length = 0;
    while (line_end != std::string::npos && line_end < head.size()) {
      const size_t next = head.find("\r\n", line_end + 2);
      const std::string line = head.substr(line_end + 2, next == std::string::npos ? std::string::npos
                                                                                   : next - line_end - 2);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        req.headers.add(line.substr(0, colon), value);
        if (strcasecmp(line.substr(0, colon).c_str(), "content-length") == 0)
          content_length = std::stoul(value);
      }
      line_end = next;
    }
    req.body = data.substr(head_end + 4);
    while (req.body.size() < content_length) {
      const ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      req.body.append(buf, static_cast<size_t>(n));
    }

    policies::ViewerRequest vr;
    vr.method = policies::parseMethod(req.method);
    vr.method_name = req.method;
    vr.path = req.path;
    vr.headers = req.headers;
    const auto verified = sigv4::verifyRequest(
        vr,
        [](std::string_view id) -> std::optional<std::string> {
          if (id == kAccessKey) return std::string(kSecret);
          return std::nullopt;
        },
        std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count());
    if (verified) {
      req.signature_ok = verified->payload == sigv4::PayloadMode::Sha256 &&
                         verified->payload_sha256 == sigv4::sha256Hex(req.body);
      if (!req.signature_ok) req.signature_error = "payload hash";
    } else {
      req.signature_error = std::string(sigv4::toString(verified.error()));
    }

    int status = 0;
    {
      std::lock_guard lock(mu_);
      status = statuses_[std::min(requests_.size(), statuses_.size() - 1)];
      requests_.push_back(req);
    }
    std::string answer;
    if (status == 200) {
      answer = "HTTP/1.1 200 OK\r\nETag: \"fake-etag-" + std::to_string(requests().size()) +
               "\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    } else {
      const std::string body =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code>"
          "<Message>We encountered an internal error. Please try again.</Message></Error>";
      answer = "HTTP/1.1 " + std::to_string(status) + " Oops\r\nContent-Type: application/xml\r\n"
               "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    }
    ::send(c, answer.data(), answer.size(), MSG_NOSIGNAL);
  }

  std::vector<int> statuses_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<RecordedRequest> requests_;
};

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

template <typename Pred>
bool waitFor(Pred pred, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

// A temporary database with the schema, and a test connection to inspect it.
class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/certificate_worker_testXXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/registrations.db";
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db_), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
    exec(kConnectionPragmas);
    exec(kSchemaSql);
  }
  void TearDown() override {
    sqlite3_close(db_);
    std::filesystem::remove_all(dir_);
  }

  void exec(const std::string& sql) {
    char* err = nullptr;
    EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK)
        << sql << ": " << (err ? err : "");
    sqlite3_free(err);
  }
  // One column of one row as text ("<null>" / "<none>").
  std::string query(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    std::string out = "<none>";
    if (sqlite3_step(s) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(s, 0);
      out = t ? reinterpret_cast<const char*>(t) : "<null>";
    }
    sqlite3_finalize(s);
    return out;
  }
  void addRegistration(const std::string& id, const std::string& name, int64_t created_at,
                       int64_t due_ms = 0) {
    exec("BEGIN; INSERT INTO registrations (id, name, email, email_key, affiliation, session, "
         "status, created_at) VALUES ('" + id + "', '" + name + "', '" + id + "@example.com', '" + id +
         "@example.com', 'ACME', 'keynote', 'pending', " + std::to_string(created_at) +
         "); INSERT INTO certificate_jobs (registration_id, next_attempt_at) VALUES ('" + id + "', " +
         std::to_string(due_ms) + "); COMMIT;");
  }

  CertificateWorkerOptions options(const std::string& endpoint) {
    CertificateWorkerOptions o;
    o.database = path_;
    o.target.endpoint = endpoint;
    o.target.bucket = "site";
    o.target.access_key_id = kAccessKey;
    o.target.secret_access_key = kSecret;
    o.conference_name = "EdgeConf 2026";
    o.sessions = {{"keynote", "Opening keynote"}, {"edge", "Edge caching"}};
    o.first_backoff_ms = 100;
    o.max_backoff_ms = 400;
    o.idle_poll_ms = 50;
    return o;
  }

  std::string dir_;
  std::string path_;
  sqlite3* db_ = nullptr;
};

constexpr int64_t kCreatedAt = 1795964400;  // 2026-11-29T15:00:00Z

CertificateFields expectedFields(const std::string& id, const std::string& name) {
  return {id, name, "ACME", "EdgeConf 2026", "Opening keynote", "29 November 2026"};
}

TEST(ContentMd5, KnownVectors) {
  EXPECT_EQ(contentMd5Base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(contentMd5Base64("The quick brown fox jumps over the lazy dog"),
            "nhB9nTcrtoJr2B01QqQZ1g==");
}

TEST_F(WorkerTest, IssuesCertificateWithSignedPut) {
  FakeS3 s3({200});
  const std::string id = "r_aaaaaaaaaaaaaaaaaaaaaaaaaa";
  addRegistration(id, "Ada <Lovelace> & co", kCreatedAt);
  CertificateWorker worker(options(s3.endpoint()));
  ASSERT_TRUE(worker.start().has_value());
  ASSERT_TRUE(waitFor([&] { return worker.issuedCount() == 1; }, 5000ms));
  worker.stop();

  const auto reqs = s3.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const RecordedRequest& r = reqs[0];
  const std::string svg = renderCertificateSvg(expectedFields(id, "Ada <Lovelace> & co"));
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.path, "/site/certificates/" + id + ".svg");
  EXPECT_EQ(r.body, svg);
  EXPECT_NE(r.body.find("Ada &lt;Lovelace&gt; &amp; co"), std::string::npos);
  EXPECT_TRUE(r.signature_ok) << r.signature_error << "\n" << r.headers;
  EXPECT_EQ(r.headers.get("Host").value_or(""), s3.endpoint());
  EXPECT_EQ(r.headers.get("Content-Type").value_or(""), "image/svg+xml");
  EXPECT_EQ(r.headers.get("Cache-Control").value_or(""), "max-age=86400");
  EXPECT_EQ(r.headers.get("x-amz-content-sha256").value_or(""), sigv4::sha256Hex(svg));
  EXPECT_EQ(r.headers.get("Content-MD5").value_or(""), contentMd5Base64(svg));
  EXPECT_EQ(r.headers.get("Content-Length").value_or(""), std::to_string(svg.size()));
  EXPECT_FALSE(r.headers.has("Expect"));
  const std::string auth(r.headers.get("Authorization").value_or(""));
  EXPECT_EQ(auth.rfind(std::string("AWS4-HMAC-SHA256 Credential=") + kAccessKey + "/", 0), 0u) << auth;
  EXPECT_NE(auth.find("/us-east-1/s3/aws4_request"), std::string::npos) << auth;
  EXPECT_NE(auth.find("SignedHeaders=content-md5;content-type;host;x-amz-content-sha256;x-amz-date"),
            std::string::npos)
      << auth;

  EXPECT_EQ(query("SELECT status FROM registrations WHERE id = '" + id + "'"), "issued");
  EXPECT_EQ(query("SELECT certificate_key FROM registrations WHERE id = '" + id + "'"),
            "certificates/" + id + ".svg");
  const int64_t issued_at = std::stoll(query("SELECT issued_at FROM registrations WHERE id = '" + id + "'"));
  EXPECT_LE(std::abs(issued_at - nowMs() / 1000), 10);
  EXPECT_EQ(query("SELECT COUNT(*) FROM certificate_jobs"), "0");
  EXPECT_EQ(worker.failedAttempts(), 0u);
}

TEST_F(WorkerTest, FailedPutBacksOffKeepsJobThenSucceedsWithSameBytes) {
  FakeS3 s3({500, 200});
  const std::string id = "r_bbbbbbbbbbbbbbbbbbbbbbbbbb";
  addRegistration(id, "Grace Hopper", kCreatedAt);
  CertificateWorkerOptions o = options(s3.endpoint());
  o.first_backoff_ms = 1500;  // long enough to inspect the job between the two attempts
  o.max_backoff_ms = 60000;
  CertificateWorker worker(o);
  const int64_t before = nowMs();
  ASSERT_TRUE(worker.start().has_value());
  ASSERT_TRUE(waitFor([&] { return worker.failedAttempts() == 1; }, 5000ms));
  // The failure is recorded before the counter moves.
  EXPECT_EQ(query("SELECT attempts FROM certificate_jobs WHERE registration_id = '" + id + "'"), "1");
  const std::string error =
      query("SELECT last_error FROM certificate_jobs WHERE registration_id = '" + id + "'");
  EXPECT_NE(error.find("HTTP 500"), std::string::npos) << error;
  EXPECT_NE(error.find("InternalError"), std::string::npos) << error;
  EXPECT_NE(error.find("/site/certificates/" + id + ".svg"), std::string::npos) << error;
  const int64_t next =
      std::stoll(query("SELECT next_attempt_at FROM certificate_jobs WHERE registration_id = '" + id + "'"));
  EXPECT_GE(next, before + 1500);
  EXPECT_LE(next, nowMs() + 1500);
  EXPECT_EQ(query("SELECT status FROM registrations WHERE id = '" + id + "'"), "pending");
  EXPECT_EQ(worker.issuedCount(), 0u);

  ASSERT_TRUE(waitFor([&] { return worker.issuedCount() == 1; }, 5000ms));
  worker.stop();
  const auto reqs = s3.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].body, reqs[1].body);  // a retried PUT writes the same bytes
  EXPECT_EQ(reqs[0].path, reqs[1].path);
  EXPECT_GE(reqs[1].at - reqs[0].at, 1400ms);
  EXPECT_EQ(query("SELECT status FROM registrations WHERE id = '" + id + "'"), "issued");
  EXPECT_EQ(query("SELECT COUNT(*) FROM certificate_jobs"), "0");
  EXPECT_EQ(worker.failedAttempts(), 1u);
}

TEST_F(WorkerTest, BackoffDoublesUpToTheCap) {
  FakeS3 s3({503});
  addRegistration("r_cccccccccccccccccccccccccc", "Always Failing", kCreatedAt);
  CertificateWorker worker(options(s3.endpoint()));  // 100 ms doubling, capped at 400 ms
  ASSERT_TRUE(worker.start().has_value());
  ASSERT_TRUE(waitFor([&] { return s3.requests().size() >= 6; }, 8000ms));
  worker.stop();
  const auto reqs = s3.requests();
  const std::chrono::milliseconds expected[] = {100ms, 200ms, 400ms, 400ms, 400ms};
  for (size_t i = 0; i < 5; ++i) {
    const auto gap = std::chrono::duration_cast<std::chrono::milliseconds>(reqs[i + 1].at - reqs[i].at);
    EXPECT_GE(gap, expected[i] - 15ms) << "gap " << i;
    EXPECT_LT(gap, expected[i] + 300ms) << "gap " << i;
  }
  EXPECT_EQ(query("SELECT status FROM registrations"), "pending");
  EXPECT_GE(std::stoll(query("SELECT attempts FROM certificate_jobs")), 6);
}

TEST_F(WorkerTest, ConnectionRefusedIsAFailedAttempt) {
  uint16_t closed_port = 0;
  { FakeS3 gone({200}); closed_port = gone.port(); }
  addRegistration("r_dddddddddddddddddddddddddd", "Nobody Home", kCreatedAt);
  CertificateWorker worker(options("127.0.0.1:" + std::to_string(closed_port)));
  ASSERT_TRUE(worker.start().has_value());
  ASSERT_TRUE(waitFor([&] { return worker.failedAttempts() >= 1; }, 8000ms));
  worker.stop();
  const std::string error = query("SELECT last_error FROM certificate_jobs");
  EXPECT_NE(error.find("PUT /site/certificates/r_dddddddddddddddddddddddddd.svg: "), std::string::npos)
      << error;
  EXPECT_EQ(query("SELECT status FROM registrations"), "pending");
}

TEST_F(WorkerTest, JobsRunInDueOrderAndFutureJobsWait) {
  FakeS3 s3({200});
  addRegistration("r_later00000000000000000000", "Second", kCreatedAt, 2);
  addRegistration("r_first00000000000000000000", "First", kCreatedAt, 1);
  addRegistration("r_future0000000000000000000", "Future", kCreatedAt, nowMs() + 700);
  CertificateWorker worker(options(s3.endpoint()));
  ASSERT_TRUE(worker.start().has_value());
  ASSERT_TRUE(waitFor([&] { return worker.issuedCount() == 2; }, 5000ms));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(worker.issuedCount(), 2u);  // not due yet
  ASSERT_TRUE(waitFor([&] { return worker.issuedCount() == 3; }, 5000ms));
  worker.stop();
  const auto reqs = s3.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_NE(reqs[0].path.find("r_first"), std::string::npos);
  EXPECT_NE(reqs[1].path.find("r_later"), std::string::npos);
  EXPECT_NE(reqs[2].path.find("r_future"), std::string::npos);
}

TEST_F(WorkerTest, WakeBeatsTheIdlePollAndStopJoinsPromptly) {
  FakeS3 s3({200});
  CertificateWorkerOptions o = options(s3.endpoint());
  o.idle_poll_ms = 60000;
  CertificateWorker worker(o);
  ASSERT_TRUE(worker.start().has_value());
  std::this_thread::sleep_for(100ms);  // the worker is now waiting on an empty table
  addRegistration("r_eeeeeeeeeeeeeeeeeeeeeeeeee", "Woken", kCreatedAt);
  const auto t0 = Clock::now();
  worker.wake();
  ASSERT_TRUE(waitFor([&] { return worker.issuedCount() == 1; }, 3000ms));
  EXPECT_LT(Clock::now() - t0, 2000ms);

  const auto t1 = Clock::now();
  worker.stop();
  EXPECT_LT(Clock::now() - t1, 500ms);
  worker.stop();  // idempotent
}

TEST_F(WorkerTest, StopBetweenBackoffsDoesNotWaitForTheNextAttempt) {
  FakeS3 s3({500});
  addRegistration("r_ffffffffffffffffffffffffff", "Stopping", kCreatedAt);
  CertificateWorkerOptions o = options(s3.endpoint());
  o.first_backoff_ms = 30000;
  o.max_backoff_ms = 60000;
  o.idle_poll_ms = 30000;
  CertificateWorker worker(o);
  ASSERT_TRUE(worker.start().has_value());
  ASSERT_TRUE(waitFor([&] { return worker.failedAttempts() == 1; }, 5000ms));
  const auto t0 = Clock::now();
  worker.stop();
  EXPECT_LT(Clock::now() - t0, 500ms);
  EXPECT_EQ(s3.requests().size(), 1u);
}

TEST_F(WorkerTest, JobWithoutRegistrationIsDeleted) {
  FakeS3 s3({200});
  exec("PRAGMA foreign_keys=OFF; INSERT INTO certificate_jobs (registration_id, next_attempt_at) "
       "VALUES ('r_orphan', 0); PRAGMA foreign_keys=ON;");
  CertificateWorker worker(options(s3.endpoint()));
  ASSERT_TRUE(worker.start().has_value());
  ASSERT_TRUE(waitFor([&] { return query("SELECT COUNT(*) FROM certificate_jobs") == "0"; }, 5000ms));
  worker.stop();
  EXPECT_TRUE(s3.requests().empty());
  EXPECT_EQ(worker.issuedCount(), 0u);
}

TEST_F(WorkerTest, UnopenableDatabaseIsAStartError) {
  CertificateWorkerOptions o = options("127.0.0.1:1");
  o.database = dir_ + "/no/such/dir/registrations.db";
  CertificateWorker worker(o);
  const auto started = worker.start();
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().find(o.database), std::string::npos) << started.error();
}

TEST_F(WorkerTest, JobsLeftByAnEarlierProcessAreDueAtStart) {
  FakeS3 s3({200});
  for (int i = 0; i < 5; ++i)
    addRegistration("r_left" + std::string(21, static_cast<char>('a' + i)), "Left " + std::to_string(i),
                    kCreatedAt + i);
  {
    CertificateWorker first(options("127.0.0.1:1"));  // never started: nothing happens
  }
  CertificateWorker worker(options(s3.endpoint()));
  ASSERT_TRUE(worker.start().has_value());
  ASSERT_TRUE(waitFor([&] { return worker.issuedCount() == 5; }, 5000ms));
  worker.stop();
  EXPECT_EQ(query("SELECT COUNT(*) FROM registrations WHERE status = 'issued'"), "5");
  EXPECT_EQ(s3.requests().size(), 5u);
}

}  // namespace
}  // namespace edge::registration
