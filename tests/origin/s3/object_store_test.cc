#include "origin/s3/object_store.h"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "origin/s3/store_format.h"
#include "origin/s3/version_id.h"
#include "tests/origin/s3/store_test_util.h"

namespace edge::s3 {
namespace {

using testing::get;
using testing::md5Hex;
using testing::openStore;
using testing::put;
using testing::readFileOrEmpty;
using testing::TempDir;

class ObjectStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = openStore(dir_.path());
    ASSERT_TRUE(store_);
    ASSERT_TRUE(store_->createBucket("photos"));
  }
  void reopen() {
    store_.reset();
    store_ = openStore(dir_.path());
    ASSERT_TRUE(store_);
  }
  std::vector<std::string> keys(const ListParams& p = {}) {
    std::vector<std::string> out;
    auto r = store_->list("photos", p);
    EXPECT_TRUE(r);
    if (r) {
      for (const ObjectVersion& v : r->contents) out.push_back(v.key);
    }
    return out;
  }
  VersionListResult versions(const std::string& bucket = "photos") {
    auto r = store_->listVersions(bucket, {});
    EXPECT_TRUE(r);
    return r ? *r : VersionListResult{};
  }

  TempDir dir_;
  std::unique_ptr<ObjectStore> store_;
};

// ---- buckets ----

TEST_F(ObjectStoreTest, BucketsCreateListDelete) {
  EXPECT_EQ(store_->createBucket("photos").error(), StoreError::BucketAlreadyOwnedByYou);
  ASSERT_TRUE(store_->createBucket("a.b-c"));
  ASSERT_TRUE(store_->createBucket("000"));
  auto list = store_->listBuckets();
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0].name, "000");
  EXPECT_EQ(list[1].name, "a.b-c");
  EXPECT_EQ(list[2].name, "photos");
  EXPECT_GT(list[2].created_ms, 1'600'000'000'000);
  EXPECT_TRUE(store_->hasBucket("a.b-c"));
  ASSERT_TRUE(store_->deleteBucket("a.b-c"));
  EXPECT_FALSE(store_->hasBucket("a.b-c"));
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/buckets/a.b-c"));
  EXPECT_EQ(store_->deleteBucket("a.b-c").error(), StoreError::NoSuchBucket);
  reopen();
  ASSERT_EQ(store_->listBuckets().size(), 2u);
  EXPECT_EQ(store_->listBuckets()[1].created_ms, list[2].created_ms);
}

TEST_F(ObjectStoreTest, BucketNameRules) {
  for (const char* bad : {"ab", "", "Photos", "a_b", "-ab", "ab-", ".ab", "a..b", "192.168.1.1",
                          "xn--abc", "sthree-x", "abc-s3alias", "abc--ol-s3", "a b"}) {
    EXPECT_EQ(store_->createBucket(bad).error(), StoreError::InvalidBucketName) << bad;
  }
  EXPECT_EQ(store_->createBucket(std::string(64, 'a')).error(), StoreError::InvalidBucketName);
  EXPECT_TRUE(store_->createBucket(std::string(63, 'a')));
  EXPECT_TRUE(store_->createBucket("192.168.1.1a"));
}

TEST_F(ObjectStoreTest, DeleteNonEmptyBucketRefused) {
  ASSERT_TRUE(put(*store_, "photos", "k", "x"));
  EXPECT_EQ(store_->deleteBucket("photos").error(), StoreError::BucketNotEmpty);
  ASSERT_TRUE(store_->deleteObject("photos", "k", std::nullopt));
  EXPECT_TRUE(store_->deleteBucket("photos"));
}

TEST_F(ObjectStoreTest, DeleteMarkersKeepABucketNonEmpty) {
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Enabled));
  auto d = store_->deleteObject("photos", "never-existed", std::nullopt);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->delete_marker);
  EXPECT_EQ(store_->deleteBucket("photos").error(), StoreError::BucketNotEmpty);
  ASSERT_TRUE(store_->deleteObject("photos", "never-existed", d->version_id));
  EXPECT_TRUE(store_->deleteBucket("photos"));
}

TEST_F(ObjectStoreTest, VersioningStateIsDurableAndOneWay) {
  EXPECT_EQ(*store_->versioning("photos"), Versioning::Unversioned);
  EXPECT_EQ(store_->versioning("nope").error(), StoreError::NoSuchBucket);
  EXPECT_EQ(store_->setVersioning("nope", Versioning::Enabled).error(), StoreError::NoSuchBucket);
  EXPECT_EQ(store_->setVersioning("photos", Versioning::Unversioned).error(),
            StoreError::InvalidArgument);
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Enabled));
  reopen();
  EXPECT_EQ(*store_->versioning("photos"), Versioning::Enabled);
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Suspended));
  reopen();
  EXPECT_EQ(*store_->versioning("photos"), Versioning::Suspended);
  EXPECT_EQ(toString(Versioning::Suspended), "Suspended");
  EXPECT_EQ(toString(Versioning::Unversioned), "");
}

// ---- objects ----

TEST_F(ObjectStoreTest, PutLookupRoundTrip) {
  const policies::HeaderList headers{{"content-type", "text/html; charset=utf-8"},
                                     {"cache-control", "max-age=60"},
                                     {"x-amz-meta-a", "1"},
                                     {"x-amz-meta-a", "2"},
                                     {"x-amz-meta-latin", "caf\xe9"}};  // obs-text, not UTF-8
  const std::string body = "<html>hello</html>";
  auto v = put(*store_, "photos", "index.html", body, headers);
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->is_latest);
  EXPECT_EQ(v->version_id, "null");
  EXPECT_EQ(v->etag, "\"" + md5Hex(body) + "\"");
  EXPECT_EQ(v->size, body.size());
  auto got = store_->lookup("photos", "index.html", std::nullopt);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->etag, v->etag);
  EXPECT_EQ(got->headers, headers);
  EXPECT_EQ(got->last_modified_ms, v->last_modified_ms);
  EXPECT_TRUE(got->is_latest);
  EXPECT_EQ(readFileOrEmpty(got->data_path), body);
  reopen();
  got = store_->lookup("photos", "index.html", std::nullopt);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->headers, headers);
  EXPECT_EQ(got->etag, v->etag);
  EXPECT_EQ(got->last_modified_ms, v->last_modified_ms);
  EXPECT_EQ(readFileOrEmpty(got->data_path), body);
}

TEST_F(ObjectStoreTest, EmptyObjectHasTheEmptyMd5) {
  auto v = put(*store_, "photos", "empty", "");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->etag, "\"d41d8cd98f00b204e9800998ecf8427e\"");
  EXPECT_EQ(v->size, 0u);
  EXPECT_EQ(get(*store_, "photos", "empty"), "");
}

TEST_F(ObjectStoreTest, UnusualKeys) {
  const std::vector<std::string> odd = {
      "a/b/c.txt",       "/leading", "with space", "..",   "../../etc/passwd",
      "日本語/ファイル", "emoji 🎉",  "trailing/",  "a//b", std::string(1024, 'k')};
  for (const std::string& k : odd) ASSERT_TRUE(put(*store_, "photos", k, "body of " + k)) << k;
  reopen();
  for (const std::string& k : odd) EXPECT_EQ(get(*store_, "photos", k), "body of " + k) << k;
  EXPECT_EQ(keys().size(), odd.size());
}

TEST_F(ObjectStoreTest, KeyErrors) {
  EXPECT_EQ(store_->beginUpload("photos", std::string(1025, 'k')).error(),
            StoreError::KeyTooLongError);
  EXPECT_EQ(store_->beginUpload("photos", "").error(), StoreError::InvalidArgument);
  EXPECT_EQ(store_->beginUpload("photos", "bad\xff utf8").error(), StoreError::InvalidArgument);
  EXPECT_EQ(store_->beginUpload("nope", "k").error(), StoreError::NoSuchBucket);
  EXPECT_EQ(store_->lookup("photos", std::string(1025, 'k'), std::nullopt).error(),
            StoreError::KeyTooLongError);
  EXPECT_EQ(store_->lookup("photos", "", std::nullopt).error(), StoreError::InvalidArgument);
  EXPECT_EQ(store_->lookup("nope", "k", std::nullopt).error(), StoreError::NoSuchBucket);
  EXPECT_EQ(store_->lookup("photos", "missing", std::nullopt).error(), StoreError::NoSuchKey);
  EXPECT_EQ(store_->deleteObject("nope", "k", std::nullopt).error(), StoreError::NoSuchBucket);
  EXPECT_EQ(store_->deleteObject("photos", "", std::nullopt).error(), StoreError::InvalidArgument);
  EXPECT_EQ(store_->list("nope", {}).error(), StoreError::NoSuchBucket);
  EXPECT_EQ(store_->listVersions("nope", {}).error(), StoreError::NoSuchBucket);
  EXPECT_EQ(toString(StoreError::KeyTooLongError), "KeyTooLongError");
}

TEST_F(ObjectStoreTest, UploadDroppedBeforePersistLeavesNothing) {
  {
    auto up = store_->beginUpload("photos", "k");
    ASSERT_TRUE(up);
    ASSERT_TRUE((*up)->write("abc", 3));
    EXPECT_EQ((*up)->size(), 3u);
    EXPECT_EQ((*up)->md5Hex(), md5Hex("abc"));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() + "/buckets/photos/tmp"));
  EXPECT_EQ(store_->lookup("photos", "k", std::nullopt).error(), StoreError::NoSuchKey);
}

TEST_F(ObjectStoreTest, PersistedButUnpublishedIsInvisibleUntilPublish) {
  auto p = testing::persistObject(*store_, "photos", "k", "v1");
  ASSERT_TRUE(p);
  EXPECT_EQ(store_->lookup("photos", "k", std::nullopt).error(), StoreError::NoSuchKey);
  EXPECT_EQ(readFileOrEmpty(p->version.data_path), "v1");
  store_->publish(std::move(*p));
  EXPECT_EQ(get(*store_, "photos", "k"), "v1");
}

TEST_F(ObjectStoreTest, PublishIntoADeletedOrRecreatedBucketAddsNothing) {
  ASSERT_TRUE(store_->createBucket("gone"));
  auto p = testing::persistObject(*store_, "gone", "k", "v");
  ASSERT_TRUE(p);
  ASSERT_TRUE(store_->deleteBucket("gone"));  // empty: the version is not published yet
  ASSERT_TRUE(store_->createBucket("gone"));
  const ObjectVersion v = store_->publish(std::move(*p));
  EXPECT_FALSE(v.is_latest);
  EXPECT_EQ(store_->lookup("gone", "k", std::nullopt).error(), StoreError::NoSuchKey);
  EXPECT_TRUE(store_->deleteBucket("gone"));
  // An upload begun before the delete cannot be persisted into the new bucket either.
  ASSERT_TRUE(store_->createBucket("gone"));
  auto up = store_->beginUpload("gone", "k");
  ASSERT_TRUE(up);
  ASSERT_TRUE(store_->deleteBucket("gone"));
  ASSERT_TRUE(store_->createBucket("gone"));
  ASSERT_TRUE((*up)->write("x", 1));
  EXPECT_EQ(store_->persist(std::move(*up), {}).error(), StoreError::InternalError);
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() + "/buckets/gone/objects"));
}

// A write that fails (here: past RLIMIT_FSIZE, as a full disk would) spoils the upload: persist
// refuses it and nothing is left behind. Run in a child so the limit does not touch the runner.
TEST_F(ObjectStoreTest, FailedWriteSpoilsTheUpload) {
  store_.reset();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{64 * 1024, 64 * 1024};
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) _exit(10);
    auto s = ObjectStore::open(dir_.path());
    if (!s) _exit(11);
    auto up = (*s)->beginUpload("photos", "big");
    if (!up) _exit(12);
    const std::string chunk(16 * 1024, 'x');
    bool failed = false;
    for (int i = 0; i < 8 && !failed; ++i) failed = !(*up)->write(chunk.data(), chunk.size());
    if (!failed) _exit(13);
    if ((*up)->write("y", 1)) _exit(14);  // stays failed
    auto p = (*s)->persist(std::move(*up), {});
    if (p || p.error() != StoreError::InternalError) _exit(15);
    if ((*s)->lookup("photos", "big", std::nullopt).error() != StoreError::NoSuchKey) _exit(16);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "child step failed (see the _exit codes)";
  reopen();
  EXPECT_EQ(store_->lookup("photos", "big", std::nullopt).error(), StoreError::NoSuchKey);
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() + "/buckets/photos/tmp"));
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path() + "/buckets/photos/objects"));
}

TEST_F(ObjectStoreTest, ListParameterErrors) {
  EXPECT_EQ(store_->list("photos", ListParams{"", "", -1, ""}).error(),
            StoreError::InvalidArgument);
  EXPECT_EQ(store_->listVersions("photos", VersionListParams{"", "", -1, "", ""}).error(),
            StoreError::InvalidArgument);
  // A version-id marker needs a key marker, and must be an id.
  EXPECT_EQ(store_->listVersions("photos", VersionListParams{"", "", 10, "", "null"}).error(),
            StoreError::InvalidArgument);
  EXPECT_EQ(store_->listVersions("photos", VersionListParams{"", "", 10, "k", "bogus"}).error(),
            StoreError::InvalidArgument);
  EXPECT_TRUE(store_->listVersions("photos", VersionListParams{"", "", 10, "k", "null"}));
}

// ---- unversioned ----

TEST_F(ObjectStoreTest, UnversionedPutReplacesAndDeleteRemoves) {
  auto v1 = put(*store_, "photos", "k", "one");
  auto v2 = put(*store_, "photos", "k", "two");
  ASSERT_TRUE(v1 && v2);
  EXPECT_GT(v2->seq, v1->seq);
  EXPECT_EQ(get(*store_, "photos", "k"), "two");
  EXPECT_FALSE(std::filesystem::exists(v1->data_path)) << "replaced version stays on disk";
  auto vs = versions();
  ASSERT_EQ(vs.versions.size(), 1u);
  EXPECT_EQ(vs.versions[0].version_id, "null");
  EXPECT_TRUE(vs.versions[0].is_latest);
  EXPECT_EQ(get(*store_, "photos", "k", "null"), "two");
  EXPECT_EQ(store_->lookup("photos", "k", makeVersionId(v2->seq)).error(),
            StoreError::NoSuchVersion);

  auto d = store_->deleteObject("photos", "k", std::nullopt);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->delete_marker);
  EXPECT_EQ(d->version_id, "");
  EXPECT_EQ(store_->lookup("photos", "k", std::nullopt).error(), StoreError::NoSuchKey);
  EXPECT_FALSE(std::filesystem::exists(v2->data_path));
  EXPECT_TRUE(versions().versions.empty());
  EXPECT_TRUE(store_->deleteObject("photos", "k", std::nullopt))
      << "deleting a missing key succeeds";
  reopen();
  EXPECT_EQ(store_->lookup("photos", "k", std::nullopt).error(), StoreError::NoSuchKey);
}

// ---- enabled ----

TEST_F(ObjectStoreTest, EnabledEveryPutIsAVersion) {
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Enabled));
  auto v1 = put(*store_, "photos", "k", "one");
  auto v2 = put(*store_, "photos", "k", "two");
  ASSERT_TRUE(v1 && v2);
  EXPECT_NE(v1->version_id, v2->version_id);
  EXPECT_EQ(v1->version_id.size(), 32u);
  EXPECT_TRUE(isValidVersionId(v1->version_id));
  EXPECT_EQ(get(*store_, "photos", "k"), "two");
  EXPECT_EQ(get(*store_, "photos", "k", v1->version_id), "one");
  EXPECT_EQ(get(*store_, "photos", "k", v2->version_id), "two");
  auto old = store_->lookup("photos", "k", v1->version_id);
  ASSERT_TRUE(old);
  EXPECT_FALSE(old->is_latest);
  auto vs = versions();
  ASSERT_EQ(vs.versions.size(), 2u);
  EXPECT_EQ(vs.versions[0].version_id, v2->version_id);
  EXPECT_TRUE(vs.versions[0].is_latest);
  EXPECT_EQ(vs.versions[1].version_id, v1->version_id);
  EXPECT_FALSE(vs.versions[1].is_latest);
}

TEST_F(ObjectStoreTest, VersionIdErrors) {
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Enabled));
  auto v1 = put(*store_, "photos", "k", "one");
  ASSERT_TRUE(v1);
  EXPECT_EQ(store_->lookup("photos", "k", std::string("not-an-id")).error(),
            StoreError::InvalidArgument);
  EXPECT_EQ(store_->lookup("photos", "k", std::string("")).error(), StoreError::InvalidArgument);
  EXPECT_EQ(store_->deleteObject("photos", "k", std::string("bad id!")).error(),
            StoreError::InvalidArgument);
  EXPECT_EQ(store_->lookup("photos", "k", makeVersionId(v1->seq + 1000)).error(),
            StoreError::NoSuchVersion);
  EXPECT_EQ(store_->lookup("photos", "k", std::string("null")).error(), StoreError::NoSuchVersion);
  EXPECT_EQ(store_->lookup("photos", "other", v1->version_id).error(), StoreError::NoSuchVersion);
  // Same seq, different random part: not that version.
  std::string forged = v1->version_id;
  forged[31] = forged[31] == 'A' ? 'B' : 'A';
  EXPECT_EQ(store_->lookup("photos", "k", forged).error(), StoreError::NoSuchVersion);
  // Deleting a version that is not there succeeds and changes nothing (S3 deletes are idempotent).
  auto d = store_->deleteObject("photos", "k", makeVersionId(v1->seq + 1000));
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->delete_marker);
  EXPECT_EQ(get(*store_, "photos", "k"), "one");
}

// The seed's scenario: versioning on, index.html deleted by mistake, recovered.
TEST_F(ObjectStoreTest, RecoverAnObjectDeletedByMistake) {
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Enabled));
  auto v1 = put(*store_, "photos", "index.html", "<h1>v1</h1>", {{"content-type", "text/html"}});
  auto v2 = put(*store_, "photos", "index.html", "<h1>v2</h1>", {{"content-type", "text/html"}});
  ASSERT_TRUE(v1 && v2);
  auto d = store_->deleteObject("photos", "index.html", std::nullopt);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->delete_marker);
  ASSERT_EQ(d->version_id.size(), 32u);

  ObjectVersion marker;
  EXPECT_EQ(store_->lookup("photos", "index.html", std::nullopt, &marker).error(),
            StoreError::NoSuchKey);
  EXPECT_TRUE(marker.delete_marker);
  EXPECT_TRUE(marker.is_latest);
  EXPECT_EQ(marker.version_id, d->version_id);
  EXPECT_TRUE(keys().empty()) << "ListObjects hides a key whose current version is a marker";

  ObjectVersion marker2;
  EXPECT_EQ(store_->lookup("photos", "index.html", d->version_id, &marker2).error(),
            StoreError::MethodNotAllowed);
  EXPECT_TRUE(marker2.delete_marker);
  // The old version is still readable by id.
  EXPECT_EQ(get(*store_, "photos", "index.html", v2->version_id), "<h1>v2</h1>");

  reopen();  // everything above survives a restart
  auto vs = versions();
  ASSERT_EQ(vs.versions.size(), 3u);
  EXPECT_TRUE(vs.versions[0].delete_marker);
  EXPECT_TRUE(vs.versions[0].is_latest);
  EXPECT_EQ(vs.versions[0].version_id, d->version_id);
  EXPECT_EQ(vs.versions[1].version_id, v2->version_id);
  EXPECT_EQ(vs.versions[1].etag, v2->etag);
  EXPECT_EQ(vs.versions[2].version_id, v1->version_id);

  auto undelete = store_->deleteObject("photos", "index.html", d->version_id);
  ASSERT_TRUE(undelete);
  EXPECT_TRUE(undelete->delete_marker);
  EXPECT_EQ(undelete->version_id, d->version_id);
  auto cur = store_->lookup("photos", "index.html", std::nullopt);
  ASSERT_TRUE(cur);
  EXPECT_EQ(cur->version_id, v2->version_id);
  EXPECT_EQ(readFileOrEmpty(cur->data_path), "<h1>v2</h1>");
  EXPECT_EQ(cur->headers.get("content-type"), "text/html");
  EXPECT_EQ(keys(), std::vector<std::string>{"index.html"});
}

TEST_F(ObjectStoreTest, DeletingTheLatestVersionMakesThePreviousCurrent) {
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Enabled));
  auto v1 = put(*store_, "photos", "k", "one");
  auto v2 = put(*store_, "photos", "k", "two");
  ASSERT_TRUE(v1 && v2);
  auto d = store_->deleteObject("photos", "k", v2->version_id);
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->delete_marker);
  EXPECT_EQ(d->version_id, v2->version_id);
  EXPECT_FALSE(std::filesystem::exists(v2->data_path));
  EXPECT_EQ(get(*store_, "photos", "k"), "one");
  ASSERT_TRUE(store_->deleteObject("photos", "k", v1->version_id));
  EXPECT_EQ(store_->lookup("photos", "k", std::nullopt).error(), StoreError::NoSuchKey);
  EXPECT_TRUE(versions().versions.empty());
  reopen();
  EXPECT_TRUE(versions().versions.empty());
}

TEST_F(ObjectStoreTest, NullVersionFromBeforeVersioningStaysAddressable) {
  auto null1 = put(*store_, "photos", "k", "from before");
  ASSERT_TRUE(null1);
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Enabled));
  auto v2 = put(*store_, "photos", "k", "versioned");
  ASSERT_TRUE(v2);
  EXPECT_EQ(get(*store_, "photos", "k", "null"), "from before");
  auto vs = versions();
  ASSERT_EQ(vs.versions.size(), 2u);
  EXPECT_EQ(vs.versions[1].version_id, "null");
  ASSERT_TRUE(store_->deleteObject("photos", "k", std::string("null")));
  EXPECT_EQ(versions().versions.size(), 1u);
  EXPECT_EQ(get(*store_, "photos", "k"), "versioned");
}

// ---- suspended ----

TEST_F(ObjectStoreTest, SuspendedPutReplacesOnlyTheNullVersion) {
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Enabled));
  auto v1 = put(*store_, "photos", "k", "one");
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Suspended));
  auto n1 = put(*store_, "photos", "k", "null-1");
  auto n2 = put(*store_, "photos", "k", "null-2");
  ASSERT_TRUE(v1 && n1 && n2);
  EXPECT_EQ(n2->version_id, "null");
  EXPECT_FALSE(std::filesystem::exists(n1->data_path));
  auto vs = versions();
  ASSERT_EQ(vs.versions.size(), 2u);
  EXPECT_EQ(vs.versions[0].version_id, "null");
  EXPECT_EQ(vs.versions[0].etag, n2->etag);
  EXPECT_EQ(vs.versions[1].version_id, v1->version_id);
  EXPECT_EQ(get(*store_, "photos", "k"), "null-2");

  // DELETE without id: the null version becomes a null delete marker; v1 stays.
  auto d = store_->deleteObject("photos", "k", std::nullopt);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->delete_marker);
  EXPECT_EQ(d->version_id, "null");
  EXPECT_FALSE(std::filesystem::exists(n2->data_path));
  ObjectVersion marker;
  EXPECT_EQ(store_->lookup("photos", "k", std::nullopt, &marker).error(), StoreError::NoSuchKey);
  EXPECT_EQ(marker.version_id, "null");
  reopen();
  vs = versions();
  ASSERT_EQ(vs.versions.size(), 2u);
  EXPECT_TRUE(vs.versions[0].delete_marker);
  EXPECT_EQ(vs.versions[0].version_id, "null");
  EXPECT_EQ(vs.versions[1].version_id, v1->version_id);
  // Deleting the null marker brings v1 back.
  ASSERT_TRUE(store_->deleteObject("photos", "k", std::string("null")));
  EXPECT_EQ(get(*store_, "photos", "k"), "one");
}

TEST_F(ObjectStoreTest, PutAfterDeleteMarkerIsCurrentAgain) {
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Enabled));
  ASSERT_TRUE(put(*store_, "photos", "k", "one"));
  ASSERT_TRUE(store_->deleteObject("photos", "k", std::nullopt));
  ASSERT_TRUE(put(*store_, "photos", "k", "two"));
  EXPECT_EQ(get(*store_, "photos", "k"), "two");
  EXPECT_EQ(versions().versions.size(), 3u);
}

// ---- reopen ----

TEST_F(ObjectStoreTest, ReopenRebuildsTheSameIndex) {
  ASSERT_TRUE(store_->createBucket("other"));
  ASSERT_TRUE(put(*store_, "photos", "plain", "p"));
  ASSERT_TRUE(store_->setVersioning("photos", Versioning::Enabled));
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(put(*store_, "photos", "dir/k" + std::to_string(i % 7),
                    std::string(static_cast<size_t>(i), 'x'),
                    {{"x-amz-meta-i", std::to_string(i)}}));
    if (i % 5 == 0) {
      ASSERT_TRUE(store_->deleteObject("photos", "dir/k" + std::to_string(i % 3), std::nullopt));
    }
  }
  ASSERT_TRUE(put(*store_, "other", "x", "y"));
  const auto before = versions();
  const auto before_other = versions("other");
  reopen();
  const auto after = versions();
  ASSERT_EQ(after.versions.size(), before.versions.size());
  for (size_t i = 0; i < after.versions.size(); ++i) {
    const ObjectVersion& a = after.versions[i];
    const ObjectVersion& b = before.versions[i];
    EXPECT_EQ(a.key, b.key);
    EXPECT_EQ(a.version_id, b.version_id);
    EXPECT_EQ(a.seq, b.seq);
    EXPECT_EQ(a.delete_marker, b.delete_marker);
    EXPECT_EQ(a.is_latest, b.is_latest);
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.etag, b.etag);
    EXPECT_EQ(a.last_modified_ms, b.last_modified_ms);
    EXPECT_EQ(a.headers, b.headers);
    EXPECT_EQ(a.data_path, b.data_path);
  }
  EXPECT_EQ(versions("other").versions.size(), before_other.versions.size());
  // The seq counter continues after the highest seen.
  auto next = put(*store_, "photos", "new", "n");
  ASSERT_TRUE(next);
  for (const ObjectVersion& v : before.versions) EXPECT_GT(next->seq, v.seq);
}

TEST_F(ObjectStoreTest, OpenRefusesABadDataDirectory) {
  EXPECT_FALSE(ObjectStore::open(""));
  const std::string file = dir_.path() + "/plain-file";
  { std::ofstream(file) << "x"; }
  auto r = ObjectStore::open(file);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("plain-file"), std::string::npos) << r.error();
}

}  // namespace
}  // namespace edge::s3
