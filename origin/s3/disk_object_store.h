// DiskObjectStore: the ObjectStore on a local file system (object_store.h is the contract).
// Internal to origin/s3: disk_object_store.cc has the operations, disk_object_store_open.cc
// rebuilds the store at open.
//
// Layout under the data directory, format 1:
//   buckets/<bucket>/bucket.json            {"format":1,"name","created_ms","versioning"}
//   buckets/<bucket>/objects/<seq>.data     the bytes of one version (seq: 16 hex digits)
//   buckets/<bucket>/objects/<seq>.meta     its metadata (store_format.h); a delete marker has
//                                           a .meta and no .data
//   buckets/<bucket>/tmp/u-<random>         uploads being received
//   .<name>.tmp-<random>                    writeFileDurably's temp files, next to their target
// Files are named by seq, never by key: keys are any UTF-8 up to 1024 bytes.
//
// Why each step is ordered the way it is (crash at any point, then open()):
//   put:    data → tmp/, fsync; rename to objects/<seq>.data; fsync objects/; write <seq>.meta
//           durably (temp, fsync, rename, fsync objects/). Until the .meta rename the version
//           does not exist; a crash leaves an orphan .data, removed at open. The first directory
//           fsync makes sure no .meta can be durable while its .data rename is not.
//   replace a "null" version (publish, suspended delete): the new version is durable first,
//           then the old one is unlinked, .meta before .data, without a directory fsync.
//           A crash may leave two null versions of the key (even the older .meta without its
//           .data); open keeps the higher seq and drops the other.
//   delete: unlink .meta, fsync objects/, unlink .data. A crash in between leaves an orphan.
// So every .meta that parses names a whole version, and a .meta that does not parse cannot be
// a torn write (renames are atomic): open refuses it as damage, naming the file.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>

#include "origin/s3/durable_file.h"
#include "origin/s3/object_index.h"
#include "origin/s3/object_store.h"
#include "origin/s3/store_format.h"

namespace edge::s3::disk {

int64_t nowMs();
// I/O failures become InternalError for the caller; the detail goes to stderr.
void logIoError(const std::string& message);
std::string metaPath(const std::string& objects_dir, uint64_t seq);
std::string dataPath(const std::string& objects_dir, uint64_t seq);
// Unlinks a version's files, metadata first (no directory fsync).
IoResult removeVersionFiles(const std::string& objects_dir, const ObjectVersion& v);

struct Bucket {
  BucketRecord record;
  // Tells a bucket from one deleted and created again under the same name while an upload ran.
  uint64_t epoch = 0;
  std::string dir;  // absolute: <data>/buckets/<name>
  std::string objects_dir;
  ObjectIndex index;
};

class DiskObjectStore final : public ObjectStore {
 public:
  explicit DiskObjectStore(std::string root)
      : root_(std::move(root)), buckets_dir_(root_ + "/buckets") {}
  ~DiskObjectStore() override;
  DiskObjectStore(const DiskObjectStore&) = delete;
  DiskObjectStore& operator=(const DiskObjectStore&) = delete;

  tl::expected<void, std::string> load();

  tl::expected<void, StoreError> createBucket(const std::string& name) override;
  tl::expected<void, StoreError> deleteBucket(const std::string& name) override;
  std::vector<BucketInfo> listBuckets() const override;
  bool hasBucket(std::string_view name) const override {
    return buckets_.find(name) != buckets_.end();
  }
  tl::expected<Versioning, StoreError> versioning(const std::string& bucket) const override;
  tl::expected<void, StoreError> setVersioning(const std::string& bucket, Versioning v) override;
  tl::expected<ObjectVersion, StoreError> lookup(const std::string& bucket, const std::string& key,
                                                 const std::optional<std::string>& version_id,
                                                 ObjectVersion* marker_out) const override;
  tl::expected<UploadPtr, StoreError> beginUpload(const std::string& bucket,
                                                  const std::string& key) override;
  tl::expected<PersistedVersion, StoreError> persist(UploadPtr upload,
                                                     policies::HeaderList stored_headers) override;
  ObjectVersion publish(PersistedVersion v) override;
  tl::expected<DeleteResult, StoreError> deleteObject(
      const std::string& bucket, const std::string& key,
      const std::optional<std::string>& version_id) override;
  tl::expected<ListResult, StoreError> list(const std::string& bucket,
                                            const ListParams& p) const override;
  tl::expected<VersionListResult, StoreError> listVersions(
      const std::string& bucket, const VersionListParams& p) const override;

 private:
  tl::expected<void, std::string> loadBucket(const std::string& name);
  tl::expected<void, std::string> loadObjects(Bucket& b);
  Bucket* findBucket(std::string_view name) {
    const auto it = buckets_.find(name);
    return it == buckets_.end() ? nullptr : &it->second;
  }
  const Bucket* findBucket(std::string_view name) const {
    const auto it = buckets_.find(name);
    return it == buckets_.end() ? nullptr : &it->second;
  }
  // Writes a delete marker's metadata durably and returns it (not yet in the index).
  tl::expected<ObjectVersion, StoreError> writeMarker(const Bucket& b, const std::string& key,
                                                      bool null_id);
  // Removes a version from disk (durably) and from the index.
  tl::expected<void, StoreError> removeVersion(Bucket& b, const ObjectVersion& v);

  const std::string root_;
  // flock(LOCK_EX) on <root>/LOCK for the store's life: a second store (another process, or
  // another open() in this one) on the same directory would delete this one's temp files.
  int lock_fd_ = -1;
  const std::string buckets_dir_;
  std::map<std::string, Bucket, std::less<>> buckets_;  // owner thread
  uint64_t next_epoch_ = 1;                             // owner thread
  std::atomic<uint64_t> next_seq_{1};                   // any thread (persist)
};

}  // namespace edge::s3::disk
