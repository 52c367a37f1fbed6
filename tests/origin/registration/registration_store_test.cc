#include "origin/registration/registration_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <set>

namespace edge::registration {
namespace {

class RegistrationStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/regstore-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/r.db";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static Registration make(const std::string& email, int64_t created = 1796050800) {
    return Registration{newRegistrationId(), "Ann", email, "ACM", "keynote", "pending", created, {}, {}};
  }
  static int64_t count(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK);
    EXPECT_EQ(sqlite3_step(s), SQLITE_ROW);
    const int64_t n = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return n;
  }

  std::string dir_, path_;
};

TEST(RegistrationIds, ShapeAndUniqueness) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = newRegistrationId();
    ASSERT_TRUE(isRegistrationId(id)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_FALSE(isRegistrationId("r_short"));
  EXPECT_FALSE(isRegistrationId("r_AAAAAAAAAAAAAAAAAAAAAAAAAA"));
  EXPECT_FALSE(isRegistrationId("x_aaaaaaaaaaaaaaaaaaaaaaaaaa"));
  EXPECT_FALSE(isRegistrationId("r_aaaaaaaaaaaaaaaaaaaaaaaaa1"));
  EXPECT_EQ(emailKey("  Ann@Example.ORG\t"), "ann@example.org");
}

TEST_F(RegistrationStoreTest, CreateThenFind) {
  auto store = RegistrationStore::open(path_);
  ASSERT_TRUE(store) << store.error();
  const Registration r = make("Ann@Example.org");
  auto c = (*store)->create(r, 1796050800123);
  ASSERT_TRUE(c) << c.error();
  EXPECT_EQ(*c, CreateOutcome::Created);
  auto byId = (*store)->findById(r.id);
  ASSERT_TRUE(byId);
  ASSERT_TRUE(*byId);
  EXPECT_EQ(**byId, r);
  auto byEmail = (*store)->findByEmail(" ann@example.ORG ");
  ASSERT_TRUE(byEmail);
  ASSERT_EQ(byEmail->size(), 1u);
  EXPECT_EQ(byEmail->front(), r);
  auto none = (*store)->findById(newRegistrationId());
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto noneByEmail = (*store)->findByEmail("nobody@example.org");
  ASSERT_TRUE(noneByEmail);
  EXPECT_TRUE(noneByEmail->empty());
}

TEST_F(RegistrationStoreTest, JobRowInsertedWithRegistration) {
  auto store = RegistrationStore::open(path_);
  ASSERT_TRUE(store);
  const Registration r = make("a@b.c");
  ASSERT_EQ((*store)->create(r, 1234567), CreateOutcome::Created);
  sqlite3* db = (*store)->raw();
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM certificate_jobs WHERE registration_id = '" + r.id +
                          "' AND next_attempt_at = 1234567 AND attempts = 0"),
            1);
}

TEST_F(RegistrationStoreTest, DuplicateEmailIsCaseInsensitiveAndTrimmedAndWritesNothing) {
  auto store = RegistrationStore::open(path_);
  ASSERT_TRUE(store);
  ASSERT_EQ((*store)->create(make("ann@example.org"), 1), CreateOutcome::Created);
  auto dup = (*store)->create(make("  ANN@Example.org "), 2);
  ASSERT_TRUE(dup) << dup.error();
  EXPECT_EQ(*dup, CreateOutcome::DuplicateEmail);
  sqlite3* db = (*store)->raw();
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM registrations"), 1);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM certificate_jobs"), 1);
  // The connection is usable (the failed transaction was rolled back).
  EXPECT_EQ((*store)->create(make("other@example.org"), 3), CreateOutcome::Created);
}

TEST_F(RegistrationStoreTest, JobInsertFailureRollsBackTheRegistration) {
  auto store = RegistrationStore::open(path_);
  ASSERT_TRUE(store);
  const Registration r = make("a@b.c");
  // A job row that already exists for this id makes the second insert of the transaction fail.
  sqlite3* db = (*store)->raw();
  ASSERT_EQ(sqlite3_exec(db, "PRAGMA foreign_keys=OFF", nullptr, nullptr, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, ("INSERT INTO certificate_jobs (registration_id, next_attempt_at) VALUES ('" + r.id +
                              "', 0)").c_str(),
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  auto c = (*store)->create(r, 5);
  EXPECT_FALSE(c);
  EXPECT_EQ(count(db, "SELECT COUNT(*) FROM registrations"), 0);
}

TEST_F(RegistrationStoreTest, ReopenKeepsDataAndWalIsOn) {
  Registration r = make("keep@example.org");
  {
    auto store = RegistrationStore::open(path_);
    ASSERT_TRUE(store);
    ASSERT_EQ((*store)->create(r, 1), CreateOutcome::Created);
  }
  auto store = RegistrationStore::open(path_);
  ASSERT_TRUE(store);
  auto found = (*store)->findById(r.id);
  ASSERT_TRUE(found && *found);
  EXPECT_EQ(**found, r);
  // WAL is a property of the file: a fresh connection without pragmas sees it.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "wal");
  sqlite3_finalize(s);
  sqlite3_close(db);
  EXPECT_EQ(count((*store)->raw(), "PRAGMA synchronous"), 2);  // FULL
}

TEST_F(RegistrationStoreTest, OpenFailureNamesThePath) {
  auto store = RegistrationStore::open(dir_ + "/missing-dir/r.db");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().find(dir_ + "/missing-dir/r.db"), std::string::npos) << store.error();
}

}  // namespace
}  // namespace edge::registration
