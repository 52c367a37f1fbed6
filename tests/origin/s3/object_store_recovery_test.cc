// What open() does with what a crash or damage leaves on disk: temp files, orphan data files,
// unfinished buckets and uploads, two null versions of a key, and metadata that does not parse.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "origin/s3/object_store.h"
#include "origin/s3/store_format.h"
#include "tests/origin/s3/store_test_util.h"

namespace edge::s3 {
namespace {

namespace fs = std::filesystem;
using testing::get;
using testing::openStore;
using testing::persistObject;
using testing::put;
using testing::TempDir;

void writeFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::vector<std::string> namesIn(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

class RecoveryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = openStore(dir_.path());
    ASSERT_TRUE(s);
    ASSERT_TRUE(s->createBucket("site"));
    auto v = put(*s, "site", "index.html", "hello");
    ASSERT_TRUE(v);
    kept_ = *v;
  }
  std::string bucketDir() const { return dir_.path() + "/buckets/site"; }
  std::string objectsDir() const { return bucketDir() + "/objects"; }

  TempDir dir_;
  ObjectVersion kept_;
};

TEST_F(RecoveryTest, LeftoversAreRemovedAndObjectsKept) {
  writeFile(bucketDir() + "/tmp/u-0123456789ab", "half an upload");
  writeFile(objectsDir() + "/.00000000000000ff.meta.tmp-abcdef", "{\"format\":1,");
  writeFile(objectsDir() + "/00000000000000fe.data", "orphan: its metadata never landed");
  writeFile(bucketDir() + "/.bucket.json.tmp-1234", "{");
  fs::create_directories(dir_.path() + "/buckets/half-made/objects");  // no bucket.json
  writeFile(objectsDir() + "/README", "not ours: left alone");

  auto s = openStore(dir_.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(get(*s, "site", "index.html"), "hello");
  EXPECT_TRUE(fs::is_empty(bucketDir() + "/tmp"));
  const std::string stem = seqStem(kept_.seq);
  EXPECT_EQ(namesIn(objectsDir()),
            (std::vector<std::string>{stem + ".data", stem + ".meta", "README"}));
  EXPECT_EQ(namesIn(bucketDir()), (std::vector<std::string>{"bucket.json", "objects", "tmp"}));
  EXPECT_FALSE(fs::exists(dir_.path() + "/buckets/half-made"));
  EXPECT_FALSE(s->hasBucket("half-made"));
  // The orphan's seq is not reused: new writes sort after it.
  auto v = put(*s, "site", "new", "x");
  ASSERT_TRUE(v);
  EXPECT_GT(v->seq, 0xfeu);
}

// A crash between persist and publish of a replacing write: two null versions on disk.
TEST_F(RecoveryTest, TwoNullVersionsKeepTheNewer) {
  {
    auto s = openStore(dir_.path());
    ASSERT_TRUE(s);
    auto p = persistObject(*s, "site", "index.html", "newer");
    ASSERT_TRUE(p);
    // The store goes away without publish, as in a crash.
  }
  auto s = openStore(dir_.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(get(*s, "site", "index.html"), "newer");
  EXPECT_FALSE(fs::exists(kept_.data_path));
  EXPECT_FALSE(fs::exists(objectsDir() + "/" + seqStem(kept_.seq) + ".meta"));
  auto vs = s->listVersions("site", {});
  ASSERT_TRUE(vs);
  EXPECT_EQ(vs->versions.size(), 1u);
}

// publish unlinks a replaced null version without a directory fsync; if only the data unlink
// reached the disk, the stale metadata must not stop the store from opening.
TEST_F(RecoveryTest, ReplacedNullVersionWithoutItsDataIsDropped) {
  {
    auto s = openStore(dir_.path());
    ASSERT_TRUE(s);
    ASSERT_TRUE(persistObject(*s, "site", "index.html", "newer"));
  }
  fs::remove(kept_.data_path);
  auto s = openStore(dir_.path());
  ASSERT_TRUE(s);
  EXPECT_EQ(get(*s, "site", "index.html"), "newer");
}

TEST_F(RecoveryTest, CorruptMetadataRefusesOpenNamingTheFile) {
  const std::string meta = objectsDir() + "/" + seqStem(kept_.seq) + ".meta";
  for (const std::string& bad :
       {std::string("{not json"), std::string("[]"), std::string("{\"format\":2}"),
        std::string("{\"format\":1,\"key\":\"k\"}"), std::string("")}) {
    writeFile(meta, bad);
    auto s = ObjectStore::open(dir_.path());
    ASSERT_FALSE(s) << bad;
    EXPECT_NE(s.error().find(meta), std::string::npos) << s.error();
  }
}

TEST_F(RecoveryTest, MetadataWhoseDataIsMissingOrShortRefusesOpen) {
  const std::string meta = objectsDir() + "/" + seqStem(kept_.seq) + ".meta";
  writeFile(kept_.data_path, "hell");  // one byte short
  auto s = ObjectStore::open(dir_.path());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find(meta), std::string::npos) << s.error();
  EXPECT_NE(s.error().find("4 bytes"), std::string::npos) << s.error();
  fs::remove(kept_.data_path);
  s = ObjectStore::open(dir_.path());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find("missing"), std::string::npos) << s.error();
}

TEST_F(RecoveryTest, CorruptBucketRecordRefusesOpenNamingTheFile) {
  writeFile(bucketDir() + "/bucket.json", "{\"format\":1,\"name\":\"site\"}");
  auto s = ObjectStore::open(dir_.path());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().find(bucketDir() + "/bucket.json"), std::string::npos) << s.error();
}

TEST_F(RecoveryTest, OneStorePerDirectory) {
  auto first = openStore(dir_.path());
  ASSERT_TRUE(first);
  auto second = ObjectStore::open(dir_.path());
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().find("in use"), std::string::npos) << second.error();
  first.reset();
  EXPECT_TRUE(ObjectStore::open(dir_.path()));
}

// ---- store_format ----

TEST(StoreFormat, VersionMetaRoundTripsOddBytes) {
  ObjectVersion v;
  v.key = "dir/日本 ../x";
  v.version_id = "null";
  v.seq = 77;
  v.size = 5;
  v.etag = "\"5d41402abc4b2a76b9719d911017c592\"";
  v.last_modified_ms = 1'700'000'000'123;
  v.headers = {{"content-type", "text/plain"},
               {"x-amz-meta-raw", std::string("\x80\xff\x01 ok", 6)},
               {"x-amz-meta-raw", ""}};
  auto back = decodeVersionMeta(encodeVersionMeta(v));
  ASSERT_TRUE(back) << back.error();
  EXPECT_EQ(back->key, v.key);
  EXPECT_EQ(back->headers, v.headers);
  EXPECT_EQ(back->seq, 77u);
  EXPECT_EQ(back->etag, v.etag);
  EXPECT_EQ(back->last_modified_ms, v.last_modified_ms);
  EXPECT_FALSE(back->delete_marker);
}

TEST(StoreFormat, VersionIdMustMatchSeq) {
  ObjectVersion v;
  v.key = "k";
  v.version_id = "null";
  v.seq = 3;
  std::string text = encodeVersionMeta(v);
  const size_t at = text.find("\"null\"");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 6, "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"");  // a valid id, for seq unmix(0)
  EXPECT_FALSE(decodeVersionMeta(text));
}

TEST(StoreFormat, BucketRecordRoundTrip) {
  BucketRecord b{BucketInfo{"my-bucket", 123}, Versioning::Suspended};
  auto back = decodeBucketRecord(encodeBucketRecord(b));
  ASSERT_TRUE(back);
  EXPECT_TRUE(*back == b);
  EXPECT_FALSE(decodeBucketRecord(
      "{\"format\":1,\"name\":\"Bad_Name\",\"created_ms\":1,\"versioning\":\"Enabled\"}"));
  EXPECT_FALSE(decodeBucketRecord(
      "{\"format\":1,\"name\":\"good\",\"created_ms\":1,\"versioning\":\"On\"}"));
}

TEST(StoreFormat, Utf8Validation) {
  EXPECT_TRUE(isValidUtf8("plain"));
  EXPECT_TRUE(isValidUtf8("é日本🎉"));
  EXPECT_FALSE(isValidUtf8("\xc0\xaf"));          // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xe6\x97"));          // truncated
  EXPECT_EQ(checkKey(std::string(1024, 'a')), std::nullopt);
  EXPECT_EQ(checkKey(std::string(1025, 'a')), StoreError::KeyTooLongError);
}

}  // namespace
}  // namespace edge::s3
