// The object store on disk (see object_store.h for the contract).
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
//           then the old one is unlinked, .meta before .data. A crash in between leaves two
//           null versions of the key; open keeps the higher seq.
//   delete: unlink .meta, unlink .data, fsync objects/. A crash in between leaves an orphan.
// So every .meta that parses names a whole version, and a .meta that does not parse cannot be
// a torn write (renames are atomic): open refuses it as damage, naming the file.
#include "origin/s3/object_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <openssl/evp.h>

#include "origin/s3/durable_file.h"
#include "origin/s3/object_index.h"
#include "origin/s3/store_format.h"
#include "origin/s3/version_id.h"

namespace edge::s3 {

std::string_view toString(StoreError e) {
  switch (e) {
    case StoreError::NoSuchBucket: return "NoSuchBucket";
    case StoreError::NoSuchKey: return "NoSuchKey";
    case StoreError::NoSuchVersion: return "NoSuchVersion";
    case StoreError::BucketAlreadyOwnedByYou: return "BucketAlreadyOwnedByYou";
    case StoreError::BucketNotEmpty: return "BucketNotEmpty";
    case StoreError::InvalidBucketName: return "InvalidBucketName";
    case StoreError::KeyTooLongError: return "KeyTooLongError";
    case StoreError::InvalidArgument: return "InvalidArgument";
    case StoreError::MethodNotAllowed: return "MethodNotAllowed";
    case StoreError::InternalError: return "InternalError";
  }
  return "InternalError";
}

std::ostream& operator<<(std::ostream& os, StoreError e) { return os << toString(e); }

std::string_view toString(Versioning v) {
  switch (v) {
    case Versioning::Unversioned: return "";
    case Versioning::Enabled: return "Enabled";
    case Versioning::Suspended: return "Suspended";
  }
  return "";
}

namespace {

int64_t nowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void logIoError(const std::string& message) { std::fprintf(stderr, "object store: %s\n", message.c_str()); }

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;

std::string metaPath(const std::string& objects_dir, uint64_t seq) {
  return objects_dir + "/" + seqStem(seq) + ".meta";
}
std::string dataPath(const std::string& objects_dir, uint64_t seq) {
  return objects_dir + "/" + seqStem(seq) + ".data";
}

// Unlinks a version's files, metadata first (so it stops existing before its bytes go).
IoResult removeVersionFiles(const std::string& objects_dir, const ObjectVersion& v) {
  if (auto r = removeFile(metaPath(objects_dir, v.seq)); !r) return r;
  if (v.delete_marker) return {};
  return removeFile(dataPath(objects_dir, v.seq));
}

// An upload: a temp file in the bucket's tmp/ and a running MD5. Owned by whoever drives it;
// write() and persist may run on any one thread at a time.
class FileUpload final : public Upload {
 public:
  FileUpload(const void* store, std::string bucket, uint64_t epoch, std::string key, Versioning versioning,
             std::string bucket_dir, std::string tmp_path, int fd, EvpMdCtxPtr md5)
      : store_(store),
        bucket_(std::move(bucket)),
        epoch_(epoch),
        key_(std::move(key)),
        versioning_(versioning),
        bucket_dir_(std::move(bucket_dir)),
        tmp_path_(std::move(tmp_path)),
        fd_(fd),
        md5_(std::move(md5)) {}

  ~FileUpload() override {
    closeFd();
    if (!persisted_) ::unlink(tmp_path_.c_str());
  }

  bool write(const char* data, size_t len) override {
    if (failed_ || fd_ < 0) return false;
    if (auto r = writeAll(fd_, data, len, tmp_path_); !r) {
      logIoError(r.error());
      failed_ = true;
      return false;
    }
    if (EVP_DigestUpdate(md5_.get(), data, len) != 1) {
      failed_ = true;
      return false;
    }
    size_ += len;
    return true;
  }

  uint64_t size() const override { return size_; }

  std::string md5Hex() const override {
    // Finalises a copy, so more writes could follow (and so this can be const).
    EvpMdCtxPtr copy(EVP_MD_CTX_new());
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!copy || EVP_MD_CTX_copy_ex(copy.get(), md5_.get()) != 1 ||
        EVP_DigestFinal_ex(copy.get(), digest, &len) != 1) {
      return std::string();
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
      out += kHex[digest[i] >> 4];
      out += kHex[digest[i] & 0xf];
    }
    return out;
  }

  // fsync and close the temp file; false when any write failed or the data is not durable.
  IoResult finish() {
    if (failed_) return tl::unexpected("an earlier write to " + tmp_path_ + " failed");
    if (::fsync(fd_) != 0) return tl::unexpected(errnoMessage("fsync", tmp_path_));
    if (::close(fd_) != 0) {
      fd_ = -1;
      return tl::unexpected(errnoMessage("close", tmp_path_));
    }
    fd_ = -1;
    return {};
  }

  void closeFd() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  const void* store_;
  std::string bucket_;
  uint64_t epoch_;
  std::string key_;
  Versioning versioning_;
  std::string bucket_dir_;
  std::string tmp_path_;
  bool persisted_ = false;

 private:
  int fd_;
  EvpMdCtxPtr md5_;
  uint64_t size_ = 0;
  bool failed_ = false;
};

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
  explicit DiskObjectStore(std::string root) : root_(std::move(root)), buckets_dir_(root_ + "/buckets") {}

  tl::expected<void, std::string> load();

  tl::expected<void, StoreError> createBucket(const std::string& name) override;
  tl::expected<void, StoreError> deleteBucket(const std::string& name) override;
  std::vector<BucketInfo> listBuckets() const override;
  bool hasBucket(std::string_view name) const override { return buckets_.find(name) != buckets_.end(); }
  tl::expected<Versioning, StoreError> versioning(const std::string& bucket) const override;
  tl::expected<void, StoreError> setVersioning(const std::string& bucket, Versioning v) override;
  tl::expected<ObjectVersion, StoreError> lookup(const std::string& bucket, const std::string& key,
                                                 const std::optional<std::string>& version_id,
                                                 ObjectVersion* marker_out) const override;
  tl::expected<UploadPtr, StoreError> beginUpload(const std::string& bucket, const std::string& key) override;
  tl::expected<PersistedVersion, StoreError> persist(UploadPtr upload, policies::HeaderList stored_headers) override;
  ObjectVersion publish(PersistedVersion v) override;
  tl::expected<DeleteResult, StoreError> deleteObject(const std::string& bucket, const std::string& key,
                                                      const std::optional<std::string>& version_id) override;
  tl::expected<ListResult, StoreError> list(const std::string& bucket, const ListParams& p) const override;
  tl::expected<VersionListResult, StoreError> listVersions(const std::string& bucket,
                                                           const VersionListParams& p) const override;

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
  tl::expected<ObjectVersion, StoreError> writeMarker(const Bucket& b, const std::string& key, bool null_id);
  // Removes a version from disk (durably) and from the index.
  tl::expected<void, StoreError> removeVersion(Bucket& b, const ObjectVersion& v);

  const std::string root_;
  const std::string buckets_dir_;
  std::map<std::string, Bucket, std::less<>> buckets_;  // owner thread
  uint64_t next_epoch_ = 1;                             // owner thread
  std::atomic<uint64_t> next_seq_{1};                   // any thread (persist)
};

// ---- open ---------------------------------------------------------------------------------------

tl::expected<void, std::string> DiskObjectStore::load() {
  if (auto r = makeDir(root_); !r) return r;
  if (auto r = makeDir(buckets_dir_); !r) return r;
  auto names = listDir(buckets_dir_);
  if (!names) return tl::unexpected(names.error());
  bool removed = false;
  for (const std::string& name : *names) {
    const std::string dir = buckets_dir_ + "/" + name;
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !isValidBucketName(name)) continue;
    // No bucket.json: a createBucket or deleteBucket that did not finish. Either way the
    // bucket does not exist (create writes bucket.json last, delete removes it first).
    if (::access((dir + "/bucket.json").c_str(), F_OK) != 0) {
      if (auto r = removeTree(dir); !r) return r;
      removed = true;
      continue;
    }
    if (auto r = loadBucket(name); !r) return r;
  }
  if (removed) {
    if (auto r = fsyncDir(buckets_dir_); !r) return r;
  }
  return {};
}

tl::expected<void, std::string> DiskObjectStore::loadBucket(const std::string& name) {
  Bucket b;
  b.dir = buckets_dir_ + "/" + name;
  b.objects_dir = b.dir + "/objects";
  const std::string record_path = b.dir + "/bucket.json";
  auto text = readWholeFile(record_path);
  if (!text) return tl::unexpected(text.error());
  auto record = decodeBucketRecord(*text);
  if (!record) return tl::unexpected(record_path + ": " + record.error());
  if (record->info.name != name) return tl::unexpected(record_path + ": names bucket " + record->info.name);
  b.record = std::move(*record);

  auto entries = listDir(b.dir);
  if (!entries) return tl::unexpected(entries.error());
  for (const std::string& e : *entries) {
    if (isDurableTempName(e)) {
      if (auto r = removeFile(b.dir + "/" + e); !r) return r;
    }
  }
  // Uploads in progress died with the process that received them.
  if (auto r = removeTree(b.dir + "/tmp"); !r) return r;
  if (auto r = makeDir(b.dir + "/tmp"); !r) return r;
  if (auto r = makeDir(b.objects_dir); !r) return r;
  if (auto r = loadObjects(b); !r) return r;
  b.epoch = next_epoch_++;
  buckets_.emplace(name, std::move(b));
  return {};
}

tl::expected<void, std::string> DiskObjectStore::loadObjects(Bucket& b) {
  auto names = listDir(b.objects_dir);
  if (!names) return tl::unexpected(names.error());
  std::vector<ObjectVersion> versions;
  std::vector<uint64_t> data_seqs;
  std::vector<std::pair<uint64_t, std::string>> missing_data;  // seq, metadata path
  bool removed = false;
  for (const std::string& name : *names) {
    const std::string path = b.objects_dir + "/" + name;
    if (isDurableTempName(name)) {
      if (auto r = removeFile(path); !r) return r;
      removed = true;
      continue;
    }
    const std::optional<uint64_t> seq = name.size() == 21 ? parseSeqStem(std::string_view(name).substr(0, 16)) : std::nullopt;
    const std::string_view ext = name.size() == 21 ? std::string_view(name).substr(16) : std::string_view();
    if (!seq || (ext != ".meta" && ext != ".data")) continue;  // not ours: left alone
    next_seq_ = std::max(next_seq_.load(), *seq + 1);
    if (ext == ".data") {
      data_seqs.push_back(*seq);
      continue;
    }
    auto text = readWholeFile(path);
    if (!text) return tl::unexpected(text.error());
    auto v = decodeVersionMeta(*text);
    if (!v) return tl::unexpected(path + ": " + v.error());
    if (v->seq != *seq) return tl::unexpected(path + ": seq " + std::to_string(v->seq) + " in a file named for another");
    if (!v->delete_marker) {
      v->data_path = dataPath(b.objects_dir, *seq);
      struct stat st {};
      if (::stat(v->data_path.c_str(), &st) != 0) {
        // Acceptable only for a null version that a newer one replaced (publish unlinks the
        // replaced files without a directory fsync); checked once all versions are known.
        missing_data.push_back({*seq, path});
        versions.push_back(std::move(*v));
        continue;
      }
      if (static_cast<uint64_t>(st.st_size) != v->size) {
        return tl::unexpected(path + ": its data file has " + std::to_string(st.st_size) + " bytes, not " +
                              std::to_string(v->size));
      }
    }
    versions.push_back(std::move(*v));
  }
  // Data files without metadata: a put that crashed before its metadata, or a delete that
  // crashed after removing it.
  std::sort(data_seqs.begin(), data_seqs.end());
  std::vector<uint64_t> live;
  for (const ObjectVersion& v : versions) {
    if (!v.delete_marker) live.push_back(v.seq);
  }
  std::sort(live.begin(), live.end());
  for (uint64_t seq : data_seqs) {
    if (std::binary_search(live.begin(), live.end(), seq)) continue;
    if (auto r = removeFile(dataPath(b.objects_dir, seq)); !r) return r;
    removed = true;
  }
  // Newest first, so a key's first "null" version is the one to keep; an older one is what a
  // crash left behind while replacing it.
  std::sort(versions.begin(), versions.end(), [](const ObjectVersion& a, const ObjectVersion& c) { return a.seq > c.seq; });
  std::sort(missing_data.begin(), missing_data.end());
  for (ObjectVersion& v : versions) {
    if (v.version_id == kNullVersionId && b.index.findVersion(v.key, kNullVersionId) != nullptr) {
      if (auto r = removeVersionFiles(b.objects_dir, v); !r) return r;
      removed = true;
      continue;
    }
    const auto missing = std::lower_bound(missing_data.begin(), missing_data.end(), std::make_pair(v.seq, std::string()));
    if (!v.delete_marker && missing != missing_data.end() && missing->first == v.seq) {
      return tl::unexpected(missing->second + ": its data file is missing");
    }
    b.index.insert(std::move(v));
  }
  if (removed) return fsyncDir(b.objects_dir);
  return {};
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

tl::expected<void, StoreError> DiskObjectStore::setVersioning(const std::string& bucket, Versioning v) {
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

tl::expected<ObjectVersion, StoreError> DiskObjectStore::lookup(const std::string& bucket, const std::string& key,
                                                                const std::optional<std::string>& version_id,
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

tl::expected<UploadPtr, StoreError> DiskObjectStore::beginUpload(const std::string& bucket, const std::string& key) {
  const Bucket* b = findBucket(bucket);
  if (b == nullptr) return tl::unexpected(StoreError::NoSuchBucket);
  if (auto e = checkKey(key)) return tl::unexpected(*e);
  EvpMdCtxPtr md5(EVP_MD_CTX_new());
  if (!md5 || EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1) return tl::unexpected(StoreError::InternalError);
  const std::string tmp = b->dir + "/tmp/u-" + randomHex(12);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    logIoError(errnoMessage("create", tmp));
    return tl::unexpected(StoreError::InternalError);
  }
  return std::make_unique<FileUpload>(this, bucket, b->epoch, key, b->record.versioning, b->dir, tmp, fd, std::move(md5));
}

tl::expected<PersistedVersion, StoreError> DiskObjectStore::persist(UploadPtr upload,
                                                                    policies::HeaderList stored_headers) {
  auto* up = dynamic_cast<FileUpload*>(upload.get());
  if (up == nullptr || up->store_ != this) return tl::unexpected(StoreError::InternalError);
  IoResult r = up->finish();
  if (!r) {
    logIoError(r.error());
    return tl::unexpected(StoreError::InternalError);
  }
  PersistedVersion out;
  out.bucket = up->bucket_;
  out.bucket_epoch = up->epoch_;
  ObjectVersion& v = out.version;
  v.seq = next_seq_.fetch_add(1);
  v.key = up->key_;
  v.version_id = up->versioning_ == Versioning::Enabled ? makeVersionId(v.seq) : std::string(kNullVersionId);
  v.size = up->size();
  v.etag = "\"" + up->md5Hex() + "\"";
  v.last_modified_ms = nowMs();
  v.headers = std::move(stored_headers);
  const std::string objects_dir = up->bucket_dir_ + "/objects";
  v.data_path = dataPath(objects_dir, v.seq);
  if (::rename(up->tmp_path_.c_str(), v.data_path.c_str()) != 0) {
    logIoError(errnoMessage("rename to " + v.data_path, up->tmp_path_));
    return tl::unexpected(StoreError::InternalError);
  }
  up->persisted_ = true;
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

tl::expected<ObjectVersion, StoreError> DiskObjectStore::writeMarker(const Bucket& b, const std::string& key,
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
    if (::access(metaPath(b.objects_dir, seq).c_str(), F_OK) == 0) return tl::unexpected(StoreError::InternalError);
    b.index.erase(key, seq);
    return tl::unexpected(StoreError::InternalError);
  }
  b.index.erase(key, seq);
  if (!marker) {
    if (auto rr = removeFile(dataPath(b.objects_dir, seq)); !rr) logIoError(rr.error());  // an orphan now
  }
  return {};
}

tl::expected<DeleteResult, StoreError> DiskObjectStore::deleteObject(const std::string& bucket, const std::string& key,
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

tl::expected<ListResult, StoreError> DiskObjectStore::list(const std::string& bucket, const ListParams& p) const {
  const Bucket* b = findBucket(bucket);
  if (b == nullptr) return tl::unexpected(StoreError::NoSuchBucket);
  if (p.max_keys < 0) return tl::unexpected(StoreError::InvalidArgument);
  ListParams clamped = p;
  clamped.max_keys = std::min(p.max_keys, 1000);
  return b->index.list(clamped);
}

tl::expected<VersionListResult, StoreError> DiskObjectStore::listVersions(const std::string& bucket,
                                                                          const VersionListParams& p) const {
  const Bucket* b = findBucket(bucket);
  if (b == nullptr) return tl::unexpected(StoreError::NoSuchBucket);
  if (p.max_keys < 0) return tl::unexpected(StoreError::InvalidArgument);
  // S3: "A version-id marker cannot be specified without a key marker."
  if (!p.version_id_marker.empty() && (p.key_marker.empty() || !isValidVersionId(p.version_id_marker))) {
    return tl::unexpected(StoreError::InvalidArgument);
  }
  VersionListParams clamped = p;
  clamped.max_keys = std::min(p.max_keys, 1000);
  return b->index.listVersions(clamped);
}

}  // namespace

tl::expected<std::unique_ptr<ObjectStore>, std::string> ObjectStore::open(const std::string& data_dir) {
  if (data_dir.empty()) return tl::unexpected(std::string("empty data directory"));
  std::error_code ec;
  std::string root = std::filesystem::absolute(data_dir, ec).lexically_normal().string();
  if (ec) return tl::unexpected("data directory " + data_dir + ": " + ec.message());
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  auto store = std::make_unique<DiskObjectStore>(std::move(root));
  if (auto r = store->load(); !r) return tl::unexpected(r.error());
  return std::unique_ptr<ObjectStore>(std::move(store));
}

}  // namespace edge::s3
