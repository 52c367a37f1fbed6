#include "origin/s3/file_upload.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

#include "origin/s3/s3_digest.h"

namespace edge::s3::disk {

tl::expected<std::unique_ptr<FileUpload>, std::string> FileUpload::create(UploadTarget target) {
  EvpMdCtxPtr md5(EVP_MD_CTX_new());
  if (!md5 || EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr) != 1) {
    return tl::unexpected(std::string("MD5 context could not be created"));
  }
  std::string tmp = target.bucket_dir + "/tmp/u-" + randomHex(12);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return tl::unexpected(errnoMessage("create", tmp));
  return std::unique_ptr<FileUpload>(
      new FileUpload(std::move(target), std::move(tmp), fd, std::move(md5)));
}

FileUpload::~FileUpload() {
  if (fd_ >= 0) ::close(fd_);
  if (!moved_) ::unlink(tmp_path_.c_str());
}

bool FileUpload::write(const char* data, size_t len) {
  if (failed_ || fd_ < 0) return false;
  if (auto r = writeAll(fd_, data, len, tmp_path_); !r) {
    std::fprintf(stderr, "object store: %s\n", r.error().c_str());
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

std::string FileUpload::md5Hex() const {
  // Finalises a copy, so that this can be const and more writes could still follow.
  EvpMdCtxPtr copy(EVP_MD_CTX_new());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!copy || EVP_MD_CTX_copy_ex(copy.get(), md5_.get()) != 1 ||
      EVP_DigestFinal_ex(copy.get(), digest, &len) != 1) {
    return std::string();
  }
  return hexLower(std::string_view(reinterpret_cast<const char*>(digest), len));
}

IoResult FileUpload::finish() {
  if (failed_ || fd_ < 0) return tl::unexpected("an earlier write to " + tmp_path_ + " failed");
  if (::fsync(fd_) != 0) {
    failed_ = true;
    return tl::unexpected(errnoMessage("fsync", tmp_path_));
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    failed_ = true;
    return tl::unexpected(errnoMessage("close", tmp_path_));
  }
  return {};
}

}  // namespace edge::s3::disk
