// Operations whose request body is a small XML document: CreateBucket
// (CreateBucketConfiguration, optional), PutBucketVersioning (VersioningConfiguration) and
// DeleteObjects (Delete, ≤ 1000 objects, Quiet). The body is collected (≤ kMaxDocumentBytes)
// through PayloadReader, Content-MD5 is checked when sent, then the operation runs.
#include "origin/s3/s3_digest.h"
#include "origin/s3/s3_documents.h"
#include "origin/s3/s3_handlers.h"
#include "origin/s3/s3_payload.h"
#include "origin/s3/s3_xml.h"

namespace edge::s3 {

namespace {

constexpr size_t kMaxDocumentBytes = 2 << 20;
constexpr size_t kMaxDeleteObjects = 1000;

void createBucket(Request& r, const std::string& body) {
  if (!body.empty()) {
    auto doc = parseXml(body);
    if (!doc || doc->name != "CreateBucketConfiguration") {
      sendError(r, S3Error::MalformedXML);
      return;
    }
  }
  if (!validBucketName(r.addr.bucket)) {
    sendError(r, storeFailure(r, StoreError::InvalidBucketName));
    return;
  }
  auto c = r.s.store.createBucket(r.addr.bucket);
  // In us-east-1 S3 answers 200 to a CreateBucket of a bucket you already own.
  if (!c && !(c.error() == StoreError::BucketAlreadyOwnedByYou && r.s.config.region == "us-east-1")) {
    sendError(r, storeFailure(r, c.error()));
    return;
  }
  sendEmpty(r, 200, {{"Location", "/" + r.addr.bucket}});
}

void putBucketVersioning(Request& r, const std::string& body) {
  auto doc = parseXml(body);
  if (!doc || doc->name != "VersioningConfiguration") {
    sendError(r, S3Error::MalformedXML);
    return;
  }
  const XmlElement* status = doc->child("Status");
  Versioning v;
  if (status && status->text == "Enabled") v = Versioning::Enabled;
  else if (status && status->text == "Suspended") v = Versioning::Suspended;
  else {
    sendError(r, S3Error::IllegalVersioningConfigurationException);
    return;
  }
  if (auto s = r.s.store.setVersioning(r.addr.bucket, v); !s) {
    sendError(r, storeFailure(r, s.error()));
    return;
  }
  sendEmpty(r, 200);
}

void deleteObjects(Request& r, const std::string& body) {
  auto doc = parseXml(body);
  if (!doc || doc->name != "Delete") {
    sendError(r, S3Error::MalformedXML);
    return;
  }
  if (!r.s.store.hasBucket(r.addr.bucket)) {
    sendError(r, storeFailure(r, StoreError::NoSuchBucket));
    return;
  }
  const XmlElement* quiet = doc->child("Quiet");
  std::vector<DeleteOutcome> outcomes;
  for (const auto& obj : doc->children) {
    if (obj.name != "Object") continue;
    const XmlElement* key = obj.child("Key");
    if (!key || outcomes.size() == kMaxDeleteObjects) {
      sendError(r, S3Error::MalformedXML);
      return;
    }
    DeleteOutcome o;
    o.key = key->text;
    std::optional<std::string> version;
    if (const XmlElement* v = obj.child("VersionId")) {
      version = v->text;
      o.version_id = v->text;
    }
    auto d = r.s.store.deleteObject(r.addr.bucket, o.key, version);
    if (d) {
      o.delete_marker = d->delete_marker;
      // S3: DeleteMarkerVersionId is the marker created, or the marker version deleted.
      if (d->delete_marker) o.delete_marker_version_id = d->version_id;
    } else if (d.error() != StoreError::NoSuchKey && d.error() != StoreError::NoSuchVersion) {
      const S3Error e = fromStoreError(d.error());
      o.ok = false;
      o.error_code = std::string(toString(e));
      o.error_message = std::string(message(e));
    }
    outcomes.push_back(std::move(o));
  }
  sendXml(r, 200, renderDeleteResult(outcomes, quiet && quiet->text == "true"));
}

class DocumentHandler final : public engine::ExchangeHandler {
 public:
  explicit DocumentHandler(Request&& r)
      : r_(std::move(r)), payload_(r_.auth ? &*r_.auth : nullptr, r_.headers(), [this](std::string_view b) {
          if (body_.size() + b.size() > kMaxDocumentBytes) {
            too_large_ = true;
            return true;
          }
          body_.append(b);
          return true;
        }) {}

  bool start() {
    auto md5 = contentMd5(r_.headers());
    if (!md5) return fail(md5.error());
    content_md5_ = std::move(*md5);
    if (auto f = payload_.start()) return fail(*f);
    return true;
  }

  void onRequestBody(const char* data, size_t len) override {
    if (done_) return;
    // A payload error is kept by the reader and answered at the end of the body.
    if (!payload_.feed(std::string_view(data, len)) && too_large_) fail(S3Error::MalformedXML);
  }

  void onRequestComplete() override {
    if (done_) return;
    if (auto f = payload_.finish()) {  // also an error met while the body arrived
      fail(*f);
      return;
    }
    if (!content_md5_.empty()) {
      Digest md5(Digest::Kind::Md5);
      md5.update(body_);
      if (md5.finish() != content_md5_) {
        fail(S3Error::BadDigest);
        return;
      }
    }
    done_ = true;
    switch (r_.op) {
      case Operation::CreateBucket: createBucket(r_, body_); break;
      case Operation::PutBucketVersioning: putBucketVersioning(r_, body_); break;
      case Operation::DeleteObjects: deleteObjects(r_, body_); break;
      default: sendError(r_, S3Error::InternalError);
    }
  }

  void onWritable() override {}
  void onViewerGone() override { done_ = true; }

 private:
  bool fail(const Failure& f) {
    done_ = true;
    sendError(r_, f);
    return false;
  }

  Request r_;
  std::string body_;
  bool too_large_ = false;
  bool done_ = false;
  std::string content_md5_;  // raw 16 bytes, when sent
  PayloadReader payload_;
};

}  // namespace

engine::ExchangeHandlerPtr documentOperation(Request&& r) {
  auto h = std::make_unique<DocumentHandler>(std::move(r));
  if (!h->start()) return nullptr;
  return h;
}

}  // namespace edge::s3
