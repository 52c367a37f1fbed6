// ListObjects (V1), ListObjectsV2 and ListObjectVersions: query parameters → store listing →
// ListBucketResult / ListVersionsResult.
#include <charconv>

#include "origin/s3/s3_documents.h"
#include "origin/s3/s3_handlers.h"

namespace edge::s3 {

namespace {

// max-keys: 0..1000 (larger values are capped, as S3 does); anything else InvalidArgument.
std::optional<int> parseMaxKeys(const std::optional<std::string>& v) {
  if (!v) return 1000;
  int n = 0;
  const char* end = v->data() + v->size();
  auto [p, ec] = std::from_chars(v->data(), end, n);
  if (ec == std::errc::result_out_of_range && !v->empty() && (*v)[0] != '-') return 1000;
  if (ec != std::errc() || p != end || n < 0) return std::nullopt;
  return n > 1000 ? 1000 : n;
}

}  // namespace

void listObjects(Request& r) {
  const S3Query& q = r.q;
  ListEcho e;
  e.bucket = r.addr.bucket;
  e.prefix = q.prefix.value_or("");
  if (q.delimiter && !q.delimiter->empty()) e.delimiter = q.delimiter;
  const std::optional<int> max_keys = parseMaxKeys(q.max_keys);
  if (!max_keys) {
    sendError(r, Failure(S3Error::InvalidArgument)
                     .with("ArgumentName", "max-keys")
                     .with("ArgumentValue", q.max_keys.value_or("")));
    return;
  }
  e.max_keys = *max_keys;
  if (q.encoding_type) {
    if (*q.encoding_type != "url") {
      Failure f(S3Error::InvalidArgument);
      f.message = "Invalid Encoding Method specified in Request";
      sendError(r, f.with("ArgumentName", "encoding-type").with("ArgumentValue", *q.encoding_type));
      return;
    }
    e.url_encoding = true;
  }

  if (r.op == Operation::ListObjectVersions) {
    VersionListParams p;
    p.prefix = e.prefix;
    p.delimiter = e.delimiter.value_or("");
    p.max_keys = e.max_keys;
    p.key_marker = e.key_marker = q.key_marker.value_or("");
    p.version_id_marker = e.version_id_marker = q.version_id_marker.value_or("");
    if (!p.version_id_marker.empty() && p.key_marker.empty()) {
      Failure f(S3Error::InvalidArgument);
      f.message = "A version-id marker cannot be specified without a key marker.";
      sendError(r, f.with("ArgumentName", "version-id-marker").with("ArgumentValue", p.version_id_marker));
      return;
    }
    auto res = r.s.store.listVersions(r.addr.bucket, p);
    if (!res) {
      sendError(r, storeFailure(r, res.error()));
      return;
    }
    sendXml(r, 200, renderListVersions(e, *res));
    return;
  }

  ListParams p;
  p.prefix = e.prefix;
  p.delimiter = e.delimiter.value_or("");
  p.max_keys = e.max_keys;
  if (r.op == Operation::ListObjectsV2) {
    e.start_after = q.start_after;
    if (q.continuation_token) {
      auto after = parseContinuationToken(*q.continuation_token);
      if (!after) {
        Failure f(S3Error::InvalidArgument);
        f.message = "The continuation token provided is incorrect";
        sendError(r, f.with("ArgumentName", "continuation-token"));
        return;
      }
      e.continuation_token = q.continuation_token;
      p.start_after = std::move(*after);
    } else {
      p.start_after = q.start_after.value_or("");
    }
  } else {
    p.start_after = e.marker = q.marker.value_or("");
  }
  auto res = r.s.store.list(r.addr.bucket, p);
  if (!res) {
    sendError(r, storeFailure(r, res.error()));
    return;
  }
  if (r.op == Operation::ListObjectsV2) {
    if (res->truncated) e.next_continuation_token = makeContinuationToken(res->last_returned);
    sendXml(r, 200, renderListObjectsV2(e, *res));
  } else {
    sendXml(r, 200, renderListObjectsV1(e, *res));
  }
}

}  // namespace edge::s3
