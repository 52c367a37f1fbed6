// edged-registration's HTTP side (README.md, "API"): an engine::HttpService over the
// RegistrationStore. Routing, CORS, the origin-verify check and body checks run on the loop;
// every database call runs on libuv's thread pool (one store, guarded by a mutex) and the
// response is sent from the after-work callback. Loop thread only (except as noted).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "engine/server/exchange.h"
#include "origin/registration/registration_config.h"
#include "origin/registration/registration_store.h"
#include "policies/signed_keys.h"

namespace edge::registration {

// The largest POST body accepted (413 above it).
inline constexpr size_t kMaxBodyBytes = 16 * 1024;

struct RegistrationServiceOptions {
  // Called on the loop after each committed POST (even when the viewer has gone): the main
  // wires it to CertificateWorker::wake().
  std::function<void()> wake;
  // The signed-cookie key (config.signed_cookies must be set too), parsed at start-up.
  std::optional<policies::ParsedKey> cookie_key;
  // Epoch seconds; time(nullptr) when unset. Called on the thread pool as well.
  std::function<int64_t()> now;
};

class RegistrationService final : public engine::HttpService {
 public:
  // `config` and `store` must outlive the service and every queued database job (the loop
  // runs until the jobs are done, so keeping them beside the loop is enough).
  RegistrationService(const RegistrationConfig& config, RegistrationStore& store, RegistrationServiceOptions options);
  ~RegistrationService() override;
  RegistrationService(const RegistrationService&) = delete;
  RegistrationService& operator=(const RegistrationService&) = delete;

  engine::ExchangeHandlerPtr onRequest(engine::Exchange& ex) override;
  void answerParseError(engine::Exchange& ex, int status, std::string_view reason) override;

  struct Shared;  // what the pool threads see (config, store + mutex, key, clock)

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace edge::registration
