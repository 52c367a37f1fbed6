// Opening the store: clean up what a crash left (temp files, unfinished buckets and uploads,
// orphan data files, a replaced null version) and rebuild every bucket's index from its
// metadata files. Damage (a file that does not parse, metadata without its data) refuses open.
#include "origin/s3/disk_object_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "origin/s3/version_id.h"

namespace edge::s3 {
namespace disk {

DiskObjectStore::~DiskObjectStore() {
  if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
}

tl::expected<void, std::string> DiskObjectStore::load() {
  if (auto r = makeDir(root_); !r) return r;
  const std::string lock_path = root_ + "/LOCK";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return tl::unexpected(errnoMessage("open", lock_path));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      return tl::unexpected(lock_path + ": the data directory is in use by another store");
    return tl::unexpected(errnoMessage("flock", lock_path));
  }
  if (auto r = makeDir(buckets_dir_); !r) return r;
  auto names = listDir(buckets_dir_);
  if (!names) return tl::unexpected(names.error());
  bool removed = false;
  for (const std::string& name : *names) {
    const std::string dir = buckets_dir_ + "/" + name;
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || !isValidBucketName(name))
      continue;
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
  if (record->info.name != name)
    return tl::unexpected(record_path + ": names bucket " + record->info.name);
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
    const std::optional<uint64_t> seq =
        name.size() == 21 ? parseSeqStem(std::string_view(name).substr(0, 16)) : std::nullopt;
    const std::string_view ext =
        name.size() == 21 ? std::string_view(name).substr(16) : std::string_view();
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
    if (v->seq != *seq)
      return tl::unexpected(path + ": seq " + std::to_string(v->seq) +
                            " in a file named for another");
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
        return tl::unexpected(path + ": its data file has " + std::to_string(st.st_size) +
                              " bytes, not " + std::to_string(v->size));
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
  std::sort(versions.begin(), versions.end(),
            [](const ObjectVersion& a, const ObjectVersion& c) { return a.seq > c.seq; });
  std::sort(missing_data.begin(), missing_data.end());
  for (ObjectVersion& v : versions) {
    if (v.version_id == kNullVersionId && b.index.findVersion(v.key, kNullVersionId) != nullptr) {
      if (auto r = removeVersionFiles(b.objects_dir, v); !r) return r;
      removed = true;
      continue;
    }
    const auto missing = std::lower_bound(missing_data.begin(), missing_data.end(),
                                          std::make_pair(v.seq, std::string()));
    if (!v.delete_marker && missing != missing_data.end() && missing->first == v.seq) {
      return tl::unexpected(missing->second + ": its data file is missing");
    }
    b.index.insert(std::move(v));
  }
  if (removed) return fsyncDir(b.objects_dir);
  return {};
}

}  // namespace disk

tl::expected<std::unique_ptr<ObjectStore>, std::string> ObjectStore::open(
    const std::string& data_dir) {
  if (data_dir.empty()) return tl::unexpected(std::string("empty data directory"));
  std::error_code ec;
  std::string root = std::filesystem::absolute(data_dir, ec).lexically_normal().string();
  if (ec) return tl::unexpected("data directory " + data_dir + ": " + ec.message());
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  auto store = std::make_unique<disk::DiskObjectStore>(std::move(root));
  if (auto r = store->load(); !r) return tl::unexpected(r.error());
  return std::unique_ptr<ObjectStore>(std::move(store));
}

}  // namespace edge::s3
