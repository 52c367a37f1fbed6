// The bundled S3-compatible server's HTTP side: an engine::HttpService that speaks S3's REST
// API (path- and virtual-host-style) over the ObjectStore, verifying SigV4 on every signed
// request. Operations, access rules and the config file are described in README.md.
// Loop thread only (the store's persist() runs on libuv's thread pool).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <tl/expected.hpp>

#include "engine/server/exchange.h"
#include "origin/s3/object_store.h"
#include "origin/s3/s3_config.h"

namespace edge::s3 {

struct ServiceState;

class S3Service final : public engine::HttpService {
 public:
  // `store` and `config` must outlive the service.
  S3Service(ObjectStore& store, const S3Config& config);
  ~S3Service() override;
  S3Service(const S3Service&) = delete;
  S3Service& operator=(const S3Service&) = delete;

  engine::ExchangeHandlerPtr onRequest(engine::Exchange& ex) override;
  void answerParseError(engine::Exchange& ex, int status, std::string_view reason) override;

  // The clock SigV4 verification uses (epoch seconds); time(nullptr) by default.
  void setClock(std::function<int64_t()> now);

 private:
  std::unique_ptr<ServiceState> state_;
};

// Creates the configured buckets that are missing and applies their Versioning setting. The
// error names the bucket.
tl::expected<void, std::string> applyBucketConfig(ObjectStore& store, const S3Config& config);

}  // namespace edge::s3
