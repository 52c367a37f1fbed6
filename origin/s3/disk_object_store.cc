#include "origin/s3/disk_object_store.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "origin/s3/file_upload.h"
#include "origin/s3/version_id.h"

namespace edge::s3::disk {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void logIoError(const std::string& message) {
  std::fprintf(stderr, "object store: %s\n", message.c_str());
}

std::string metaPath(const std::string& objects_dir, uint64_t seq) {
  return objects_dir + "/" + seqStem(seq) + ".meta";
}
std::string dataPath(const std::string& objects_dir, uint64_t seq) {
  return objects_dir + "/" + seqStem(seq) + ".data";
}

IoResult removeVersionFiles(const std::string& objects_dir, const ObjectVersion& v) {
  if (auto r = removeFile(metaPath(objects_dir, v.seq)); !r) return r;
  if (v.delete_marker) return {};
  return removeFile(dataPath(objects_dir, v.seq));
}

// ---- buckets ------------------------------------------------------------------------------------

tl::expected<void, StoreError> DiskObjectStore::createBucket(const std::string& name) {
  if (!isValidBucketName(name)) return tl::unexpected(StoreError::InvalidBucketName);
  if (hasBucket(name)) return tl::unexpected(StoreError::BucketAlreadyOwnedByYou);
  Bucket b;
  b.dir = buckets_dir_ + "/" + name;
  b.objects_dir = b.dir + "/objects";
  b.record.info = BucketInfo{name, nowMs()};
  b.epoch = next_epoch_++;
  // bucket.json goes last: it is what makes the directory a bucket.
  IoResult r = removeTree(b.dir);
  if (r) r = makeDir(b.dir);
  if (r) r = makeDir(b.objects_dir);
  if (r) r = makeDir(b.dir + "/tmp");
  if (r) r = fsyncDir(b.dir);
  if (r) r = fsyncDir(buckets_dir_);
  if (r) r = writeFileDurably(b.dir + "/bucket.json", encodeBucketRecord(b.record));
  if (!r) {
    logIoError(r.error());
    (void)removeTree(b.dir);
    return tl::unexpected(StoreError::InternalError);
  }
  buckets_.emplace(name, std::move(b));
  return {};
}

tl::expected<void, StoreError> DiskObjectStore::deleteBucket(const std::string& name) {
  const auto it = buckets_.find(name);
  if (it == buckets_.end()) return tl::unexpected(StoreError::NoSuchBucket);
  if (!it->second.index.empty()) return tl::unexpected(StoreError::BucketNotEmpty);
  const std::string dir = it->second.dir;
  IoResult r = removeFile(dir + "/bucket.json");
  if (r) r = fsyncDir(dir);
  if (!r) {
    logIoError(r.error());
    return tl::unexpected(StoreError::InternalError);
  }
  buckets_.erase(it);
  // The bucket is gone now; what remains is cleanup that open() would also do.
  if (auto rr = removeTree(dir); !rr) logIoError(rr.error());
  if (auto rr = fsyncDir(buckets_dir_); !rr) logIoError(rr.error());
  return {};
}

std::vector<BucketInfo> DiskObjectStore::listBuckets() const {
  std::vector<BucketInfo> out;
  out.reserve(buckets_.size());
  for (const auto& [name, b] : buckets_) out.push_back(b.record.info);
  return out;
}

tl::expected<Versioning, StoreError> DiskObjectStore::versioning(const std::string& bucket) const {
  const Bucket* b = findBucket(bucket);
  if (b == nullptr) return tl::unexpected(StoreError::NoSuchBucket);
  return b->record.versioning;
}

tl::expected<void, StoreError> DiskObjectStore::setVersioning(const std::string& bucket,
                                                              Versioning v) {
  Bucket* b = findBucket(bucket);
  if (b == nullptr) return tl::unexpected(StoreError::NoSuchBucket);
  if (v == Versioning::Unversioned) return tl::unexpected(StoreError::InvalidArgument);
  BucketRecord next = b->record;
  next.versioning = v;
  if (auto r = writeFileDurably(b->dir + "/bucket.json", encodeBucketRecord(next)); !r) {
    logIoError(r.error());
    return tl::unexpected(StoreError::InternalError);
  }
  b->record = std::move(next);
  return {};
}

// ---- objects ------------------------------------------------------------------------------------

tl::expected<ObjectVersion, StoreError> DiskObjectStore::lookup(
    const std::string& bucket, const std::string& key, const std::optional<std::string>& version_id,
    ObjectVersion* marker_out) const {
  const Bucket* b = findBucket(bucket);
  if (b == nullptr) return tl::unexpected(StoreError::NoSuchBucket);
  if (auto e = checkKey(key)) return tl::unexpected(*e);
  if (version_id) {
    if (!isValidVersionId(*version_id)) return tl::unexpected(StoreError::InvalidArgument);
    const ObjectVersion* v = b->index.findVersion(key, *version_id);
    if (v == nullptr) return tl::unexpected(StoreError::NoSuchVersion);
    ObjectVersion out = *v;
    out.is_latest = &b->index.find(key)->front() == v;
    if (out.delete_marker) {
      if (marker_out != nullptr) *marker_out = out;
      return tl::unexpected(StoreError::MethodNotAllowed);
    }
    return out;
  }
  const VersionChain* chain = b->index.find(key);
  if (chain == nullptr) return tl::unexpected(StoreError::NoSuchKey);
  ObjectVersion out = chain->front();
  out.is_latest = true;
  if (out.delete_marker) {
    if (marker_out != nullptr) *marker_out = std::move(out);
    return tl::unexpected(StoreError::NoSuchKey);
  }
  return out;
}

tl::expected<UploadPtr, StoreError> DiskObjectStore::beginUpload(const std::string& bucket,
                                                                 const std::string& key) {
  const Bucket* b = findBucket(bucket);
  if (b == nullptr) return tl::unexpected(StoreError::NoSuchBucket);
  if (auto e = checkKey(key)) return tl::unexpected(*e);
  auto up =
      FileUpload::create(UploadTarget{this, bucket, b->epoch, key, b->record.versioning, b->dir});
  if (!up) {
    logIoError(up.error());
    return tl::unexpected(StoreError::InternalError);
  }
  return UploadPtr(std::move(*up));
}

tl::expected<PersistedVersion, StoreError> DiskObjectStore::persist(
    UploadPtr upload, policies::HeaderList stored_headers) {
  auto* up = dynamic_cast<FileUpload*>(upload.get());
  if (up == nullptr || up->target().store != this) return tl::unexpected(StoreError::InternalError);
  const UploadTarget& t = up->target();
  IoResult r = up->finish();
  const std::string md5 = up->md5Hex();
  if (r && md5.empty()) r = tl::unexpected("MD5 of " + up->tmpPath() + " could not be finalised");
  if (!r) {
    logIoError(r.error());
    return tl::unexpected(StoreError::InternalError);
  }
  PersistedVersion out;
  out.bucket = t.bucket;
  out.bucket_epoch = t.bucket_epoch;
  ObjectVersion& v = out.version;
  v.seq = next_seq_.fetch_add(1);
  v.key = t.key;
  v.version_id =
      t.versioning == Versioning::Enabled ? makeVersionId(v.seq) : std::string(kNullVersionId);
  v.size = up->size();
  v.etag = "\"" + md5 + "\"";
  v.last_modified_ms = nowMs();
  v.headers = std::move(stored_headers);
  const std::string objects_dir = t.bucket_dir + "/objects";
  v.data_path = dataPath(objects_dir, v.seq);
  if (::rename(up->tmpPath().c_str(), v.data_path.c_str()) != 0) {
    logIoError(errnoMessage("rename to " + v.data_path, up->tmpPath()));
    return tl::unexpected(StoreError::InternalError);
  }
  up->markMoved();
  // The data file's new name is durable before any metadata can point at it.
  r = fsyncDir(objects_dir);
  if (r) r = writeFileDurably(metaPath(objects_dir, v.seq), encodeVersionMeta(v));
  if (!r) {
    logIoError(r.error());
    ::unlink(v.data_path.c_str());
    return tl::unexpected(StoreError::InternalError);
  }
  return out;
}

ObjectVersion DiskObjectStore::publish(PersistedVersion pv) {
  ObjectVersion v = std::move(pv.version);
  v.is_latest = false;
  Bucket* b = findBucket(pv.bucket);
  const std::string objects_dir = v.data_path.substr(0, v.data_path.rfind('/'));
  if (b == nullptr || b->epoch != pv.bucket_epoch) {  // the upload's bucket was deleted meanwhile
    (void)removeVersionFiles(objects_dir, v);
    return v;
  }
  if (v.version_id == kNullVersionId) {
    if (const ObjectVersion* old = b->index.findVersion(v.key, kNullVersionId)) {
      // Two writes of the null version raced: the higher seq wins, the other goes. No directory
      // fsync needed: if the unlink is lost in a crash, open keeps the higher seq again.
      const ObjectVersion& loser = old->seq > v.seq ? v : *old;
      if (auto r = removeVersionFiles(b->objects_dir, loser); !r) logIoError(r.error());
      if (&loser == &v) return v;
      b->index.erase(v.key, old->seq);
    }
  }
  v.is_latest = b->index.insert(v);
  return v;
}

tl::expected<ObjectVersion, StoreError> DiskObjectStore::writeMarker(const Bucket& b,
                                                                     const std::string& key,
                                                                     bool null_id) {
  ObjectVersion m;
  m.key = key;
  m.seq = next_seq_.fetch_add(1);
  m.version_id = null_id ? std::string(kNullVersionId) : makeVersionId(m.seq);
  m.delete_marker = true;
  m.last_modified_ms = nowMs();
  if (auto r = writeFileDurably(metaPath(b.objects_dir, m.seq), encodeVersionMeta(m)); !r) {
    logIoError(r.error());
    return tl::unexpected(StoreError::InternalError);
  }
  return m;
}

tl::expected<void, StoreError> DiskObjectStore::removeVersion(Bucket& b, const ObjectVersion& v) {
  const std::string key = v.key;
  const uint64_t seq = v.seq;
  const bool marker = v.delete_marker;
  // The metadata's removal is made durable before the data goes, so a crash can leave an
  // orphan data file (removed at open) but never metadata without its data.
  IoResult r = removeFile(metaPath(b.objects_dir, seq));
  if (r) r = fsyncDir(b.objects_dir);
  if (!r) {
    logIoError(r.error());
    // Still there: nothing changed. Gone but not known durable: a crash could bring it back
    // whole (the data file is kept), so drop it from the index and report the failure.
    if (::access(metaPath(b.objects_dir, seq).c_str(), F_OK) == 0)
      return tl::unexpected(StoreError::InternalError);
    b.index.erase(key, seq);
    return tl::unexpected(StoreError::InternalError);
  }
  b.index.erase(key, seq);
  if (!marker) {
    if (auto rr = removeFile(dataPath(b.objects_dir, seq)); !rr)
      logIoError(rr.error());  // an orphan now
  }
  return {};
}

tl::expected<DeleteResult, StoreError> DiskObjectStore::deleteObject(
    const std::string& bucket, const std::string& key,
    const std::optional<std::string>& version_id) {
  Bucket* b = findBucket(bucket);
  if (b == nullptr) return tl::unexpected(StoreError::NoSuchBucket);
  if (auto e = checkKey(key)) return tl::unexpected(*e);
  DeleteResult out;
  if (version_id) {
    if (!isValidVersionId(*version_id)) return tl::unexpected(StoreError::InvalidArgument);
    out.version_id = *version_id;
    const ObjectVersion* v = b->index.findVersion(key, *version_id);
    // Deleting a version that does not exist succeeds, as in S3: a retried delete must not fail.
    if (v == nullptr) return out;
    out.delete_marker = v->delete_marker;
    if (auto r = removeVersion(*b, ObjectVersion(*v)); !r) return tl::unexpected(r.error());
    return out;
  }
  switch (b->record.versioning) {
    case Versioning::Unversioned: {
      const ObjectVersion* v = b->index.findVersion(key, kNullVersionId);
      if (v == nullptr) return out;
      if (auto r = removeVersion(*b, ObjectVersion(*v)); !r) return tl::unexpected(r.error());
      return out;
    }
    case Versioning::Enabled: {
      auto m = writeMarker(*b, key, /*null_id=*/false);
      if (!m) return tl::unexpected(m.error());
      out.delete_marker = true;
      out.version_id = m->version_id;
      b->index.insert(std::move(*m));
      return out;
    }
    case Versioning::Suspended: {
      auto m = writeMarker(*b, key, /*null_id=*/true);
      if (!m) return tl::unexpected(m.error());
      out.delete_marker = true;
      out.version_id = std::string(kNullVersionId);
      if (const ObjectVersion* old = b->index.findVersion(key, kNullVersionId)) {
        // The marker is durable and has the higher seq, so whatever happens to the old null
        // version's files, open keeps the marker: the old one leaves the index regardless.
        const ObjectVersion replaced = *old;
        (void)removeVersion(*b, replaced);
        b->index.erase(key, replaced.seq);
      }
      b->index.insert(std::move(*m));
      return out;
    }
  }
  return tl::unexpected(StoreError::InternalError);
}

// ---- listing ------------------------------------------------------------------------------------

tl::expected<ListResult, StoreError> DiskObjectStore::list(const std::string& bucket,
                                                           const ListParams& p) const {
  const Bucket* b = findBucket(bucket);
  if (b == nullptr) return tl::unexpected(StoreError::NoSuchBucket);
  if (p.max_keys < 0) return tl::unexpected(StoreError::InvalidArgument);
  return b->index.list(p);
}

tl::expected<VersionListResult, StoreError> DiskObjectStore::listVersions(
    const std::string& bucket, const VersionListParams& p) const {
  const Bucket* b = findBucket(bucket);
  if (b == nullptr) return tl::unexpected(StoreError::NoSuchBucket);
  if (p.max_keys < 0) return tl::unexpected(StoreError::InvalidArgument);
  // S3: "A version-id marker cannot be specified without a key marker."
  if (!p.version_id_marker.empty() &&
      (p.key_marker.empty() || !isValidVersionId(p.version_id_marker))) {
    return tl::unexpected(StoreError::InvalidArgument);
  }
  return b->index.listVersions(p);
}

}  // namespace edge::s3::disk
