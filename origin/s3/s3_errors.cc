// Messages are the S3 API reference's ("Error responses → List of error codes"), verbatim.
#include "origin/s3/s3_errors.h"

#include "origin/s3/s3_xml.h"

namespace edge::s3 {

namespace {

struct ErrorInfo {
  std::string_view code;
  int status;
  std::string_view message;
};

constexpr ErrorInfo kErrors[] = {
    {"AccessDenied", 403, "Access Denied"},
    {"BadDigest", 400, "The Content-MD5 you specified did not match what we received."},
    {"BucketAlreadyOwnedByYou", 409,
     "Your previous request to create the named bucket succeeded and you already own it."},
    {"BucketNotEmpty", 409, "The bucket you tried to delete is not empty."},
    {"EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed object size."},
    {"IllegalVersioningConfigurationException", 400,
     "The versioning configuration specified in the request is invalid."},
    {"IncompleteBody", 400,
     "You did not provide the number of bytes specified by the Content-Length HTTP header."},
    {"InternalError", 500, "We encountered an internal error. Please try again."},
    {"InvalidArgument", 400, "Invalid Argument"},
    {"InvalidBucketName", 400, "The specified bucket is not valid."},
    {"InvalidDigest", 400, "The Content-MD5 you specified is not valid."},
    {"InvalidRange", 416, "The requested range is not satisfiable"},
    {"InvalidRequest", 400, "Invalid Request"},
    {"InvalidURI", 400, "Couldn't parse the specified URI."},
    {"KeyTooLongError", 400, "Your key is too long."},
    {"MalformedXML", 400,
     "The XML you provided was not well-formed or did not validate against our published schema."},
    {"MethodNotAllowed", 405, "The specified method is not allowed against this resource."},
    {"MissingContentLength", 411, "You must provide the Content-Length HTTP header."},
    {"NoSuchBucket", 404, "The specified bucket does not exist."},
    {"NoSuchKey", 404, "The specified key does not exist."},
    {"NoSuchVersion", 404, "The specified version does not exist."},
    {"NotImplemented", 501, "A header you provided implies functionality that is not implemented."},
    {"PreconditionFailed", 412, "At least one of the preconditions you specified did not hold."},
};
static_assert(sizeof kErrors / sizeof kErrors[0] == static_cast<size_t>(S3Error::PreconditionFailed) + 1);

const ErrorInfo& info(S3Error e) { return kErrors[static_cast<size_t>(e)]; }

}  // namespace

std::string_view toString(S3Error e) { return info(e).code; }
int httpStatus(S3Error e) { return info(e).status; }
std::string_view message(S3Error e) { return info(e).message; }
std::ostream& operator<<(std::ostream& os, S3Error e) { return os << toString(e); }

S3Error fromStoreError(StoreError e) {
  switch (e) {
    case StoreError::NoSuchBucket: return S3Error::NoSuchBucket;
    case StoreError::NoSuchKey: return S3Error::NoSuchKey;
    case StoreError::NoSuchVersion: return S3Error::NoSuchVersion;
    case StoreError::BucketAlreadyOwnedByYou: return S3Error::BucketAlreadyOwnedByYou;
    case StoreError::BucketNotEmpty: return S3Error::BucketNotEmpty;
    case StoreError::InvalidBucketName: return S3Error::InvalidBucketName;
    case StoreError::KeyTooLongError: return S3Error::KeyTooLongError;
    case StoreError::InvalidArgument: return S3Error::InvalidArgument;
    case StoreError::MethodNotAllowed: return S3Error::MethodNotAllowed;
    case StoreError::InternalError: return S3Error::InternalError;
  }
  return S3Error::InternalError;
}

Failure::Failure(S3Error e) : status(httpStatus(e)), code(toString(e)), message(s3::message(e)) {}

// Failure(AuthError) is in s3_auth.cc, next to the rest of the SigV4 glue.

std::ostream& operator<<(std::ostream& os, const Failure& f) {
  os << f.status << ' ' << f.code << " (" << f.message << ')';
  for (const auto& [name, value] : f.fields) os << ' ' << name << '=' << value;
  return os;
}

std::string renderErrorXml(const Failure& f, std::string_view request_id, std::string_view host_id) {
  XmlWriter w;
  w.open("Error");
  w.element("Code", f.code);
  w.element("Message", f.message);
  for (const auto& [name, value] : f.fields) w.element(name, value);
  w.element("RequestId", request_id);
  w.element("HostId", host_id);
  w.close("Error");
  return w.take();
}

}  // namespace edge::s3
