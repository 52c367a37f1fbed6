#include "support/http_client.h"

#include <curl/curl.h>

#include <stdexcept>

namespace edge::itest {

namespace {

void ensureCurlGlobal() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

struct Transfer {
  HttpResponse* response;
  bool discard;
};

size_t onBody(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  size_t n = size * nmemb;
  t->response->body_bytes += n;
  if (!t->discard) t->response->body.append(ptr, n);
  return n;
}

size_t onHeader(char* ptr, size_t size, size_t nmemb, void* userdata) {
  auto* t = static_cast<Transfer*>(userdata);
  size_t n = size * nmemb;
  std::string_view line(ptr, n);
  line = trimOws(line);
  if (line.substr(0, 5) == "HTTP/") {
    t->response->headers = Headers();  // a new (final or interim) response starts
    t->response->status_line = std::string(line);
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->response->headers.add(std::string(line.substr(0, colon)),
                             std::string(trimOws(line.substr(colon + 1))));
  }
  return n;
}

}  // namespace

Http::Http() {
  ensureCurlGlobal();
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

Http::~Http() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse Http::get(const std::string& url, const std::vector<std::string>& headers,
                       const RequestOptions& options) {
  return request("GET", url, headers, nullptr, options);
}

HttpResponse Http::head(const std::string& url, const std::vector<std::string>& headers,
                        const RequestOptions& options) {
  return request("HEAD", url, headers, nullptr, options);
}

HttpResponse Http::post(const std::string& url, const std::vector<std::string>& headers,
                        const std::string& body, const RequestOptions& options) {
  return request("POST", url, headers, &body, options);
}

HttpResponse Http::put(const std::string& url, const std::vector<std::string>& headers,
                       const std::string& body, const RequestOptions& options) {
  return request("PUT", url, headers, &body, options);
}

HttpResponse Http::request(const std::string& method, const std::string& url,
                           const std::vector<std::string>& headers, const std::string* body,
                           const RequestOptions& options) {
  CURL* c = static_cast<CURL*>(curl_);
  curl_easy_reset(c);  // keeps live connections
  HttpResponse response;
  Transfer transfer{&response, options.discard_body};
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());

  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.timeout.count()));
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
                   options.http10 ? CURL_HTTP_VERSION_1_0 : CURL_HTTP_VERSION_1_1);
  if (method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else {
    if (method != "POST") curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (body != nullptr) {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body->size()));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    } else if (method == "POST") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(0));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    }
  }

  CURLcode rc = curl_easy_perform(c);
  response.curl_code = static_cast<int>(rc);
  response.error = errbuf[0] ? errbuf : (rc != CURLE_OK ? curl_easy_strerror(rc) : "");
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &response.status);
  curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &response.connects);
  curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &response.total_seconds);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
  curl_slist_free_all(list);
  return response;
}

std::ostream& operator<<(std::ostream& os, const HttpResponse& r) {
  os << "curl_code=" << r.curl_code << " (" << r.error << ") status=" << r.status << " "
     << r.status_line << "\n"
     << r.headers << "  [body " << r.body_bytes << " bytes]: " << r.body.substr(0, 600);
  return os;
}

::testing::AssertionResult isGeneratedError(const HttpResponse& r, long status,
                                            std::string_view reason) {
  auto fail = [&](const std::string& what) {
    return ::testing::AssertionFailure() << what << "\n" << r;
  };
  if (!r.ok()) return fail("transfer failed");
  if (r.status != status)
    return fail("status " + std::to_string(r.status) + " != " + std::to_string(status));
  if (r.headers.get("X-Cache").value_or("") != "Error from cloudfront") return fail("X-Cache");
  if (r.headers.get("Server").value_or("") != "CloudFront") return fail("Server");
  if (r.headers.get("Content-Type").value_or("").rfind("text/html", 0) != 0)
    return fail("Content-Type");
  std::string id = r.headers.get("X-Amz-Cf-Id").value_or("");
  if (!isCfId(id)) return fail("X-Amz-Cf-Id missing or malformed");
  if (r.body.find(id) == std::string::npos) return fail("body does not quote the request id");
  if (!reason.empty() && r.body.find(reason) == std::string::npos) {
    return fail("body lacks \"" + std::string(reason) + "\"");
  }
  return ::testing::AssertionSuccess();
}

}  // namespace edge::itest
