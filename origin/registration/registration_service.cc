// Request entry and the database round trips. A request that needs the database gets an
// ApiHandler: it gathers the body, then submits one DbJob to libuv's thread pool. The job
// computes the whole reply there (store call, JSON, cookie signature) and hands it back in the
// after-work callback on the loop. If the viewer left meanwhile the handler is gone and the
// job's `done` was cleared: the work still completes (a POST still commits and wakes the
// worker) and the reply is dropped.
#include "origin/registration/registration_service.h"

#include <uv.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/uv/loop.h"
#include "origin/registration/registration_json.h"
#include "origin/registration/registration_validation.h"
#include "policies/http_types.h"
#include "policies/url_signer.h"

namespace edge::registration {

struct RegistrationService::Shared {
  const RegistrationConfig& config;
  RegistrationStore& store;
  std::mutex store_mu;  // guards `store` (pool threads)
  RegistrationServiceOptions options;

  int64_t now() const { return options.now ? options.now() : static_cast<int64_t>(std::time(nullptr)); }

  // The Set-Cookie values last signed for each issued registration, and when: an RSA-2048
  // signature costs ~0.3 ms (bench/registration_bench.sh: two thirds of a GET's CPU), and the
  // result page asks again whenever it is opened. Reused for a tenth of the cookies' lifetime
  // (at most a minute), so a reused cookie still has at least 90 % of it. Pool threads.
  struct SignedCookies {
    int64_t signed_at = 0;
    std::vector<std::string> set_cookie;
  };
  std::mutex cookies_mu;
  std::unordered_map<std::string, SignedCookies> cookie_memo;  // cleared when it reaches kMaxMemo
  static constexpr size_t kMaxMemo = 4096;
};

namespace {

using Shared = RegistrationService::Shared;

constexpr const char* kJsonType = "application/json; charset=utf-8";
constexpr const char* kRegistrationsPath = "/api/registrations";
constexpr const char* kRegistrationPrefix = "/api/registrations/";

// What a database job produces: a complete answer, minus the per-request CORS headers.
struct Reply {
  int status = 500;
  std::string body;
  policies::HeaderList headers;
  bool committed = false;  // a POST committed a registration: wake the worker
};

Reply jsonReply(int status, std::string body) {
  Reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Reply internalError(const std::string& what) {
  std::fprintf(stderr, "edged-registration: database: %s\n", what.c_str());
  return jsonReply(500, renderError("Internal error"));
}

// One database round trip, owned by libuv from submit() to its after-work callback.
struct DbJob {
  uv_work_t work{};
  std::function<Reply()> run;  // pool thread
  Reply reply;
  std::function<void()> wake;                // loop, after a commit (copied from the options)
  std::function<void(Reply&&)> done;         // loop; cleared by a handler that goes away

  static void runOnPool(uv_work_t* w) {
    auto* job = static_cast<DbJob*>(w->data);
    job->reply = job->run();
  }
  static void after(uv_work_t* w, int status) {
    std::unique_ptr<DbJob> job(static_cast<DbJob*>(w->data));
    if (status != 0) job->reply = jsonReply(503, renderError("Service unavailable"));
    if (job->reply.committed && job->wake) job->wake();
    if (job->done) job->done(std::move(job->reply));
  }
};

// ---- responses ---------------------------------------------------------------------------------

bool originAllowed(const Shared& s, std::string_view origin) {
  for (const auto& o : s.config.allowed_origins)
    if (o == origin) return true;
  return false;
}

void addCommonHeaders(const Shared& s, const policies::ViewerRequest& req, policies::HeaderList& h) {
  h.add("Cache-Control", "no-store");
  if (auto origin = req.headers.get("origin"); origin && originAllowed(s, *origin)) {
    h.add("Access-Control-Allow-Origin", std::string(*origin));
  }
  // The answer depends on Origin whether or not it was listed.
  h.add("Vary", "Origin");
}

void sendReply(const Shared& s, engine::Exchange& ex, Reply&& r, bool close_after = false) {
  policies::HeaderList h = std::move(r.headers);
  addCommonHeaders(s, ex.request(), h);
  if (r.status == 204) {
    ex.sendHead(r.status, std::move(h), std::nullopt, close_after);
  } else {
    h.add("Content-Type", kJsonType);
    ex.sendHead(r.status, std::move(h), r.body.size(), close_after);
    ex.sendBody(r.body.data(), r.body.size());
  }
  ex.finish();
}

void sendError(const Shared& s, engine::Exchange& ex, int status, std::string_view message,
               policies::HeaderList&& extra = {}, const FieldErrors& errors = {}) {
  Reply r = jsonReply(status, renderError(message, errors));
  r.headers = std::move(extra);
  sendReply(s, ex, std::move(r));
}

// ---- the database work (pool thread) -----------------------------------------------------------

Reply createRegistration(Shared& s, const NewRegistration& n) {
  Registration r;
  r.id = newRegistrationId();
  r.name = n.name;
  r.email = n.email;
  r.affiliation = n.affiliation;
  r.session = n.session;
  r.status = "pending";
  r.created_at = s.now();
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  tl::expected<CreateOutcome, std::string> outcome;
  {
    std::lock_guard lock(s.store_mu);
    outcome = s.store.create(r, now_ms);
  }
  if (!outcome) return internalError(outcome.error());
  if (*outcome == CreateOutcome::DuplicateEmail) {
    return jsonReply(409, renderError("This email address is already registered", {{"email", "already registered"}}));
  }
  Reply reply = jsonReply(201, renderRegistration(r, s.config));
  reply.headers.add("Location", kRegistrationPrefix + r.id);
  reply.committed = true;
  return reply;
}

Reply findByEmail(Shared& s, const std::string& email) {
  tl::expected<std::vector<Registration>, std::string> found;
  {
    std::lock_guard lock(s.store_mu);
    found = s.store.findByEmail(email);
  }
  if (!found) return internalError(found.error());
  return jsonReply(200, renderRegistrationList(*found, s.config));
}

// CloudFront-Policy / -Signature / -Key-Pair-Id for the registration's certificate URL.
void addSignedCookies(Shared& s, const Registration& r, Reply& reply) {
  const auto& sc = *s.config.signed_cookies;
  const int64_t now = s.now();
  const int64_t reuse_seconds = std::min<int64_t>(60, sc.ttl_seconds / 10);
  {
    std::lock_guard lock(s.cookies_mu);
    auto it = s.cookie_memo.find(r.id);
    if (it != s.cookie_memo.end() && now >= it->second.signed_at && now - it->second.signed_at < reuse_seconds) {
      for (const auto& v : it->second.set_cookie) reply.headers.add("Set-Cookie", v);
      return;
    }
  }
  const std::string url = s.config.certificates.url(r.id);
  policies::UrlSignRequest req;
  req.url = "http://edge" + url;
  req.policy_resource = "http*://*" + url;
  req.key_pair_id = sc.key_pair_id;
  req.date_less_than = now + sc.ttl_seconds;
  auto signed_url = policies::signUrl(req, *s.options.cookie_key);
  if (!signed_url) {
    std::fprintf(stderr, "edged-registration: signing cookies for %s: %s\n", r.id.c_str(), signed_url.error().c_str());
    return;
  }
  Shared::SignedCookies fresh;
  fresh.signed_at = now;
  for (const auto& [name, value] : signed_url->cookies) {
    fresh.set_cookie.push_back(name + "=" + value + "; Path=" + s.config.certificates.url_prefix +
                               "; HttpOnly; SameSite=Lax");
    reply.headers.add("Set-Cookie", fresh.set_cookie.back());
  }
  std::lock_guard lock(s.cookies_mu);
  if (s.cookie_memo.size() >= Shared::kMaxMemo) s.cookie_memo.clear();
  s.cookie_memo[r.id] = std::move(fresh);
}

Reply findById(Shared& s, const std::string& id) {
  tl::expected<std::optional<Registration>, std::string> found;
  {
    std::lock_guard lock(s.store_mu);
    found = s.store.findById(id);
  }
  if (!found) return internalError(found.error());
  if (!*found) return jsonReply(404, renderError("No such registration"));
  const Registration& r = **found;
  Reply reply = jsonReply(200, renderRegistration(r, s.config));
  if (r.issued() && s.config.signed_cookies && s.options.cookie_key) addSignedCookies(s, r, reply);
  return reply;
}

// ---- the handler -------------------------------------------------------------------------------

// One request that needs the database.
class ApiHandler final : public engine::ExchangeHandler {
 public:
  enum class State : uint8_t {
    Receiving,  // body bytes arriving (a POST) or waiting for the end of the request
    Working,    // the DbJob is queued or running
    Done,       // answered (or the viewer went away)
  };

  ApiHandler(std::shared_ptr<Shared> s, engine::Exchange& ex, std::function<Reply(Shared&, std::string&&)> work,
             bool wants_body)
      : s_(std::move(s)), ex_(ex), work_(std::move(work)), wants_body_(wants_body) {}
  ~ApiHandler() override {
    if (job_) job_->done = nullptr;
  }
  ApiHandler(const ApiHandler&) = delete;
  ApiHandler& operator=(const ApiHandler&) = delete;

  void onRequestBody(const char* data, size_t len) override {
    if (state_ != State::Receiving || !wants_body_) return;
    if (body_.size() + len > kMaxBodyBytes) {
      too_large_ = true;
      return;
    }
    body_.append(data, len);
  }

  void onRequestComplete() override {
    if (state_ != State::Receiving) return;
    if (too_large_) {
      state_ = State::Done;
      sendError(*s_, ex_, 413, "Request body is larger than 16 KiB");
      return;
    }
    state_ = State::Working;
    auto job = std::make_unique<DbJob>();
    job->wake = s_->options.wake;
    job->run = [s = s_, work = std::move(work_), body = std::move(body_)]() mutable {
      return work(*s, std::move(body));
    };
    job->done = [this](Reply&& r) {
      job_ = nullptr;
      state_ = State::Done;
      sendReply(*s_, ex_, std::move(r));
    };
    job_ = job.get();
    job->work.data = job.get();
    if (uv_queue_work(ex_.loop().raw(), &job->work, &DbJob::runOnPool, &DbJob::after) != 0) {
      DbJob* leaked = job.release();
      ex_.loop().defer([leaked] { DbJob::after(&leaked->work, UV_ECANCELED); });
      return;
    }
    job.release();
  }

  void onWritable() override {}
  void onViewerGone() override { state_ = State::Done; }

 private:
  std::shared_ptr<Shared> s_;
  engine::Exchange& ex_;
  std::function<Reply(Shared&, std::string&&)> work_;
  bool wants_body_;
  State state_ = State::Receiving;
  std::string body_;
  bool too_large_ = false;
  DbJob* job_ = nullptr;  // owned by libuv while queued
};

// ---- routing -----------------------------------------------------------------------------------

bool isJsonContentType(std::string_view v) {
  const size_t semi = v.find(';');
  return policies::iequals(policies::trimOws(v.substr(0, semi == std::string_view::npos ? v.size() : semi)),
                           "application/json");
}

// application/x-www-form-urlencoded decoding of one query value: '+' is a space, then
// percent-decoding (nullopt for a '%' without two hex digits).
std::optional<std::string> formDecode(std::string_view v) {
  std::string plus_as_space(v);
  std::replace(plus_as_space.begin(), plus_as_space.end(), '+', ' ');
  return policies::percentDecode(plus_as_space);
}

// The value of `name` in the raw query (the first occurrence; "" for a name without '=').
std::optional<std::string_view> queryParam(std::string_view query, std::string_view name) {
  std::optional<std::string_view> found;
  policies::forEachQueryParam(query, [&](std::string_view param, std::string_view param_name) {
    if (!found && param_name == name)
      found = param.size() > name.size() ? param.substr(name.size() + 1) : std::string_view();
  });
  return found;
}

bool isGet(const policies::ViewerRequest& req) { return req.method_name == "GET" || req.method_name == "HEAD"; }

}  // namespace

RegistrationService::RegistrationService(const RegistrationConfig& config, RegistrationStore& store,
                                         RegistrationServiceOptions options)
    : shared_(new Shared{config, store, {}, std::move(options)}) {}

RegistrationService::~RegistrationService() = default;

void RegistrationService::answerParseError(engine::Exchange& ex, int status, std::string_view reason) {
  const std::string message = status == 413   ? "Request body is larger than 16 KiB"
                              : status == 408 ? "Request timed out"
                                              : "Bad request: " + std::string(reason);
  Reply r = jsonReply(status, renderError(message));
  sendReply(*shared_, ex, std::move(r), /*close_after=*/true);
}

engine::ExchangeHandlerPtr RegistrationService::onRequest(engine::Exchange& ex) {
  Shared& s = *shared_;
  const policies::ViewerRequest& req = ex.request();

  if (const auto& verify = s.config.origin_verify) {
    auto v = req.headers.get(verify->name);
    if (!v || *v != verify->value) {
      sendError(s, ex, 403, "Forbidden");
      return nullptr;
    }
  }
  const std::string_view path = req.path;
  const bool api = path.rfind("/api/", 0) == 0;
  if (!api) {
    sendError(s, ex, 404, "Not found");
    return nullptr;
  }
  if (req.method_name == "OPTIONS") {
    Reply r;
    r.status = 204;
    if (auto origin = req.headers.get("origin"); origin && originAllowed(s, *origin)) {
      r.headers.add("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
      r.headers.add("Access-Control-Allow-Headers", "Content-Type");
      r.headers.add("Access-Control-Max-Age", "600");
    }
    sendReply(s, ex, std::move(r));
    return nullptr;
  }

  if (path == "/api/sessions") {
    if (!isGet(req)) {
      sendError(s, ex, 405, "Method not allowed", {{"Allow", "GET, HEAD, OPTIONS"}});
      return nullptr;
    }
    sendReply(s, ex, jsonReply(200, renderSessions(s.config)));
    return nullptr;
  }

  if (path == kRegistrationsPath) {
    if (req.method_name == "POST") {
      auto type = req.headers.get("content-type");
      if (!type || !isJsonContentType(*type)) {
        sendError(s, ex, 415, "Content-Type must be application/json");
        return nullptr;
      }
      if (auto len = req.headers.get("content-length"); len) {
        auto n = policies::parseContentLength(*len);
        if (n && *n > kMaxBodyBytes) {
          sendError(s, ex, 413, "Request body is larger than 16 KiB");
          return nullptr;
        }
      }
      // Validation is cheap and pure: it runs when the body is complete, on the pool with the
      // insert (one hop), so the loop never parses JSON.
      return std::make_unique<ApiHandler>(
          shared_, ex,
          [](Shared& sh, std::string&& body) -> Reply {
            auto fields = validateRegistration(body, sh.config.sessions);
            if (!fields) return jsonReply(400, renderError("Validation failed", fields.error()));
            return createRegistration(sh, *fields);
          },
          /*wants_body=*/true);
    }
    if (isGet(req)) {
      auto raw = queryParam(req.query, "email");
      std::optional<std::string> email = raw ? formDecode(*raw) : std::nullopt;
      std::string problem = !raw ? "is required" : !email ? "is not correctly percent-encoded" : "";
      if (email) {
        *email = std::string(trimSpace(*email));
        if (!isValidUtf8(*email)) problem = "must be valid UTF-8";
        else problem = emailProblem(*email);
      }
      if (!problem.empty()) {
        sendError(s, ex, 400, "Validation failed", {}, {{"email", problem}});
        return nullptr;
      }
      return std::make_unique<ApiHandler>(
          shared_, ex, [e = std::move(*email)](Shared& sh, std::string&&) { return findByEmail(sh, e); },
          /*wants_body=*/false);
    }
    sendError(s, ex, 405, "Method not allowed", {{"Allow", "GET, HEAD, POST, OPTIONS"}});
    return nullptr;
  }

  if (path.rfind(kRegistrationPrefix, 0) == 0 && path.size() > std::string_view(kRegistrationPrefix).size() &&
      path.find('/', std::string_view(kRegistrationPrefix).size()) == std::string_view::npos) {
    if (!isGet(req)) {
      sendError(s, ex, 405, "Method not allowed", {{"Allow", "GET, HEAD, OPTIONS"}});
      return nullptr;
    }
    std::string id(path.substr(std::string_view(kRegistrationPrefix).size()));
    if (!isRegistrationId(id)) {
      sendError(s, ex, 404, "No such registration");
      return nullptr;
    }
    return std::make_unique<ApiHandler>(
        shared_, ex, [id = std::move(id)](Shared& sh, std::string&&) { return findById(sh, id); },
        /*wants_body=*/false);
  }

  sendError(s, ex, 404, "Not found");
  return nullptr;
}

}  // namespace edge::registration
