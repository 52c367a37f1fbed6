// `edged invalidate`: one blocking POST /invalidations to the admin listener (libcurl easy),
// then prints the Id and Status of the invalidation.
#include <curl/curl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/cli/commands.h"
#include "origin/curl_handles.h"
#include "policies/config.h"

namespace edge::engine::cli {

namespace {

using Json = nlohmann::json;

int usage(const std::string& msg) {
  std::fprintf(stderr, "edged invalidate: %s\nusage:\n%s", msg.c_str(), kInvalidateUsage);
  return 2;
}

size_t appendBody(char* data, size_t size, size_t n, void* userp) {
  static_cast<std::string*>(userp)->append(data, size * n);
  return size * n;
}

struct PostResult {
  bool sent = false;
  std::string error;  // transport error when !sent
  long status = 0;
  std::string body;
};

PostResult postJson(const std::string& url, const std::string& body) {
  PostResult r;
  origin::CurlEasyPtr easy(curl_easy_init());
  origin::CurlSlistPtr headers;
  if (!easy || !origin::slistAppend(headers, "Content-Type: application/json") ||
      !origin::slistAppend(headers, "Expect:")) {
    r.error = "cannot initialise libcurl";
    return r;
  }
  char errbuf[CURL_ERROR_SIZE] = {0};
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 30000L);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &appendBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &r.body);
  const CURLcode rc = curl_easy_perform(e);
  if (rc != CURLE_OK) {
    r.error = errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc);
    return r;
  }
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r.status);
  r.sent = true;
  return r;
}

std::string defaultCallerReference() {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
  return "edged-cli-" + std::to_string(ms) + "-" + std::to_string(::getpid());
}

std::string stringAt(const Json& j, std::initializer_list<const char*> keys) {
  const Json* cur = &j;
  for (const char* k : keys) {
    if (!cur->is_object()) return "";
    auto it = cur->find(k);
    if (it == cur->end()) return "";
    cur = &*it;
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_number_integer()) return cur->dump();
  return "";
}

}  // namespace

int runInvalidate(int argc, char** argv) {
  std::optional<policies::ListenAddress> admin;
  std::string caller_reference;
  std::vector<std::string> paths;
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (a == "--admin") {
      admin = v != nullptr ? policies::parseListenAddress(v) : std::nullopt;
      if (!admin) return usage("--admin needs HOST:PORT");
      ++i;
    } else if (a == "--caller-reference") {
      if (v == nullptr || *v == '\0') return usage("--caller-reference needs a value");
      caller_reference = v;
      ++i;
    } else if (a == "--") {
      for (++i; i < argc; ++i) paths.emplace_back(argv[i]);
    } else if (a.starts_with('-')) {
      return usage("unknown flag: " + std::string(a));
    } else {
      paths.emplace_back(a);
    }
  }
  if (!admin) return usage("--admin HOST:PORT is required");
  if (paths.empty()) return usage("at least one PATH is required (e.g. '/images/*')");
  if (caller_reference.empty()) caller_reference = defaultCallerReference();

  const Json batch{{"CallerReference", caller_reference},
                   {"Paths", Json{{"Quantity", paths.size()}, {"Items", paths}}}};
  const std::string url = "http://" + admin->toString() + "/invalidations";

  curl_global_init(CURL_GLOBAL_DEFAULT);
  const PostResult r = postJson(url, batch.dump(-1, ' ', false, Json::error_handler_t::replace));
  curl_global_cleanup();
  if (!r.sent) {
    std::fprintf(stderr, "edged: cannot reach the admin listener at %s: %s\n",
                 admin->toString().c_str(), r.error.c_str());
    return 1;
  }
  const Json doc = Json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (r.status < 200 || r.status > 299) {
    const std::string code = stringAt(doc, {"Error", "Code"});
    const std::string message = stringAt(doc, {"Error", "Message"});
    if (!message.empty()) {
      std::fprintf(stderr, "edged: invalidation refused: %ld %s: %s\n", r.status, code.c_str(),
                   message.c_str());
    } else {
      std::fprintf(stderr, "edged: invalidation refused: HTTP %ld: %.300s\n", r.status,
                   r.body.c_str());
    }
    return 1;
  }
  const std::string id = stringAt(doc, {"Invalidation", "Id"});
  if (id.empty()) {
    std::fprintf(stderr, "edged: unexpected answer from the admin listener (HTTP %ld): %.300s\n",
                 r.status, r.body.c_str());
    return 1;
  }
  std::printf("Id: %s\nStatus: %s\nCreateTime: %s\nCallerReference: %s\nObjectsInvalidated: %s\n",
              id.c_str(), stringAt(doc, {"Invalidation", "Status"}).c_str(),
              stringAt(doc, {"Invalidation", "CreateTime"}).c_str(), caller_reference.c_str(),
              stringAt(doc, {"Invalidation", "ObjectsInvalidated"}).c_str());
  return 0;
}

}  // namespace edge::engine::cli
