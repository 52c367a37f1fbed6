#include "origin/registration/registration_store.h"

#include <openssl/rand.h>

#include "origin/registration/schema.h"

namespace edge::registration {

namespace {

constexpr const char* kAlphabet = "abcdefghijklmnopqrstuvwxyz234567";
constexpr size_t kIdChars = 26;

constexpr const char* kColumns =
    "id, name, email, affiliation, session, status, created_at, issued_at, certificate_key";

std::string columnText(sqlite3_stmt* s, int i) {
  const unsigned char* t = sqlite3_column_text(s, i);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(s, i)))
           : std::string();
}

Registration readRow(sqlite3_stmt* s) {
  Registration r;
  r.id = columnText(s, 0);
  r.name = columnText(s, 1);
  r.email = columnText(s, 2);
  r.affiliation = columnText(s, 3);
  r.session = columnText(s, 4);
  r.status = columnText(s, 5);
  r.created_at = sqlite3_column_int64(s, 6);
  if (sqlite3_column_type(s, 7) != SQLITE_NULL) r.issued_at = sqlite3_column_int64(s, 7);
  if (sqlite3_column_type(s, 8) != SQLITE_NULL) r.certificate_key = columnText(s, 8);
  return r;
}

void bindText(sqlite3_stmt* s, int i, const std::string& v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}

// Resets a statement when the scope ends, whatever happened (so no statement keeps a read
// transaction open between calls).
struct ResetOnExit {
  sqlite3_stmt* s;
  ~ResetOnExit() {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  }
};

}  // namespace

std::ostream& operator<<(std::ostream& os, const Registration& r) {
  return os << "Registration{" << r.id << ", " << r.name << ", " << r.email << ", " << r.affiliation << ", "
            << r.session << ", " << r.status << ", created " << r.created_at << "}";
}

std::string emailKey(std::string_view email) {
  const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!email.empty() && ws(email.front())) email.remove_prefix(1);
  while (!email.empty() && ws(email.back())) email.remove_suffix(1);
  std::string out(email);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string newRegistrationId() {
  unsigned char bytes[17];
  if (RAND_bytes(bytes, sizeof bytes) != 1) std::abort();  // no randomness: nothing safe to do
  std::string id = "r_";
  // 26 groups of 5 bits, most significant first.
  for (size_t i = 0; i < kIdChars; ++i) {
    const size_t bit = i * 5;
    const unsigned hi = bytes[bit / 8];
    const unsigned lo = bit / 8 + 1 < sizeof bytes ? bytes[bit / 8 + 1] : 0;
    const unsigned window = (hi << 8) | lo;
    id += kAlphabet[(window >> (11 - bit % 8)) & 31];
  }
  return id;
}

bool isRegistrationId(std::string_view id) {
  if (id.size() != 2 + kIdChars || id.substr(0, 2) != "r_") return false;
  for (char c : id.substr(2))
    if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7'))) return false;
  return true;
}

tl::unexpected<std::string> RegistrationStore::fail(std::string_view what) const {
  return tl::make_unexpected(path_ + ": " + std::string(what) + ": " + sqlite3_errmsg(db_.get()));
}

tl::expected<void, std::string> RegistrationStore::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_.get(), sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = path_ + ": " + (err ? err : "sqlite3_exec failed");
    sqlite3_free(err);
    return tl::make_unexpected(msg);
  }
  return {};
}

tl::expected<RegistrationStorePtr, std::string> RegistrationStore::open(const std::string& path) {
  RegistrationStorePtr store(new RegistrationStore());
  store->path_ = path;
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  store->db_.reset(raw);
  if (rc != SQLITE_OK) {
    return tl::make_unexpected(path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(raw, 5000);  // before the pragmas: the worker may hold a lock
  if (auto r = store->exec(kConnectionPragmas); !r) return tl::make_unexpected(r.error());
  if (auto r = store->exec(kSchemaSql); !r) return tl::make_unexpected(r.error());

  const auto prepare = [&](StmtPtr& out, const std::string& sql) -> bool {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v3(raw, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) return false;
    out.reset(s);
    return true;
  };
  const std::string cols = kColumns;
  if (!prepare(store->begin_, "BEGIN IMMEDIATE") || !prepare(store->commit_, "COMMIT") ||
      !prepare(store->rollback_, "ROLLBACK") ||
      !prepare(store->insert_registration_,
               "INSERT INTO registrations (id, name, email, email_key, affiliation, session, status, created_at, "
               "issued_at, certificate_key) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)") ||
      !prepare(store->insert_job_,
               "INSERT INTO certificate_jobs (registration_id, attempts, next_attempt_at) VALUES (?1, 0, ?2)") ||
      !prepare(store->by_id_, "SELECT " + cols + " FROM registrations WHERE id = ?1") ||
      !prepare(store->by_email_,
               "SELECT " + cols + " FROM registrations WHERE email_key = ?1 ORDER BY created_at DESC, rowid DESC")) {
    return store->fail("prepare");
  }
  return store;
}

tl::expected<CreateOutcome, std::string> RegistrationStore::create(const Registration& r, int64_t now_ms) {
  {
    ResetOnExit reset{begin_.get()};
    if (sqlite3_step(begin_.get()) != SQLITE_DONE) return fail("BEGIN IMMEDIATE");
  }
  const auto rollback = [&] {
    ResetOnExit reset{rollback_.get()};
    sqlite3_step(rollback_.get());
  };
  {
    sqlite3_stmt* s = insert_registration_.get();
    ResetOnExit reset{s};
    bindText(s, 1, r.id);
    bindText(s, 2, r.name);
    bindText(s, 3, r.email);
    bindText(s, 4, emailKey(r.email));
    bindText(s, 5, r.affiliation);
    bindText(s, 6, r.session);
    bindText(s, 7, r.status);
    sqlite3_bind_int64(s, 8, r.created_at);
    if (r.issued_at) sqlite3_bind_int64(s, 9, *r.issued_at);
    else sqlite3_bind_null(s, 9);
    if (r.certificate_key) bindText(s, 10, *r.certificate_key);
    else sqlite3_bind_null(s, 10);
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) {
      const int ext = sqlite3_extended_errcode(db_.get());
      auto err = fail("insert registration");
      rollback();
      // email_key is the only UNIQUE column a caller can collide on (ids are 130 random bits).
      if (ext == SQLITE_CONSTRAINT_UNIQUE && err.value().find("email_key") != std::string::npos) {
        return CreateOutcome::DuplicateEmail;
      }
      return err;
    }
  }
  {
    sqlite3_stmt* s = insert_job_.get();
    ResetOnExit reset{s};
    bindText(s, 1, r.id);
    sqlite3_bind_int64(s, 2, now_ms);
    if (sqlite3_step(s) != SQLITE_DONE) {
      auto err = fail("insert certificate job");
      rollback();
      return err;
    }
  }
  ResetOnExit reset{commit_.get()};
  if (sqlite3_step(commit_.get()) != SQLITE_DONE) {
    auto err = fail("COMMIT");
    rollback();
    return err;
  }
  return CreateOutcome::Created;
}

tl::expected<std::optional<Registration>, std::string> RegistrationStore::findById(const std::string& id) {
  sqlite3_stmt* s = by_id_.get();
  ResetOnExit reset{s};
  bindText(s, 1, id);
  const int rc = sqlite3_step(s);
  if (rc == SQLITE_DONE) return std::optional<Registration>();
  if (rc != SQLITE_ROW) return fail("select by id");
  return std::optional<Registration>(readRow(s));
}

tl::expected<std::vector<Registration>, std::string> RegistrationStore::findByEmail(const std::string& email) {
  sqlite3_stmt* s = by_email_.get();
  ResetOnExit reset{s};
  bindText(s, 1, emailKey(email));
  std::vector<Registration> out;
  for (;;) {
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return fail("select by email");
    out.push_back(readRow(s));
  }
}

}  // namespace edge::registration
