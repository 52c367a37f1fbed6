// The object store's names and on-disk records: S3's bucket-name and key rules, and the JSON of
// a version's metadata file and of bucket.json (both carry "format": 1). Pure functions; the
// files themselves are written by object_store.cc through writeFileDurably.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "origin/s3/object_store.h"

namespace edge::s3 {

inline constexpr int kStoreFormat = 1;
inline constexpr size_t kMaxKeyBytes = 1024;

// S3's rules for general purpose buckets: 3–63 characters of a–z 0–9 '.' '-', beginning and
// ending with a letter or digit, no "..", not an IPv4 address, none of the reserved prefixes
// ("xn--", "sthree-", "amzn-s3-demo-") or suffixes ("-s3alias", "--ol-s3", ".mrap", "--x-s3").
bool isValidBucketName(std::string_view name);
// A key is 1..1024 bytes of UTF-8: KeyTooLongError beyond, InvalidArgument when empty or not
// UTF-8; nullopt when fine. Any byte sequence that is UTF-8 is allowed ('/', "..", spaces …).
std::optional<StoreError> checkKey(std::string_view key);
bool isValidUtf8(std::string_view s);

// File names under objects/: 16 lowercase hex digits of the version's seq, then ".data"/".meta".
std::string seqStem(uint64_t seq);
std::optional<uint64_t> parseSeqStem(std::string_view stem);

// A version's metadata file. data_path and is_latest are not stored (they depend on where the
// store is and on the other versions). Header names and values round-trip byte for byte, also
// when they are not UTF-8.
std::string encodeVersionMeta(const ObjectVersion& v);
// The error says what is wrong (not which file: the caller knows).
tl::expected<ObjectVersion, std::string> decodeVersionMeta(std::string_view text);

struct BucketRecord {
  BucketInfo info;
  Versioning versioning = Versioning::Unversioned;
  bool operator==(const BucketRecord& o) const {
    return info.name == o.info.name && info.created_ms == o.info.created_ms &&
           versioning == o.versioning;
  }
};
std::string encodeBucketRecord(const BucketRecord& b);
tl::expected<BucketRecord, std::string> decodeBucketRecord(std::string_view text);

}  // namespace edge::s3
