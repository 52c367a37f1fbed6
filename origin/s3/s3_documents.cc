#include "origin/s3/s3_documents.h"

#include <ctime>

#include "origin/s3/s3_digest.h"
#include "origin/s3/s3_request.h"
#include "origin/s3/s3_xml.h"

namespace edge::s3 {

namespace {

// The bundled server has one owner: every object and bucket belongs to it.
constexpr std::string_view kOwnerId = "edged-s3";

void owner(XmlWriter& w) {
  w.open("Owner");
  w.element("ID", kOwnerId);
  w.element("DisplayName", kOwnerId);
  w.close("Owner");
}

std::string enc(const ListEcho& e, std::string_view s) {
  return e.url_encoding ? urlEncodeForListing(s) : std::string(s);
}

void objectEntry(XmlWriter& w, const ListEcho& e, const ObjectVersion& v) {
  w.open("Contents");
  w.element("Key", enc(e, v.key));
  w.element("LastModified", formatIso8601(v.last_modified_ms));
  w.element("ETag", v.etag);
  w.element("Size", v.size);
  w.element("StorageClass", "STANDARD");
  w.close("Contents");
}

void commonPrefixes(XmlWriter& w, const ListEcho& e, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes) {
    w.open("CommonPrefixes");
    w.element("Prefix", enc(e, p));
    w.close("CommonPrefixes");
  }
}

void head(XmlWriter& w, const ListEcho& e, std::string_view root) {
  w.open(root, kS3Xmlns);
  w.element("Name", e.bucket);
  w.element("Prefix", enc(e, e.prefix));
}

}  // namespace

std::string formatIso8601(int64_t epoch_ms) {
  const time_t secs = static_cast<time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
  return buf;
}

std::string renderListObjectsV2(const ListEcho& e, const ListResult& r) {
  XmlWriter w;
  head(w, e, "ListBucketResult");
  if (e.delimiter) w.element("Delimiter", enc(e, *e.delimiter));
  w.element("MaxKeys", static_cast<uint64_t>(e.max_keys));
  if (e.url_encoding) w.element("EncodingType", "url");
  w.element("KeyCount", static_cast<uint64_t>(r.contents.size() + r.common_prefixes.size()));
  w.boolElement("IsTruncated", r.truncated);
  if (e.continuation_token) w.element("ContinuationToken", *e.continuation_token);
  if (e.next_continuation_token) w.element("NextContinuationToken", *e.next_continuation_token);
  if (e.start_after) w.element("StartAfter", enc(e, *e.start_after));
  for (const auto& v : r.contents) objectEntry(w, e, v);
  commonPrefixes(w, e, r.common_prefixes);
  w.close("ListBucketResult");
  return w.take();
}

std::string renderListObjectsV1(const ListEcho& e, const ListResult& r) {
  XmlWriter w;
  head(w, e, "ListBucketResult");
  w.element("Marker", enc(e, e.marker));
  // S3 sends NextMarker only with a delimiter; without one clients continue from the last Key.
  if (r.truncated && e.delimiter) w.element("NextMarker", enc(e, r.last_returned));
  if (e.delimiter) w.element("Delimiter", enc(e, *e.delimiter));
  w.element("MaxKeys", static_cast<uint64_t>(e.max_keys));
  if (e.url_encoding) w.element("EncodingType", "url");
  w.boolElement("IsTruncated", r.truncated);
  for (const auto& v : r.contents) objectEntry(w, e, v);
  commonPrefixes(w, e, r.common_prefixes);
  w.close("ListBucketResult");
  return w.take();
}

std::string renderListVersions(const ListEcho& e, const VersionListResult& r) {
  XmlWriter w;
  head(w, e, "ListVersionsResult");
  w.element("KeyMarker", enc(e, e.key_marker));
  w.element("VersionIdMarker", e.version_id_marker);
  if (r.truncated) {
    w.element("NextKeyMarker", enc(e, r.next_key_marker));
    w.element("NextVersionIdMarker", r.next_version_id_marker);
  }
  if (e.delimiter) w.element("Delimiter", enc(e, *e.delimiter));
  w.element("MaxKeys", static_cast<uint64_t>(e.max_keys));
  if (e.url_encoding) w.element("EncodingType", "url");
  w.boolElement("IsTruncated", r.truncated);
  for (const auto& v : r.versions) {
    const std::string_view tag = v.delete_marker ? "DeleteMarker" : "Version";
    w.open(tag);
    w.element("Key", enc(e, v.key));
    w.element("VersionId", v.version_id);
    w.boolElement("IsLatest", v.is_latest);
    w.element("LastModified", formatIso8601(v.last_modified_ms));
    if (!v.delete_marker) {
      w.element("ETag", v.etag);
      w.element("Size", v.size);
      w.element("StorageClass", "STANDARD");
    }
    owner(w);
    w.close(tag);
  }
  commonPrefixes(w, e, r.common_prefixes);
  w.close("ListVersionsResult");
  return w.take();
}

std::string renderListBuckets(const std::vector<BucketInfo>& buckets) {
  XmlWriter w;
  w.open("ListAllMyBucketsResult", kS3Xmlns);
  owner(w);
  w.open("Buckets");
  for (const auto& b : buckets) {
    w.open("Bucket");
    w.element("Name", b.name);
    w.element("CreationDate", formatIso8601(b.created_ms));
    w.close("Bucket");
  }
  w.close("Buckets");
  w.close("ListAllMyBucketsResult");
  return w.take();
}

std::string renderLocation(std::string_view region) {
  XmlWriter w;
  w.open("LocationConstraint", kS3Xmlns);
  if (region != "us-east-1") w.text(region);
  w.close("LocationConstraint");
  return w.take();
}

std::string renderVersioning(Versioning v) {
  XmlWriter w;
  w.open("VersioningConfiguration", kS3Xmlns);
  if (v != Versioning::Unversioned) w.element("Status", v == Versioning::Enabled ? "Enabled" : "Suspended");
  w.close("VersioningConfiguration");
  return w.take();
}

std::string renderCopyResult(const ObjectVersion& v) {
  XmlWriter w;
  w.open("CopyObjectResult", kS3Xmlns);
  w.element("LastModified", formatIso8601(v.last_modified_ms));
  w.element("ETag", v.etag);
  w.close("CopyObjectResult");
  return w.take();
}

std::string renderDeleteResult(const std::vector<DeleteOutcome>& outcomes, bool quiet) {
  XmlWriter w;
  w.open("DeleteResult", kS3Xmlns);
  for (const auto& o : outcomes) {
    if (o.ok) {
      if (quiet) continue;
      w.open("Deleted");
      w.element("Key", o.key);
      if (!o.version_id.empty()) w.element("VersionId", o.version_id);
      if (o.delete_marker) {
        w.boolElement("DeleteMarker", true);
        if (!o.delete_marker_version_id.empty()) w.element("DeleteMarkerVersionId", o.delete_marker_version_id);
      }
      w.close("Deleted");
    } else {
      w.open("Error");
      w.element("Key", o.key);
      if (!o.version_id.empty()) w.element("VersionId", o.version_id);
      w.element("Code", o.error_code);
      w.element("Message", o.error_message);
      w.close("Error");
    }
  }
  w.close("DeleteResult");
  return w.take();
}

std::string makeContinuationToken(std::string_view last) { return base64Encode(last); }

std::optional<std::string> parseContinuationToken(std::string_view token) {
  if (token.empty() || token.size() > 4096) return std::nullopt;
  return base64Decode(token);
}

}  // namespace edge::s3
