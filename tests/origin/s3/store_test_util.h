// Helpers for the object store's tests: a temporary directory removed afterwards, a one-call
// put (begin, write, persist, publish), file reading and MD5.
#pragma once

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "origin/s3/object_store.h"

namespace edge::s3::testing {

class TempDir {
 public:
  TempDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "s3store-test-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) std::abort();
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string md5Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xf];
  }
  return out;
}

inline std::string readFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::unique_ptr<ObjectStore> openStore(const std::string& dir) {
  auto s = ObjectStore::open(dir);
  if (!s) ADD_FAILURE() << "open: " << s.error();
  return s ? std::move(*s) : nullptr;
}

// begin + write + persist; the version is durable but not published.
inline tl::expected<PersistedVersion, StoreError> persistObject(ObjectStore& store,
                                                                const std::string& bucket,
                                                                const std::string& key,
                                                                const std::string& body,
                                                                policies::HeaderList headers = {}) {
  auto up = store.beginUpload(bucket, key);
  if (!up) return tl::unexpected(up.error());
  if (!(*up)->write(body.data(), body.size())) return tl::unexpected(StoreError::InternalError);
  return store.persist(std::move(*up), std::move(headers));
}

inline tl::expected<ObjectVersion, StoreError> put(ObjectStore& store, const std::string& bucket,
                                                   const std::string& key, const std::string& body,
                                                   policies::HeaderList headers = {}) {
  auto p = persistObject(store, bucket, key, body, std::move(headers));
  if (!p) return tl::unexpected(p.error());
  return store.publish(std::move(*p));
}

// The body of the current version (or "<error>").
inline std::string get(ObjectStore& store, const std::string& bucket, const std::string& key,
                       const std::optional<std::string>& version_id = std::nullopt) {
  auto v = store.lookup(bucket, key, version_id);
  if (!v) return "<" + std::string(toString(v.error())) + ">";
  return readFileOrEmpty(v->data_path);
}

}  // namespace edge::s3::testing
