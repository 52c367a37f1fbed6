// The certificate worker (README.md, "Certificate worker"): one thread with its own SQLite
// connection that turns certificate jobs into SVG objects in the bucket, then marks the
// registration issued. Durable: a job leaves the table only in the transaction that marks its
// registration issued, so a process killed at any moment resumes the job at the next start and
// the retried PUT writes the same bytes to the same key.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "origin/registration/registration_config.h"

namespace edge::registration {

struct CertificateWorkerOptions {
  std::string database;  // the same file the API's store uses
  CertificateTarget target;
  std::string conference_name;
  std::vector<Session> sessions;  // for the session title on the certificate
  int64_t max_backoff_ms = 60000;
  int64_t first_backoff_ms = 1000;
  int64_t idle_poll_ms = 1000;  // checks for due jobs at least this often without a wake()
};

class CertificateWorker {
 public:
  explicit CertificateWorker(CertificateWorkerOptions options);
  ~CertificateWorker();  // stop()s
  CertificateWorker(const CertificateWorker&) = delete;
  CertificateWorker& operator=(const CertificateWorker&) = delete;

  // Opens its connection and starts the thread. Error: the database cannot be opened.
  tl::expected<void, std::string> start();
  // A job was committed: look now rather than at the next poll. Any thread.
  void wake();
  // Finishes the job in hand (bounded by the PUT's timeouts) and joins the thread.
  void stop();

  // Counters for tests and logs (any thread).
  uint64_t issuedCount() const;
  uint64_t failedAttempts() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace edge::registration
