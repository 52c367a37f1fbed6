// PutObject and CopyObject: the durable write path.
//
//   PutObject: head checks → beginUpload → body bytes through PayloadReader into Upload::write
//   (never buffered whole) → body complete and checked (SHA-256 / chunk signatures / lengths /
//   Content-MD5) → persist() on libuv's thread pool (fsyncs off the loop) → publish() on the
//   loop → 200. A viewer that disconnects before the body is complete drops the Upload (its
//   destructor removes the temp file): no object appears.
//   CopyObject: source lookup and preconditions on the loop → the source data file is read
//   into a new Upload and persisted on the thread pool → publish → CopyObjectResult.
#include <fcntl.h>
#include <unistd.h>
#include <uv.h>

#include "engine/uv/loop.h"
#include "origin/s3/s3_conditional.h"
#include "origin/s3/s3_digest.h"
#include "origin/s3/s3_documents.h"
#include "origin/s3/s3_handlers.h"
#include "origin/s3/s3_payload.h"
#include "policies/http_date.h"

namespace edge::s3 {

namespace {

using PersistResult = tl::expected<ObjectVersion, StoreError>;

// One persist on the thread pool. Owned by libuv from submit() until its after-work callback,
// which publishes on the loop and then tells the owner (if it is still there).
struct PersistJob {
  uv_work_t work{};
  ObjectStore* store = nullptr;
  UploadPtr upload;
  policies::HeaderList headers;
  int source_fd = -1;  // CopyObject: read this file into `upload` first (closed by the job)
  uint64_t source_size = 0;
  tl::expected<PersistedVersion, StoreError> persisted = tl::make_unexpected(StoreError::InternalError);
  std::function<void(PersistResult)> done;  // cleared by an owner that goes away

  static void run(uv_work_t* w) {
    auto* job = static_cast<PersistJob*>(w->data);
    if (job->source_fd >= 0) {
      char buf[64 * 1024];
      uint64_t left = job->source_size;
      off_t off = 0;
      while (left > 0) {
        const ssize_t n = ::pread(job->source_fd, buf, std::min<uint64_t>(sizeof buf, left), off);
        if (n <= 0 || !job->upload->write(buf, static_cast<size_t>(n))) {
          ::close(job->source_fd);
          job->source_fd = -1;
          job->upload.reset();
          return;  // persisted stays InternalError
        }
        left -= static_cast<uint64_t>(n);
        off += n;
      }
      ::close(job->source_fd);
      job->source_fd = -1;
    }
    job->persisted = job->store->persist(std::move(job->upload), std::move(job->headers));
  }

  static void after(uv_work_t* w, int status) {
    std::unique_ptr<PersistJob> job(static_cast<PersistJob*>(w->data));
    PersistResult result = tl::make_unexpected(StoreError::InternalError);
    if (status == 0 && job->persisted) result = job->store->publish(std::move(*job->persisted));
    if (job->done) job->done(std::move(result));
  }
};

// Submits `job` to the loop's thread pool; on failure the job is finished at once (deferred).
PersistJob* submit(engine::Loop& loop, std::unique_ptr<PersistJob> job) {
  PersistJob* raw = job.get();
  raw->work.data = raw;
  if (uv_queue_work(loop.raw(), &raw->work, &PersistJob::run, &PersistJob::after) != 0) {
    if (raw->source_fd >= 0) ::close(raw->source_fd);
    PersistJob* leaked = job.release();
    loop.defer([leaked] { PersistJob::after(&leaked->work, UV_ECANCELED); });
    return raw;
  }
  job.release();
  return raw;
}

// The response headers S3 stores with an object (names lowercase).
policies::HeaderList storedHeaders(const policies::HeaderList& request) {
  policies::HeaderList out;
  for (const auto& f : request) {
    const std::string name = policies::toLower(f.name);
    if (name == "content-encoding") {
      std::string enc = storedContentEncoding(f.value);
      if (!enc.empty()) out.add(name, std::move(enc));
    } else if (name == "content-type" || name == "cache-control" || name == "expires" ||
               name == "content-disposition" || name == "content-language" || name.rfind("x-amz-meta-", 0) == 0) {
      out.add(name, f.value);
    }
  }
  return out;
}

// The writer of one object: PutObject (body from the viewer) or CopyObject (body from a file).
class WriteHandler final : public engine::ExchangeHandler {
 public:
  enum class State : uint8_t {
    Receiving,   // PutObject body bytes arriving
    Persisting,  // persist() queued or running; publish() follows on the loop
    Done,        // answered
  };

  WriteHandler(Request&& r, UploadPtr upload)
      : r_(std::move(r)),
        upload_(std::move(upload)),
        payload_(r_.auth ? &*r_.auth : nullptr, r_.headers(),
                 [this](std::string_view b) { return upload_->write(b.data(), b.size()); }) {}

  ~WriteHandler() override {
    if (job_) job_->done = nullptr;
  }
  WriteHandler(const WriteHandler&) = delete;
  WriteHandler& operator=(const WriteHandler&) = delete;

  // PutObject: checks the framing headers and the Content-MD5 syntax. False: answered.
  bool startPut() {
    auto md5 = contentMd5(r_.headers());
    if (!md5) return fail(md5.error());
    if (!md5->empty()) content_md5_hex_ = hexLower(*md5);
    if (!r_.headers().has("content-length") && !r_.req().has_body && !r_.headers().has("transfer-encoding")) {
      return fail(S3Error::MissingContentLength);
    }
    if (auto f = payload_.start()) return fail(*f);
    return true;
  }

  // CopyObject: the job reads `fd` into the upload. Answers later.
  void startCopy(int fd, uint64_t size, policies::HeaderList&& headers, std::string source_version) {
    copy_source_version_ = std::move(source_version);
    auto job = makeJob(std::move(headers));
    job->source_fd = fd;
    job->source_size = size;
    persist(std::move(job));
  }

  void onRequestBody(const char* data, size_t len) override {
    if (state_ != State::Receiving || copy_ || !upload_) return;
    if (payload_.feed(std::string_view(data, len))) {
      // The reader keeps the error; it is answered once the body is in (onRequestComplete), as a
      // client still sending would otherwise see a reset instead of it. Nothing more is written.
      upload_.reset();
    }
  }

  void onRequestComplete() override {
    if (state_ != State::Receiving || copy_) return;
    if (auto f = payload_.finish()) {  // also an error met while the body arrived
      fail(*f);
      return;
    }
    if (!content_md5_hex_.empty() && upload_->md5Hex() != content_md5_hex_) {
      fail(S3Error::BadDigest);
      return;
    }
    persist(makeJob(storedHeaders(r_.headers())));
  }

  void onWritable() override {}
  void onViewerGone() override {
    upload_.reset();  // an unfinished body: no object
    if (job_) job_->done = nullptr;
    job_ = nullptr;
    state_ = State::Done;
  }

  void markCopy() { copy_ = true; }

 private:
  bool fail(const Failure& f) {
    upload_.reset();
    state_ = State::Done;
    sendError(r_, f);
    return false;
  }

  std::unique_ptr<PersistJob> makeJob(policies::HeaderList&& headers) {
    auto job = std::make_unique<PersistJob>();
    job->store = &r_.s.store;
    job->upload = std::move(upload_);
    job->headers = std::move(headers);
    return job;
  }

  void persist(std::unique_ptr<PersistJob> job) {
    state_ = State::Persisting;
    job->done = [this](PersistResult res) {
      job_ = nullptr;
      answer(std::move(res));
    };
    job_ = submit(r_.ex.loop(), std::move(job));
  }

  void answer(PersistResult res) {
    state_ = State::Done;
    if (!res) {
      sendError(r_, storeFailure(r_, res.error()));
      return;
    }
    policies::HeaderList h;
    addVersionHeader(r_, h, res->version_id);
    if (!copy_) {
      h.add("ETag", res->etag);
      sendEmpty(r_, 200, std::move(h));
      return;
    }
    if (!copy_source_version_.empty() && copy_source_version_ != "null") {
      h.add("x-amz-copy-source-version-id", copy_source_version_);
    }
    sendXml(r_, 200, renderCopyResult(*res), std::move(h));
  }

  Request r_;
  UploadPtr upload_;
  PayloadReader payload_;
  State state_ = State::Receiving;
  bool copy_ = false;
  std::string content_md5_hex_;
  std::string copy_source_version_;
  PersistJob* job_ = nullptr;  // while Persisting
};

// x-amz-copy-source: "[/]bucket/key[?versionId=…]", URL-encoded.
struct CopySource {
  std::string bucket, key;
  std::optional<std::string> version_id;
};
std::optional<CopySource> parseCopySource(std::string_view v) {
  v = policies::trimOws(v);
  std::string_view query;
  if (const size_t qm = v.find('?'); qm != std::string_view::npos) {
    query = v.substr(qm + 1);
    v = v.substr(0, qm);
  }
  auto decoded = policies::percentDecode(v);
  if (!decoded) return std::nullopt;
  std::string_view path = *decoded;
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 >= path.size()) return std::nullopt;
  CopySource cs{std::string(path.substr(0, slash)), std::string(path.substr(slash + 1)), std::nullopt};
  if (!query.empty()) {
    if (query.rfind("versionId=", 0) != 0) return std::nullopt;
    auto vid = queryDecode(query.substr(10));
    if (!vid || vid->empty()) return std::nullopt;
    cs.version_id = std::move(*vid);
  }
  return cs;
}

}  // namespace

engine::ExchangeHandlerPtr putObject(Request&& r) {
  auto upload = r.s.store.beginUpload(r.addr.bucket, r.addr.key);
  if (!upload) {
    sendError(r, storeFailure(r, upload.error()));
    return nullptr;
  }
  auto h = std::make_unique<WriteHandler>(std::move(r), std::move(*upload));
  if (!h->startPut()) return nullptr;
  return h;
}

engine::ExchangeHandlerPtr copyObject(Request&& r) {
  auto src = parseCopySource(r.headers().get("x-amz-copy-source").value_or(""));
  if (!src) {
    Failure f(S3Error::InvalidArgument);
    f.message = "Copy Source must mention the source bucket and key: sourcebucket/sourcekey";
    sendError(r, f.with("ArgumentName", "x-amz-copy-source"));
    return nullptr;
  }
  const std::string directive = std::string(policies::trimOws(r.headers().get("x-amz-metadata-directive").value_or("COPY")));
  if (directive != "COPY" && directive != "REPLACE") {
    Failure f(S3Error::InvalidArgument);
    f.message = "Unknown metadata directive.";
    sendError(r, f.with("ArgumentName", "x-amz-metadata-directive").with("ArgumentValue", directive));
    return nullptr;
  }
  auto source = r.s.store.lookup(src->bucket, src->key, src->version_id);
  if (!source) {
    Failure f(fromStoreError(source.error()));
    if (source.error() == StoreError::NoSuchBucket) f.with("BucketName", src->bucket);
    if (source.error() == StoreError::NoSuchKey) f.with("Key", src->key);
    if (source.error() == StoreError::NoSuchVersion) f.with("Key", src->key).with("VersionId", *src->version_id);
    if (source.error() == StoreError::MethodNotAllowed) f = Failure(S3Error::InvalidRequest);
    sendError(r, f);
    return nullptr;
  }
  const ConditionalHeaders cond = copySourceConditionals(r.headers());
  if (evaluatePreconditions(cond, source->etag, source->last_modified_ms / 1000) != Precondition::Proceed) {
    sendError(r, Failure(S3Error::PreconditionFailed).with("Condition", "x-amz-copy-source-" +
                                                                            policies::toLower(failedCondition(cond, source->etag))));
    return nullptr;
  }
  if (src->bucket == r.addr.bucket && src->key == r.addr.key && directive == "COPY" && !src->version_id) {
    Failure f(S3Error::InvalidRequest);
    f.message =
        "This copy request is illegal because it is trying to copy an object to itself without changing the "
        "object's metadata, storage class, website redirect location or encryption attributes.";
    sendError(r, f);
    return nullptr;
  }
  int fd = -1;
  if (source->size > 0) {
    fd = ::open(source->data_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      sendError(r, S3Error::InternalError);
      return nullptr;
    }
  }
  auto upload = r.s.store.beginUpload(r.addr.bucket, r.addr.key);
  if (!upload) {
    if (fd >= 0) ::close(fd);
    sendError(r, storeFailure(r, upload.error()));
    return nullptr;
  }
  policies::HeaderList headers = directive == "COPY" ? source->headers : storedHeaders(r.headers());
  auto h = std::make_unique<WriteHandler>(std::move(r), std::move(*upload));
  h->markCopy();
  h->startCopy(fd, source->size, std::move(headers), source->version_id);
  return h;
}

}  // namespace edge::s3
