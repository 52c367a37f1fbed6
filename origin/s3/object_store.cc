// The store's value types (object_store.h). The implementation is DiskObjectStore.
#include "origin/s3/object_store.h"

namespace edge::s3 {

std::string_view toString(StoreError e) {
  switch (e) {
    case StoreError::NoSuchBucket:
      return "NoSuchBucket";
    case StoreError::NoSuchKey:
      return "NoSuchKey";
    case StoreError::NoSuchVersion:
      return "NoSuchVersion";
    case StoreError::BucketAlreadyOwnedByYou:
      return "BucketAlreadyOwnedByYou";
    case StoreError::BucketNotEmpty:
      return "BucketNotEmpty";
    case StoreError::InvalidBucketName:
      return "InvalidBucketName";
    case StoreError::KeyTooLongError:
      return "KeyTooLongError";
    case StoreError::InvalidArgument:
      return "InvalidArgument";
    case StoreError::MethodNotAllowed:
      return "MethodNotAllowed";
    case StoreError::InternalError:
      return "InternalError";
  }
  return "InternalError";
}

std::ostream& operator<<(std::ostream& os, StoreError e) { return os << toString(e); }

std::string_view toString(Versioning v) {
  switch (v) {
    case Versioning::Unversioned:
      return "";
    case Versioning::Enabled:
      return "Enabled";
    case Versioning::Suspended:
      return "Suspended";
  }
  return "";
}

}  // namespace edge::s3
