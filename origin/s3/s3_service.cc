// Request entry: addressing, routing, authentication and access, then the operation. Also the
// response helpers every operation uses and the small bucket operations.
#include "origin/s3/s3_service.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <random>

#include "origin/s3/s3_digest.h"
#include "origin/s3/s3_documents.h"
#include "origin/s3/s3_handlers.h"
#include "policies/http_date.h"

namespace edge::s3 {

namespace sigv4 = policies::sigv4;

// ---- response helpers --------------------------------------------------------------------------

const std::string& httpDateNow() {
  // Loop thread only; one formatting per second.
  static thread_local time_t cached_second = -1;
  static thread_local std::string cached;
  const time_t now = std::time(nullptr);
  if (now != cached_second) {
    cached_second = now;
    cached = policies::formatHttpDate(now);
  }
  return cached;
}

policies::HeaderList baseHeaders(const Request& r) {
  policies::HeaderList h;
  h.reserve(16);
  h.add("x-amz-id-2", r.s.host_id);
  h.add("x-amz-request-id", r.id);
  h.add("Date", httpDateNow());
  h.add("Server", "AmazonS3");
  return h;
}

void sendXml(const Request& r, int status, const std::string& body, policies::HeaderList&& extra) {
  policies::HeaderList h = baseHeaders(r);
  for (auto& f : extra.items()) h.add(std::move(f.name), std::move(f.value));
  h.add("Content-Type", "application/xml");
  r.ex.sendHead(status, std::move(h), body.size());
  r.ex.sendBody(body.data(), body.size());
  r.ex.finish();
}

void sendEmpty(const Request& r, int status, policies::HeaderList&& extra) {
  policies::HeaderList h = baseHeaders(r);
  for (auto& f : extra.items()) h.add(std::move(f.name), std::move(f.value));
  r.ex.sendHead(status, std::move(h), status == 204 || status == 304 ? std::nullopt : std::optional<uint64_t>(0));
  r.ex.finish();
}

void sendError(const Request& r, const Failure& f, policies::HeaderList&& extra) {
  sendXml(r, f.status, renderErrorXml(f, r.id, r.s.host_id), std::move(extra));
}

Failure storeFailure(const Request& r, StoreError e) {
  Failure f(fromStoreError(e));
  switch (e) {
    case StoreError::NoSuchBucket:
    case StoreError::BucketNotEmpty:
    case StoreError::BucketAlreadyOwnedByYou:
    case StoreError::InvalidBucketName: f.with("BucketName", r.addr.bucket); break;
    case StoreError::NoSuchKey: f.with("Key", r.addr.key); break;
    case StoreError::NoSuchVersion:
      f.with("Key", r.addr.key).with("VersionId", r.q.version_id.value_or(""));
      break;
    default: break;
  }
  return f;
}

void addVersionHeader(const Request& r, policies::HeaderList& h, const std::string& version_id) {
  if (version_id.empty()) return;
  if (version_id == "null") {
    auto v = r.s.store.versioning(r.addr.bucket);
    if (!v || *v == Versioning::Unversioned) return;
  }
  h.add("x-amz-version-id", version_id);
}

// ---- bucket operations -------------------------------------------------------------------------

void listBuckets(Request& r) { sendXml(r, 200, renderListBuckets(r.s.store.listBuckets())); }

void headBucket(Request& r) {
  if (!r.s.store.hasBucket(r.addr.bucket)) {
    sendError(r, storeFailure(r, StoreError::NoSuchBucket));
    return;
  }
  sendEmpty(r, 200, {{"x-amz-bucket-region", r.s.config.region}});
}

void deleteBucket(Request& r) {
  if (auto d = r.s.store.deleteBucket(r.addr.bucket); !d) {
    sendError(r, storeFailure(r, d.error()));
    return;
  }
  sendEmpty(r, 204);
}

void getBucketLocation(Request& r) {
  if (!r.s.store.hasBucket(r.addr.bucket)) {
    sendError(r, storeFailure(r, StoreError::NoSuchBucket));
    return;
  }
  sendXml(r, 200, renderLocation(r.s.config.region));
}

void getBucketVersioning(Request& r) {
  auto v = r.s.store.versioning(r.addr.bucket);
  if (!v) {
    sendError(r, storeFailure(r, v.error()));
    return;
  }
  sendXml(r, 200, renderVersioning(*v));
}

// ---- the service -------------------------------------------------------------------------------

S3Service::S3Service(ObjectStore& store, const S3Config& config)
    : state_(new ServiceState{store, config, {}, {}, {}, {}, {}, 0, 0}) {
  for (const auto& b : config.buckets) state_->access[b.name] = b.access;
  for (const auto& c : config.credentials) state_->secrets[c.access_key_id] = c.secret_access_key;
  ServiceState* s = state_.get();
  state_->secret_lookup = [s](std::string_view id) -> std::optional<std::string> {
    auto it = s->secrets.find(std::string(id));
    if (it == s->secrets.end()) return std::nullopt;
    return it->second;
  };
  state_->now = [] { return static_cast<int64_t>(std::time(nullptr)); };
  std::random_device rd;
  state_->id_seed = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(::getpid());
  state_->host_id = base64Encode(std::to_string(state_->id_seed) + "/edged-s3");
}

S3Service::~S3Service() = default;

void S3Service::setClock(std::function<int64_t()> now) { state_->now = std::move(now); }

void S3Service::answerParseError(engine::Exchange& ex, int status, std::string_view reason) {
  Request r{ex, *state_, {}, {}, Operation::NotImplemented, {}, {}};
  char id[17];
  std::snprintf(id, sizeof id, "%016llX", static_cast<unsigned long long>(state_->id_seed + ++state_->request_seq));
  r.id = id;
  Failure f = status == 413 ? Failure(S3Error::EntityTooLarge)
                            : status == 408 ? Failure(S3Error::IncompleteBody) : Failure(S3Error::InvalidRequest);
  f.status = status;
  f.with("Detail", std::string(reason));
  sendError(r, f);
}

engine::ExchangeHandlerPtr S3Service::onRequest(engine::Exchange& ex) {
  ServiceState& s = *state_;
  Request r{ex, s, {}, {}, Operation::NotImplemented, {}, {}};
  char id[17];
  std::snprintf(id, sizeof id, "%016llX", static_cast<unsigned long long>((s.id_seed + ++s.request_seq) * 0x9E3779B97F4A7C15ull));
  r.id = id;
  const policies::ViewerRequest& req = ex.request();

  auto addr = resolveAddress(req.headers.get("host").value_or(""), req.path, s.config.domain);
  if (!addr) {
    sendError(r, Failure(S3Error::InvalidURI).with("URI", req.path));
    return nullptr;
  }
  r.addr = std::move(*addr);
  auto q = parseQuery(req.query);
  if (!q) {
    sendError(r, Failure(S3Error::InvalidURI).with("URI", policies::requestTarget(req)));
    return nullptr;
  }
  r.q = std::move(*q);
  r.op = routeOperation(req.method_name, r.addr, r.q, req.headers.has("x-amz-copy-source"));

  // Authentication: a signed request must verify; an anonymous one may only read objects of a
  // public-read bucket.
  if (sigv4::hasCredentials(req)) {
    auto v = sigv4::verifyRequest(req, s.secret_lookup, s.now());
    if (!v) {
      sendError(r, Failure(v.error()));
      return nullptr;
    }
    // The scope's region must be this server's (S3 names the one it expected).
    if (v->scope.region != s.config.region) {
      Failure f(v->presigned ? sigv4::AuthError::AuthorizationQueryParametersError
                             : sigv4::AuthError::AuthorizationHeaderMalformed);
      sendError(r, f.with("Region", s.config.region));
      return nullptr;
    }
    r.auth = std::move(*v);
  } else {
    auto it = s.access.find(r.addr.bucket);
    const bool public_read = it != s.access.end() && it->second == BucketAccess::PublicRead;
    if (!(public_read && isObjectRead(r.op))) {
      sendError(r, S3Error::AccessDenied);
      return nullptr;
    }
  }

  switch (r.op) {
    case Operation::ListBuckets: listBuckets(r); return nullptr;
    case Operation::HeadBucket: headBucket(r); return nullptr;
    case Operation::DeleteBucket: deleteBucket(r); return nullptr;
    case Operation::GetBucketLocation: getBucketLocation(r); return nullptr;
    case Operation::GetBucketVersioning: getBucketVersioning(r); return nullptr;
    case Operation::ListObjects:
    case Operation::ListObjectsV2:
    case Operation::ListObjectVersions: listObjects(r); return nullptr;
    case Operation::GetObject:
    case Operation::HeadObject: return getObject(r);
    case Operation::DeleteObject: deleteObject(r); return nullptr;
    case Operation::PutObject: return putObject(std::move(r));
    case Operation::CopyObject: return copyObject(std::move(r));
    case Operation::CreateBucket:
    case Operation::PutBucketVersioning:
    case Operation::DeleteObjects: return documentOperation(std::move(r));
    case Operation::MethodNotAllowed:
      sendError(r, Failure(S3Error::MethodNotAllowed)
                       .with("Method", req.method_name)
                       .with("ResourceType", r.addr.key.empty() ? (r.addr.bucket.empty() ? "SERVICE" : "BUCKET")
                                                                : "OBJECT"));
      return nullptr;
    case Operation::NotImplemented: {
      Failure f(S3Error::NotImplemented);
      if (!r.q.unsupported.empty()) f.with("Header", r.q.unsupported.front());
      sendError(r, f);
      return nullptr;
    }
  }
  sendError(r, S3Error::InternalError);
  return nullptr;
}

tl::expected<void, std::string> applyBucketConfig(ObjectStore& store, const S3Config& config) {
  for (const auto& b : config.buckets) {
    if (!store.hasBucket(b.name)) {
      if (auto c = store.createBucket(b.name); !c && c.error() != StoreError::BucketAlreadyOwnedByYou) {
        return tl::make_unexpected("bucket " + b.name + ": cannot create it (" + std::string(toString(fromStoreError(c.error()))) + ")");
      }
    }
    if (b.versioning) {
      auto current = store.versioning(b.name);
      if (current && *current != *b.versioning) {
        // S3 cannot go back to unversioned; "Suspended" on a never-versioned bucket is still a
        // state change S3 accepts.
        if (auto v = store.setVersioning(b.name, *b.versioning); !v) {
          return tl::make_unexpected("bucket " + b.name + ": cannot set versioning (" +
                                     std::string(toString(fromStoreError(v.error()))) + ")");
        }
      }
    }
  }
  return {};
}

}  // namespace edge::s3
