// What an S3 request asks for, decided from its head alone: the bucket and key (path-style or
// virtual-host-style addressing), the query parameters S3 knows, and the operation. Pure.
//
// Addressing (S3 "Virtual hosting of buckets" and "Path-style requests"):
//   * Host `<bucket>.<Domain>[:port]`                     → virtual-host style, key = path
//   * Host `<bucket>.s3.amazonaws.com`, `<bucket>.s3.<region>.amazonaws.com`,
//     `<bucket>.s3-<region>.amazonaws.com`                → virtual-host style (so an edge origin
//     whose DomainName looks like a real bucket endpoint works)
//   * anything else (`<Domain>`, `s3.amazonaws.com`, an IP, localhost …) → path style
//     `/<bucket>/<key>`.
// The key is the path percent-decoded once ('+' stays '+'), without the leading '/'.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace edge::s3 {

enum class AddressStyle : uint8_t { Path, VirtualHost };

struct S3Address {
  AddressStyle style = AddressStyle::Path;
  std::string bucket;  // "" for the service (ListBuckets)
  std::string key;     // "" for bucket operations
  bool operator==(const S3Address&) const = default;
};
std::ostream& operator<<(std::ostream& os, const S3Address& a);

// The bucket named by a Host value (port ignored, case-insensitive), or nullopt for path style.
std::optional<std::string> bucketFromHost(std::string_view host, std::string_view domain);
// Bucket and key from Host and the raw request path. Error: a bad %-escape or a NUL byte.
tl::expected<S3Address, std::string> resolveAddress(std::string_view host, std::string_view raw_path,
                                                    std::string_view domain);

// S3's bucket naming rules (3–63 chars of a–z 0–9 . -, first and last a letter or digit, no "..",
// not an IPv4 address).
bool validBucketName(std::string_view name);

// The query parameters S3 knows, percent-decoded ('+' is a space in query values, as S3 reads
// them). Subresources (?versioning, ?delete …) are flags.
struct S3Query {
  // Subresources this server implements.
  bool versioning = false;
  bool location = false;
  bool del = false;       // ?delete
  bool versions = false;  // ?versions
  // Listing.
  std::optional<std::string> list_type;  // "2" for ListObjectsV2
  std::optional<std::string> prefix, delimiter, max_keys, marker, continuation_token, start_after,
      encoding_type, key_marker, version_id_marker;
  // Objects.
  std::optional<std::string> version_id;
  // GetObject response-* overrides, as (header name, value): Content-Type, Cache-Control, …
  std::vector<std::pair<std::string_view, std::string>> response_overrides;
  // Subresources or parameters this server does not implement (acl, tagging, uploads,
  // partNumber, …): the operation is NotImplemented.
  std::vector<std::string> unsupported;
};
// Error: a bad %-escape.
tl::expected<S3Query, std::string> parseQuery(std::string_view raw_query);
// RFC 3986 decoding for query values: '+' is a space, "%XX" a byte.
std::optional<std::string> queryDecode(std::string_view s);

enum class Operation : uint8_t {
  ListBuckets,
  CreateBucket,
  DeleteBucket,
  HeadBucket,
  GetBucketLocation,
  GetBucketVersioning,
  PutBucketVersioning,
  ListObjects,  // V1
  ListObjectsV2,
  ListObjectVersions,
  DeleteObjects,
  PutObject,
  CopyObject,
  GetObject,
  HeadObject,
  DeleteObject,
  NotImplemented,    // a known S3 request this server does not do (501 NotImplemented)
  MethodNotAllowed,  // a method S3 does not accept on that resource (405)
};
std::string_view toString(Operation op);
std::ostream& operator<<(std::ostream& os, Operation op);

// The operation for a method on an address; `copy_source`: the request has x-amz-copy-source.
Operation routeOperation(std::string_view method, const S3Address& addr, const S3Query& q, bool copy_source);
// Operations that read only (GET/HEAD kinds); public-read buckets let anonymous viewers do
// GetObject and HeadObject (see README.md).
bool isObjectRead(Operation op);
// Operations that carry a request body the server reads (PutObject, DeleteObjects, …).
bool hasRequestDocument(Operation op);

// Percent-encodes for encoding-type=url listings: unreserved bytes (A–Z a–z 0–9 - _ . ~) and '/'
// stay, everything else is %XX (upper hex). botocore decodes with unquote_plus, so '+' and ' '
// must be encoded.
std::string urlEncodeForListing(std::string_view s);

}  // namespace edge::s3
