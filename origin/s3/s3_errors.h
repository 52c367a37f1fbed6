// S3's error vocabulary for the bundled S3 server: each error code with its HTTP status and the
// message text of the S3 API reference's error-code list, and the XML error body S3 sends
// (<Error><Code>…</Code><Message>…</Message>…<RequestId>…</RequestId></Error>). Authentication
// errors come from policies/sigv4.h (AuthError) and are rendered through the same Failure type.
// Pure; no I/O.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "origin/s3/object_store.h"
#include "policies/sigv4.h"

namespace edge::s3 {

enum class S3Error : uint8_t {
  AccessDenied,                            // 403
  BadDigest,                               // 400: Content-MD5 differs from the body
  BucketAlreadyOwnedByYou,                 // 409
  BucketNotEmpty,                          // 409
  EntityTooLarge,                          // 400: single PUT > 5 GiB
  IllegalVersioningConfigurationException, // 400
  IncompleteBody,                          // 400
  InternalError,                           // 500
  InvalidArgument,                         // 400
  InvalidBucketName,                       // 400
  InvalidDigest,                           // 400: Content-MD5 not base64 of 16 bytes
  InvalidRange,                            // 416
  InvalidRequest,                          // 400
  InvalidURI,                              // 400
  KeyTooLongError,                         // 400
  MalformedXML,                            // 400
  MethodNotAllowed,                        // 405
  MissingContentLength,                    // 411
  NoSuchBucket,                            // 404
  NoSuchKey,                               // 404
  NoSuchVersion,                           // 404
  NotImplemented,                          // 501
  PreconditionFailed,                      // 412
};
std::string_view toString(S3Error e);  // the <Code>
int httpStatus(S3Error e);
std::string_view message(S3Error e);  // the <Message>
std::ostream& operator<<(std::ostream& os, S3Error e);

S3Error fromStoreError(StoreError e);

// An error response: status, <Code>, <Message> and extra elements (BucketName, Key, …) in order.
struct Failure {
  int status = 500;
  std::string_view code;
  std::string_view message;
  std::vector<std::pair<std::string_view, std::string>> fields;

  Failure() = default;
  Failure(S3Error e);                       // NOLINT(google-explicit-constructor): S3Error → Failure
  Failure(policies::sigv4::AuthError e);    // NOLINT(google-explicit-constructor)
  Failure&& with(std::string_view name, std::string value) && {
    fields.emplace_back(name, std::move(value));
    return std::move(*this);
  }
  Failure& with(std::string_view name, std::string value) & {
    fields.emplace_back(name, std::move(value));
    return *this;
  }
};
std::ostream& operator<<(std::ostream& os, const Failure& f);

// `<?xml …?><Error><Code/><Message/>[fields…]<RequestId/><HostId/></Error>`, text escaped.
std::string renderErrorXml(const Failure& f, std::string_view request_id, std::string_view host_id);

}  // namespace edge::s3
