// GetObject / HeadObject (conditionals, Range, stored headers; the body from BodyCache for small
// objects, else streamed from the data file with engine::FileSender) and DeleteObject. The read
// path touches the disk only to open and read the version's data file.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "engine/server/file_sender.h"
#include "origin/s3/s3_conditional.h"
#include "origin/s3/s3_handlers.h"
#include "policies/http_date.h"
#include "policies/range.h"

namespace edge::s3 {

namespace {

// Stored header names are lowercase; S3 answers with the usual capitalisation for the standard
// ones and lowercase x-amz-meta-*.
std::string_view displayName(std::string_view stored) {
  static constexpr std::string_view kNames[] = {"Content-Type",        "Cache-Control",    "Expires",
                                                "Content-Encoding",    "Content-Language", "Content-Disposition"};
  for (const auto n : kNames) {
    if (policies::iequals(n, stored)) return n;
  }
  return stored;
}

}  // namespace

engine::ExchangeHandlerPtr getObject(Request& r) {
  ObjectVersion marker;
  auto found = r.s.store.lookup(r.addr.bucket, r.addr.key, r.q.version_id, &marker);
  if (!found) {
    policies::HeaderList extra;
    if (marker.delete_marker && (found.error() == StoreError::NoSuchKey || found.error() == StoreError::MethodNotAllowed)) {
      extra.add("x-amz-delete-marker", "true");
      addVersionHeader(r, extra, marker.version_id);
      if (marker.last_modified_ms > 0) extra.add("Last-Modified", policies::formatHttpDate(marker.last_modified_ms / 1000));
    } else if (found.error() == StoreError::MethodNotAllowed) {
      extra.add("x-amz-delete-marker", "true");
    }
    Failure f = storeFailure(r, found.error());
    if (found.error() == StoreError::MethodNotAllowed) {
      f.with("Method", r.req().method_name).with("ResourceType", "DeleteMarker");
      extra.add("Allow", "DELETE");
    }
    sendError(r, f, std::move(extra));
    return nullptr;
  }
  const ObjectVersion& v = *found;
  const std::string last_modified = policies::formatHttpDate(v.last_modified_ms / 1000);

  const ConditionalHeaders cond = requestConditionals(r.headers());
  switch (evaluatePreconditions(cond, v.etag, v.last_modified_ms / 1000)) {
    case Precondition::Proceed: break;
    case Precondition::Failed:
      sendError(r, Failure(S3Error::PreconditionFailed).with("Condition", std::string(failedCondition(cond, v.etag))));
      return nullptr;
    case Precondition::NotModified: {
      policies::HeaderList h;
      h.add("Last-Modified", last_modified);
      h.add("ETag", v.etag);
      addVersionHeader(r, h, v.version_id);
      sendEmpty(r, 304, std::move(h));
      return nullptr;
    }
  }

  // S3 serves a single range, on HEAD too; several ranges get the whole object.
  policies::RangeDecision range = policies::decideRange(policies::Method::Get, r.headers().get("range"), v.size);
  if (range.outcome == policies::RangeOutcome::Unsatisfiable) {
    sendError(r,
              Failure(S3Error::InvalidRange)
                  .with("RangeRequested", std::string(r.headers().get("range").value_or("")))
                  .with("ActualObjectSize", std::to_string(v.size)),
              {{"Content-Range", policies::formatUnsatisfiedRange(v.size)}});
    return nullptr;
  }
  const bool partial = range.outcome == policies::RangeOutcome::Partial;
  const uint64_t first = partial ? range.ranges[0].first : 0;
  const uint64_t length = partial ? range.ranges[0].length() : v.size;

  // The body: a small object from memory (BodyCache), else streamed from its data file.
  engine::SharedBytes small;
  int fd = -1;
  if (!r.head() && length > 0) {
    if (r.s.bodies.eligible(v.size)) {
      small = r.s.bodies.get(v.data_path, v.size);
      if (!small) {
        sendError(r, S3Error::InternalError);
        return nullptr;
      }
    } else {
      fd = ::open(v.data_path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        sendError(r, S3Error::InternalError);
        return nullptr;
      }
    }
  }

  policies::HeaderList h = baseHeaders(r);
  h.add("Last-Modified", last_modified);
  h.add("ETag", v.etag);
  addVersionHeader(r, h, v.version_id);
  h.add("Accept-Ranges", "bytes");
  if (partial) h.add("Content-Range", policies::formatContentRange(range.ranges[0], v.size));
  bool has_type = false;
  for (const auto& f : v.headers) {
    bool overridden = false;
    for (const auto& [name, value] : r.q.response_overrides) overridden = overridden || policies::iequals(name, f.name);
    if (overridden) continue;
    has_type = has_type || policies::iequals(f.name, "content-type");
    h.add(std::string(displayName(f.name)), f.value);
  }
  for (const auto& [name, value] : r.q.response_overrides) {
    has_type = has_type || name == "Content-Type";
    h.add(std::string(name), value);
  }
  if (!has_type) h.add("Content-Type", "binary/octet-stream");

  r.ex.sendHead(partial ? 206 : 200, std::move(h), length);
  if (small) r.ex.sendShared(small, first, length);
  if (fd < 0) {
    r.ex.finish();
    return nullptr;
  }
  auto sender = std::make_unique<engine::FileSender>(r.ex, fd, first, length);
  if (!sender->pump()) return nullptr;
  return sender;
}

void deleteObject(Request& r) {
  auto d = r.s.store.deleteObject(r.addr.bucket, r.addr.key, r.q.version_id);
  if (!d) {
    // Deleting what is not there succeeds in S3 (the delete is idempotent).
    if (d.error() == StoreError::NoSuchKey || d.error() == StoreError::NoSuchVersion) {
      sendEmpty(r, 204);
    } else {
      sendError(r, storeFailure(r, d.error()));
    }
    return;
  }
  policies::HeaderList h;
  if (d->delete_marker) h.add("x-amz-delete-marker", "true");
  addVersionHeader(r, h, d->version_id);
  sendEmpty(r, 204, std::move(h));
}

}  // namespace edge::s3
