// The object store's Upload: the bytes of one PUT written to a temp file in the bucket's tmp/
// directory and hashed (MD5, OpenSSL EVP) as they arrive. persist() fsyncs it with finish() and
// renames it into objects/. Destroyed before that, it removes its temp file.
// Threads: created on the store's owner thread; write/finish then run on any one thread.
#pragma once

#include <memory>
#include <string>

#include <openssl/evp.h>
#include <tl/expected.hpp>

#include "origin/s3/durable_file.h"
#include "origin/s3/object_store.h"

namespace edge::s3::disk {

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree>;

// Where an upload goes, fixed at beginUpload.
struct UploadTarget {
  const void* store = nullptr;  // identity of the store that began it
  std::string bucket;
  uint64_t bucket_epoch = 0;
  std::string key;
  Versioning versioning = Versioning::Unversioned;  // decides the version id
  std::string bucket_dir;                           // absolute
};

class FileUpload final : public Upload {
 public:
  // Creates the temp file (a random name under <bucket_dir>/tmp/).
  static tl::expected<std::unique_ptr<FileUpload>, std::string> create(UploadTarget target);
  ~FileUpload() override;

  bool write(const char* data, size_t len) override;
  uint64_t size() const override { return size_; }
  std::string md5Hex() const override;

  // fsync and close the temp file; fails when any write failed or fsync/close does.
  IoResult finish();
  // The temp file was renamed away: the destructor must not remove that name.
  void markMoved() { moved_ = true; }
  const UploadTarget& target() const { return target_; }
  const std::string& tmpPath() const { return tmp_path_; }

 private:
  FileUpload(UploadTarget target, std::string tmp_path, int fd, EvpMdCtxPtr md5)
      : target_(std::move(target)), tmp_path_(std::move(tmp_path)), fd_(fd), md5_(std::move(md5)) {}

  const UploadTarget target_;
  const std::string tmp_path_;
  int fd_;
  EvpMdCtxPtr md5_;
  uint64_t size_ = 0;
  bool failed_ = false;
  bool moved_ = false;
};

}  // namespace edge::s3::disk
