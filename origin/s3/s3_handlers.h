// Internal to the S3 server (s3_service.cc and the s3_op_*.cc files): the state shared by all
// requests, one request's decoded head, and the response helpers. Loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/server/exchange.h"
#include "origin/s3/body_cache.h"
#include "origin/s3/object_store.h"
#include "origin/s3/s3_config.h"
#include "origin/s3/s3_errors.h"
#include "origin/s3/s3_request.h"
#include "policies/sigv4.h"

namespace edge::s3 {

struct ServiceState {
  ObjectStore& store;
  const S3Config& config;
  std::unordered_map<std::string, BucketAccess> access;  // configured buckets; others private
  std::unordered_map<std::string, std::string> secrets;  // access key id → secret
  policies::sigv4::SecretLookup secret_lookup;
  std::function<int64_t()> now;
  std::string host_id;       // x-amz-id-2 / <HostId>, fixed per process
  uint64_t request_seq = 0;  // request ids
  uint64_t id_seed = 0;
  // GetObject's small bodies in memory: objects up to 64 KiB, 64 MiB in all.
  BodyCache bodies{64 * 1024, 64ull << 20};
};

// One request, as decoded from its head.
struct Request {
  engine::Exchange& ex;
  ServiceState& s;
  S3Address addr;
  S3Query q;
  Operation op = Operation::NotImplemented;
  std::string id;  // x-amz-request-id
  std::optional<policies::sigv4::Verified> auth;  // nullopt: anonymous
  const policies::ViewerRequest& req() const { return ex.request(); }
  const policies::HeaderList& headers() const { return ex.request().headers; }
  bool head() const { return ex.request().method_name == "HEAD"; }
};

// x-amz-id-2, x-amz-request-id, Date and Server, as every S3 response has.
policies::HeaderList baseHeaders(const Request& r);
// The current IMF-fixdate, formatted once per second.
const std::string& httpDateNow();

void sendError(const Request& r, const Failure& f, policies::HeaderList&& extra = {});
// A store error about the request's bucket/key, with S3's extra elements (BucketName, Key…).
Failure storeFailure(const Request& r, StoreError e);
void sendXml(const Request& r, int status, const std::string& body, policies::HeaderList&& extra = {});
void sendEmpty(const Request& r, int status, policies::HeaderList&& extra = {});

// x-amz-version-id as S3 sends it: only once the bucket has versioning (ever) enabled.
void addVersionHeader(const Request& r, policies::HeaderList& h, const std::string& version_id);

// The operations (s3_op_*.cc). Each answers on r.ex, or returns a handler that will.
void listBuckets(Request& r);
void headBucket(Request& r);
void deleteBucket(Request& r);
void getBucketLocation(Request& r);
void getBucketVersioning(Request& r);
void listObjects(Request& r);  // V1, V2 and versions, by r.op
engine::ExchangeHandlerPtr getObject(Request& r);  // GetObject and HeadObject
void deleteObject(Request& r);
engine::ExchangeHandlerPtr putObject(Request&& r);
engine::ExchangeHandlerPtr copyObject(Request&& r);
// CreateBucket, PutBucketVersioning, DeleteObjects: read the XML body, then act.
engine::ExchangeHandlerPtr documentOperation(Request&& r);

}  // namespace edge::s3
