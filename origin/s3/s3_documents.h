// The XML documents the bundled S3 server sends (other than errors, see s3_errors.h), rendered
// from the object store's result types. Element names and order follow the S3 API reference
// (ListBucketResult, ListVersionsResult, ListAllMyBucketsResult, DeleteResult,
// CopyObjectResult, VersioningConfiguration, LocationConstraint). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "origin/s3/object_store.h"

namespace edge::s3 {

// "2026-11-29T12:00:00.000Z" (S3's timestamps in XML).
std::string formatIso8601(int64_t epoch_ms);

// The request side of a listing, echoed in the result (values as the client sent them, decoded).
struct ListEcho {
  std::string bucket;
  std::string prefix;
  std::optional<std::string> delimiter;
  int max_keys = 1000;
  bool url_encoding = false;  // encoding-type=url: Key, Prefix, Delimiter, markers %-encoded
  // V1
  std::string marker;
  // V2
  std::optional<std::string> continuation_token;  // as received (opaque)
  std::optional<std::string> start_after;
  std::optional<std::string> next_continuation_token;  // set when truncated
  // Versions
  std::string key_marker;
  std::string version_id_marker;
};

std::string renderListObjectsV2(const ListEcho& e, const ListResult& r);
std::string renderListObjectsV1(const ListEcho& e, const ListResult& r);
std::string renderListVersions(const ListEcho& e, const VersionListResult& r);
std::string renderListBuckets(const std::vector<BucketInfo>& buckets);
std::string renderLocation(std::string_view region);  // empty element for us-east-1
std::string renderVersioning(Versioning v);
std::string renderCopyResult(const ObjectVersion& v);

// One entry of a DeleteObjects answer.
struct DeleteOutcome {
  std::string key;
  std::string version_id;     // as requested ("" when none)
  bool ok = true;
  bool delete_marker = false;
  std::string delete_marker_version_id;
  std::string error_code, error_message;  // when !ok
};
std::string renderDeleteResult(const std::vector<DeleteOutcome>& outcomes, bool quiet);

// The opaque ListObjectsV2 continuation token for "continue after `last`", and back
// (nullopt when the token is not one of ours).
std::string makeContinuationToken(std::string_view last);
std::optional<std::string> parseContinuationToken(std::string_view token);

}  // namespace edge::s3
