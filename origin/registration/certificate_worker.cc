#include "origin/registration/certificate_worker.h"

#include <curl/curl.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>

#include "origin/registration/certificate_svg.h"
#include "origin/registration/s3_put_client.h"
#include "origin/registration/schema.h"

namespace edge::registration {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void logLine(const std::string& text) {
  const std::string line = "edged-registration: " + text + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

// "29 November 2026" (UTC) for epoch seconds.
std::string certificateDate(int64_t epoch_seconds) {
  static constexpr const char* kMonths[12] = {"January", "February", "March",     "April",
                                              "May",     "June",     "July",      "August",
                                              "September", "October", "November", "December"};
  const std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "";
  return std::to_string(tm.tm_mday) + " " + kMonths[tm.tm_mon] + " " + std::to_string(tm.tm_year + 1900);
}

std::string columnText(sqlite3_stmt* s, int col) {
  const unsigned char* p = sqlite3_column_text(s, col);
  return p == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(p),
                                                   static_cast<size_t>(sqlite3_column_bytes(s, col)));
}

// The back-off after the `attempts`-th failure (1-based): first, doubling, capped.
int64_t backoffMs(int64_t first, int64_t cap, int64_t attempts) {
  int64_t delay = std::max<int64_t>(first, 1);
  for (int64_t i = 1; i < attempts && delay < cap; ++i) delay *= 2;
  return std::min(delay, cap);
}

// One job, joined with its registration (`has_registration` false when the row is missing).
struct Job {
  std::string registration_id;
  int64_t attempts = 0;
  int64_t next_attempt_at = 0;
  bool has_registration = false;
  std::string name;
  std::string affiliation;
  std::string session;
  int64_t created_at = 0;
};

}  // namespace

struct CertificateWorker::State {
  explicit State(CertificateWorkerOptions o) : options(std::move(o)) {}

  CertificateWorkerOptions options;
  DbPtr db;  // owned by the worker thread once it runs
  std::thread thread;

  std::mutex mu;
  std::condition_variable cv;
  bool stopping = false;  // guarded by mu
  bool woken = false;     // guarded by mu

  std::atomic<uint64_t> issued{0};
  std::atomic<uint64_t> failed{0};

  void run();
  StmtPtr prepare(const char* sql);
  tl::expected<std::optional<Job>, std::string> earliestJob();
  void process(const Job& job);
  bool exec(const char* sql);
  bool markIssued(const Job& job, const std::string& key, int64_t issued_at);
  void recordFailure(const Job& job, const std::string& error);
  void deleteOrphan(const Job& job);
};

StmtPtr CertificateWorker::State::prepare(const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db.get(), sql, -1, &s, nullptr) != SQLITE_OK) {
    logLine(std::string("certificate worker: SQL error: ") + sqlite3_errmsg(db.get()));
    sqlite3_finalize(s);
    return nullptr;
  }
  return StmtPtr(s);
}

bool CertificateWorker::State::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db.get(), sql, nullptr, nullptr, &err) == SQLITE_OK) return true;
  logLine(std::string("certificate worker: ") + sql + ": " + (err != nullptr ? err : "error"));
  sqlite3_free(err);
  return false;
}

tl::expected<std::optional<Job>, std::string> CertificateWorker::State::earliestJob() {
  StmtPtr s = prepare(
      "SELECT j.registration_id, j.attempts, j.next_attempt_at, r.id, r.name, r.affiliation, "
      "r.session, r.created_at FROM certificate_jobs j "
      "LEFT JOIN registrations r ON r.id = j.registration_id "
      "ORDER BY j.next_attempt_at, j.registration_id LIMIT 1");
  if (!s) return tl::unexpected(std::string(sqlite3_errmsg(db.get())));
  const int rc = sqlite3_step(s.get());
  if (rc == SQLITE_DONE) return std::optional<Job>();
  if (rc != SQLITE_ROW) return tl::unexpected(std::string(sqlite3_errmsg(db.get())));
  Job job;
  job.registration_id = columnText(s.get(), 0);
  job.attempts = sqlite3_column_int64(s.get(), 1);
  job.next_attempt_at = sqlite3_column_int64(s.get(), 2);
  job.has_registration = sqlite3_column_type(s.get(), 3) != SQLITE_NULL;
  job.name = columnText(s.get(), 4);
  job.affiliation = columnText(s.get(), 5);
  job.session = columnText(s.get(), 6);
  job.created_at = sqlite3_column_int64(s.get(), 7);
  return std::optional<Job>(std::move(job));
}

bool CertificateWorker::State::markIssued(const Job& job, const std::string& key, int64_t issued_at) {
  if (!exec("BEGIN IMMEDIATE")) return false;
  StmtPtr up = prepare(
      "UPDATE registrations SET status = 'issued', issued_at = ?1, certificate_key = ?2 "
      "WHERE id = ?3");
  StmtPtr del = prepare("DELETE FROM certificate_jobs WHERE registration_id = ?1");
  bool ok = up && del;
  if (ok) {
    sqlite3_bind_int64(up.get(), 1, issued_at);
    sqlite3_bind_text(up.get(), 2, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(up.get(), 3, job.registration_id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(del.get(), 1, job.registration_id.c_str(), -1, SQLITE_TRANSIENT);
    ok = sqlite3_step(up.get()) == SQLITE_DONE && sqlite3_step(del.get()) == SQLITE_DONE;
  }
  if (!ok) logLine("certificate worker: marking " + job.registration_id + " issued: " +
                   sqlite3_errmsg(db.get()));
  up.reset();
  del.reset();
  if (ok && exec("COMMIT")) return true;
  exec("ROLLBACK");
  return false;
}

void CertificateWorker::State::recordFailure(const Job& job, const std::string& error) {
  const int64_t attempts = job.attempts + 1;
  const int64_t delay = backoffMs(options.first_backoff_ms, options.max_backoff_ms, attempts);
  StmtPtr s = prepare(
      "UPDATE certificate_jobs SET attempts = ?1, last_error = ?2, next_attempt_at = ?3 "
      "WHERE registration_id = ?4");
  if (s) {
    sqlite3_bind_int64(s.get(), 1, attempts);
    sqlite3_bind_text(s.get(), 2, error.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s.get(), 3, nowMs() + delay);
    sqlite3_bind_text(s.get(), 4, job.registration_id.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s.get()) != SQLITE_DONE)
      logLine("certificate worker: recording the failure of " + job.registration_id + ": " +
              sqlite3_errmsg(db.get()));
  }
  failed.fetch_add(1, std::memory_order_relaxed);
  logLine("certificate for " + job.registration_id + " failed (attempt " + std::to_string(attempts) +
          ", next in " + std::to_string(delay) + " ms): " + error);
}

void CertificateWorker::State::deleteOrphan(const Job& job) {
  StmtPtr s = prepare("DELETE FROM certificate_jobs WHERE registration_id = ?1");
  if (!s) return;
  sqlite3_bind_text(s.get(), 1, job.registration_id.c_str(), -1, SQLITE_TRANSIENT);
  const bool ok = sqlite3_step(s.get()) == SQLITE_DONE;
  logLine("certificate job for " + job.registration_id + " has no registration: " +
          (ok ? "deleted" : std::string("cannot delete: ") + sqlite3_errmsg(db.get())));
}

void CertificateWorker::State::process(const Job& job) {
  if (!job.has_registration) {
    deleteOrphan(job);
    return;
  }
  CertificateFields fields;
  fields.registration_id = job.registration_id;
  fields.name = job.name;
  fields.affiliation = job.affiliation;
  fields.conference = options.conference_name;
  fields.session_title = job.session;
  for (const auto& session : options.sessions)
    if (session.id == job.session) fields.session_title = session.title;
  fields.date = certificateDate(job.created_at);
  const std::string svg = renderCertificateSvg(fields);

  const CertificateTarget& t = options.target;
  S3PutTarget target{t.endpoint, t.bucket, t.region, t.access_key_id, t.secret_access_key};
  S3PutObject object;
  object.key = t.objectKey(job.registration_id);
  object.body = svg;
  object.content_type = "image/svg+xml";
  object.cache_control = "max-age=86400";
  const int64_t now = nowMs();
  auto put = putObject(target, object, now / 1000);
  if (!put) {
    recordFailure(job, put.error());
    return;
  }
  if (!markIssued(job, object.key, nowMs() / 1000)) {
    recordFailure(job, "the object is stored but the registration could not be marked issued");
    return;
  }
  issued.fetch_add(1, std::memory_order_relaxed);
  logLine("certificate issued for " + job.registration_id + ": " + t.bucket + "/" + object.key +
          " (" + std::to_string(svg.size()) + " bytes, ETag " + put.value() + ", attempt " +
          std::to_string(job.attempts + 1) + ")");
}

void CertificateWorker::State::run() {
  for (;;) {
    {
      std::lock_guard lock(mu);
      if (stopping) return;
      woken = false;
    }
    int64_t wait_ms = options.idle_poll_ms;
    auto job = earliestJob();
    if (!job) {
      logLine("certificate worker: reading the jobs: " + job.error());
    } else if (job->has_value()) {
      const int64_t due_in = (*job)->next_attempt_at - nowMs();
      if (due_in <= 0) {
        process(**job);
        continue;
      }
      wait_ms = std::min(wait_ms, due_in);
    }
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::milliseconds(std::max<int64_t>(wait_ms, 1)),
                [this] { return stopping || woken; });
  }
}

CertificateWorker::CertificateWorker(CertificateWorkerOptions options)
    : state_(std::make_unique<State>(std::move(options))) {}

CertificateWorker::~CertificateWorker() { stop(); }

tl::expected<void, std::string> CertificateWorker::start() {
  if (state_->thread.joinable()) return {};
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(state_->options.database.c_str(), &raw,
                                 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK)
    return tl::unexpected(state_->options.database + ": " +
                          (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  // Before the pragmas: switching to WAL may meet the API's connection holding a lock.
  sqlite3_busy_timeout(db.get(), 5000);
  for (const char* sql : {kConnectionPragmas, kSchemaSql}) {
    char* err = nullptr;
    if (sqlite3_exec(db.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string message = state_->options.database + ": " + (err != nullptr ? err : "error");
      sqlite3_free(err);
      return tl::unexpected(message);
    }
  }
  state_->db = std::move(db);
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = false;
  }
  State* state = state_.get();
  state_->thread = std::thread([state] { state->run(); });
  return {};
}

void CertificateWorker::wake() {
  {
    std::lock_guard lock(state_->mu);
    state_->woken = true;
  }
  state_->cv.notify_one();
}

void CertificateWorker::stop() {
  {
    std::lock_guard lock(state_->mu);
    state_->stopping = true;
  }
  state_->cv.notify_one();
  if (state_->thread.joinable()) state_->thread.join();
  state_->db.reset();
}

uint64_t CertificateWorker::issuedCount() const { return state_->issued.load(); }
uint64_t CertificateWorker::failedAttempts() const { return state_->failed.load(); }

}  // namespace edge::registration
