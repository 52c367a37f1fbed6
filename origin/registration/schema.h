// The registration database's schema (SQLite, WAL). Shared by the store (registration_store.cc)
// and the certificate worker (certificate_worker.cc), each with its own connection.
#pragma once

namespace edge::registration {

// Applied with sqlite3_exec on every open (idempotent).
inline constexpr const char* kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS registrations (
  id              TEXT PRIMARY KEY,
  name            TEXT NOT NULL,
  email           TEXT NOT NULL,
  email_key       TEXT NOT NULL UNIQUE,        -- lowercased, trimmed: one registration per email
  affiliation     TEXT NOT NULL,
  session         TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('pending', 'issued')),
  created_at      INTEGER NOT NULL,            -- epoch seconds
  issued_at       INTEGER,                     -- epoch seconds, once issued
  certificate_key TEXT                         -- the bucket key, once issued
);
CREATE TABLE IF NOT EXISTS certificate_jobs (
  registration_id TEXT PRIMARY KEY REFERENCES registrations(id),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,            -- epoch milliseconds
  last_error      TEXT
);
-- The worker's pick (ORDER BY next_attempt_at, registration_id LIMIT 1) walks this index and
-- stops at the first row; an index on next_attempt_at alone left SQLite sorting the whole queue
-- for every job (10,000 queued jobs took 34 s to drain). The old index is dropped on open.
DROP INDEX IF EXISTS certificate_jobs_due;
CREATE INDEX IF NOT EXISTS certificate_jobs_due_order ON certificate_jobs(next_attempt_at, registration_id);
)sql";

// Applied on every connection before the schema.
inline constexpr const char* kConnectionPragmas =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
    "PRAGMA busy_timeout=5000;";

}  // namespace edge::registration
