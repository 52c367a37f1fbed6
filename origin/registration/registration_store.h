// The API's synchronous registration store (README.md, "Storage"): one SQLite connection (WAL,
// synchronous=FULL) with prepared statements. A registration and its certificate job are
// inserted in one transaction, so a committed registration always has its job.
//
// Thread: not thread-safe; the service calls it from libuv's thread pool under its own mutex.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace edge::registration {

struct Registration {
  std::string id;  // "r_" + 26 lowercase base32 characters
  std::string name;
  std::string email;  // as entered (trimmed)
  std::string affiliation;
  std::string session;        // a Session id
  std::string status = "pending";  // "pending" | "issued"
  int64_t created_at = 0;     // epoch seconds
  std::optional<int64_t> issued_at;
  std::optional<std::string> certificate_key;

  bool issued() const { return status == "issued"; }
  bool operator==(const Registration&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Registration& r);

// The uniqueness key of an email: ASCII-lowercased, surrounding whitespace removed.
std::string emailKey(std::string_view email);

// A fresh id: "r_" + 26 characters of [a-z2-7] from 130 random bits (OpenSSL RAND_bytes).
std::string newRegistrationId();
// Whether `id` has that shape (so malformed ids are 404s without a query).
bool isRegistrationId(std::string_view id);

enum class CreateOutcome : uint8_t {
  Created,         // registration and job committed
  DuplicateEmail,  // another registration has the same emailKey(); nothing written
};

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using SqlitePtr = std::unique_ptr<sqlite3, SqliteCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

class RegistrationStore;
using RegistrationStorePtr = std::unique_ptr<RegistrationStore>;

class RegistrationStore {
 public:
  // Opens (creating) the database, applies kConnectionPragmas and kSchemaSql, prepares the
  // statements. Error text names the path and SQLite's message.
  static tl::expected<RegistrationStorePtr, std::string> open(const std::string& path);

  // Inserts `r` (its id, fields, status and created_at as given) and its certificate_jobs row
  // (next_attempt_at = now_ms) in one BEGIN IMMEDIATE … COMMIT.
  tl::expected<CreateOutcome, std::string> create(const Registration& r, int64_t now_ms);
  tl::expected<std::optional<Registration>, std::string> findById(const std::string& id);
  // By emailKey(email), newest first.
  tl::expected<std::vector<Registration>, std::string> findByEmail(const std::string& email);

  sqlite3* raw() { return db_.get(); }  // for tests

 private:
  RegistrationStore() = default;
  tl::unexpected<std::string> fail(std::string_view what) const;
  tl::expected<void, std::string> exec(const char* sql);

  std::string path_;
  SqlitePtr db_;
  StmtPtr begin_, commit_, rollback_, insert_registration_, insert_job_, by_id_, by_email_;
};

}  // namespace edge::registration
