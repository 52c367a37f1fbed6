// The bundled S3 server's storage: buckets, objects and their versions on a local disk, with S3's
// versioning semantics and durable writes. No HTTP here (s3_service.h speaks S3's REST API over
// this); this file knows files, fsync and the in-memory index.
//
// On disk, under the data directory (format documented in object_store.cc):
//   buckets/<bucket>/bucket.json           versioning state, creation time
//   buckets/<bucket>/objects/…             one data file + one metadata file per version
//   buckets/<bucket>/tmp/…                 uploads in progress (removed at open)
// Data and metadata files are named by the version's seq, never by its key. A version becomes
// visible only when its metadata file is renamed into place; the data file is renamed first and
// both are fsync'ed, then the directory. A torn write therefore never shows as
// an object, and an acknowledged write survives kill -9 (and power loss, as far as fsync does).
//
// The index (every key and its versions, sorted) lives in memory, rebuilt from the metadata files
// at open. Threads: one owner thread (the S3 server's loop) calls everything except
// Upload::write and ObjectStore::persist, which may run on a worker thread (libuv's pool) so
// fsync never blocks the loop; persist touches no index state.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "policies/http_types.h"

namespace edge::s3 {

// S3 error codes the store can produce (s3_errors maps them to status and XML).
enum class StoreError : uint8_t {
  NoSuchBucket,
  NoSuchKey,
  NoSuchVersion,
  BucketAlreadyOwnedByYou,
  BucketNotEmpty,
  InvalidBucketName,
  KeyTooLongError,   // key > 1024 bytes
  InvalidArgument,   // empty key, bad version id syntax …
  MethodNotAllowed,  // GET/HEAD of a specific version that is a delete marker
  InternalError,     // I/O failure (message in the log)
};
std::string_view toString(StoreError e);
std::ostream& operator<<(std::ostream& os, StoreError e);

enum class Versioning : uint8_t { Unversioned, Enabled, Suspended };
std::string_view toString(Versioning v);  // "", "Enabled", "Suspended"

struct BucketInfo {
  std::string name;
  int64_t created_ms = 0;
};

// One version of a key (or a delete marker).
struct ObjectVersion {
  std::string key;
  std::string version_id;  // "null" for writes while unversioned or suspended
  uint64_t seq = 0;        // store-wide write order; larger = newer
  bool delete_marker = false;
  bool is_latest = false;  // filled by lookups and listings
  uint64_t size = 0;
  std::string etag;  // "\"<md5 hex>\"", quotes included
  int64_t last_modified_ms = 0;
  // Stored response headers, as given at PUT: Content-Type, Cache-Control, Expires,
  // Content-Encoding, Content-Disposition, Content-Language and x-amz-meta-* (names lowercased).
  policies::HeaderList headers;
  std::string data_path;  // absolute path of the data file ("" for a delete marker)
};

// Bytes of one upload being received, written to a temporary file and hashed (MD5) as they come.
class Upload {
 public:
  virtual ~Upload() = default;  // an upload destroyed before persist removes its temp file
  // false on I/O error (disk full …); the upload is then spoilt and persist() fails.
  virtual bool write(const char* data, size_t len) = 0;
  virtual uint64_t size() const = 0;
  virtual std::string md5Hex() const = 0;  // valid once all bytes are written
};
using UploadPtr = std::unique_ptr<Upload>;

// A version whose files are durable but not yet in the index (see publish()).
struct PersistedVersion {
  std::string bucket;
  ObjectVersion version;
  uint64_t bucket_epoch = 0;  // the store's: which incarnation of `bucket` the upload began in
};

struct ListParams {
  std::string prefix;
  std::string delimiter;    // "" = none
  int max_keys = 1000;      // 0..1000: more is taken as 1000, negative is InvalidArgument
  std::string start_after;  // exclusive: keys (or common prefixes) > start_after
};
// Keys are in byte order (UTF-8 sorts by code point). A common prefix is listed once, counts once
// toward max_keys and only when some key under it is not deleted. max_keys 0 lists nothing and
// is not truncated.
struct ListResult {
  // The latest non-delete-marker version per key, key order (is_latest set).
  std::vector<ObjectVersion> contents;
  std::vector<std::string> common_prefixes;  // in order, interleaved by key order with contents
  bool truncated = false;
  std::string last_returned;  // the last key or common prefix returned (next start_after)
};

struct VersionListParams {
  std::string prefix;
  std::string delimiter;
  int max_keys = 1000;
  std::string key_marker;  // exclusive key, or with version_id_marker: that key after that version
  // "null" or an id; needs a key_marker (else InvalidArgument, as S3). Ids carry their seq, so an
  // id whose version was deleted since still marks the place.
  std::string version_id_marker;
};
struct VersionListResult {
  std::vector<ObjectVersion> versions;  // key ascending, newest first within a key; markers too
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  // Set only when truncated: the last key (or common prefix) returned and the last version id
  // returned ("" after a common prefix); pass them back as key_marker / version_id_marker.
  std::string next_key_marker;
  std::string next_version_id_marker;
};

struct DeleteResult {
  bool delete_marker = false;  // a delete marker was created, or the deleted version was one
  std::string version_id;      // of the marker created or the version deleted; "" when unversioned
};
// Deleting a key or a (well-formed) version id that does not exist succeeds and changes nothing,
// as in S3 (a retried DELETE must not fail); the result then echoes the id given.

class ObjectStore {
 public:
  // Opens (creating if needed) the store under `data_dir`: removes leftover temp files, rebuilds
  // the index. The error names the file that could not be read.
  static tl::expected<std::unique_ptr<ObjectStore>, std::string> open(const std::string& data_dir);
  virtual ~ObjectStore() = default;

  // Buckets (names per S3's rules: 3–63 of a–z 0–9 . -, starting and ending with a letter/digit).
  virtual tl::expected<void, StoreError> createBucket(const std::string& name) = 0;
  virtual tl::expected<void, StoreError> deleteBucket(const std::string& name) = 0;
  virtual std::vector<BucketInfo> listBuckets() const = 0;
  virtual bool hasBucket(std::string_view name) const = 0;
  virtual tl::expected<Versioning, StoreError> versioning(const std::string& bucket) const = 0;
  // Enabled or Suspended (S3 cannot go back to Unversioned). Durable before it returns.
  virtual tl::expected<void, StoreError> setVersioning(const std::string& bucket, Versioning v) = 0;

  // The current version of `key`, or the given version. A current delete marker → NoSuchKey
  // (with the marker in `marker_out` when given, for x-amz-delete-marker); a specific version
  // that is a delete marker → MethodNotAllowed (marker in `marker_out` too). Unknown version id
  // → NoSuchVersion; an id that is neither "null" nor one this store could make →
  // InvalidArgument. Key checks as beginUpload. A map lookup: no disk access.
  virtual tl::expected<ObjectVersion, StoreError> lookup(
      const std::string& bucket, const std::string& key,
      const std::optional<std::string>& version_id, ObjectVersion* marker_out = nullptr) const = 0;

  // Writing an object: beginUpload (owner thread), Upload::write and persist (any one thread),
  // publish (owner thread). persist decides the version id from the bucket's versioning state
  // at begin time. beginUpload: NoSuchBucket, KeyTooLongError (> 1024 bytes), InvalidArgument
  // (empty or not UTF-8). persist: InternalError after a failed write, an I/O error or an Upload
  // from another store; when it succeeds the version is durable (kill -9 keeps it), so the
  // response may be sent right after publish.
  virtual tl::expected<UploadPtr, StoreError> beginUpload(const std::string& bucket,
                                                          const std::string& key) = 0;
  virtual tl::expected<PersistedVersion, StoreError> persist(
      UploadPtr upload, policies::HeaderList stored_headers) = 0;
  // Makes the persisted version current (or, for a concurrent older write, just one more
  // version: the highest seq wins). Replaced "null" versions are removed from disk; a null
  // version that lost to a newer one is removed itself. The result's is_latest says whether it
  // became current.
  virtual ObjectVersion publish(PersistedVersion v) = 0;

  // DeleteObject semantics: without a version id, unversioned → remove the key; enabled →
  // add a delete marker; suspended → replace the "null" version with a null delete marker.
  // With a version id → remove that version permanently. Durable before it returns.
  virtual tl::expected<DeleteResult, StoreError> deleteObject(
      const std::string& bucket, const std::string& key,
      const std::optional<std::string>& version_id) = 0;

  virtual tl::expected<ListResult, StoreError> list(const std::string& bucket,
                                                    const ListParams& p) const = 0;
  virtual tl::expected<VersionListResult, StoreError> listVersions(
      const std::string& bucket, const VersionListParams& p) const = 0;
};

// Writes `bytes` to `path` durably: temp file in the same directory, fsync, rename, fsync the
// directory. Shared by the store's metadata files and bucket.json.
tl::expected<void, std::string> writeFileDurably(const std::string& path, std::string_view bytes);

}  // namespace edge::s3
