#include "origin/registration/s3_put_client.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <array>
#include <string>

#include "origin/curl_handles.h"
#include "policies/http_types.h"
#include "policies/sigv4.h"

namespace edge::registration {
namespace sigv4 = edge::policies::sigv4;
namespace {

struct Answer {
  std::string body;
  std::string etag;
};

size_t onBody(char* data, size_t size, size_t n, void* userp) {
  auto* answer = static_cast<Answer*>(userp);
  // S3 error documents are small; keep at most 64 KiB of whatever comes.
  if (answer->body.size() < 65536) answer->body.append(data, size * n);
  return size * n;
}

size_t onHeader(char* data, size_t size, size_t n, void* userp) {
  auto* answer = static_cast<Answer*>(userp);
  const std::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * n;
  const std::string_view name = line.substr(0, colon);
  if (name.size() == 4 && curl_strnequal(name.data(), "etag", 4) != 0) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    answer->etag = std::string(value);
  }
  return size * n;
}

// The text of the first <tag>…</tag> in an S3 error document ("" when absent).
std::string xmlElement(const std::string& doc, const std::string& tag) {
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  const size_t start = doc.find(open);
  if (start == std::string::npos) return "";
  const size_t end = doc.find(close, start + open.size());
  if (end == std::string::npos) return "";
  return doc.substr(start + open.size(), end - start - open.size());
}

}  // namespace

std::string contentMd5Base64(std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int md_len = 0;
  if (EVP_Digest(body.data(), body.size(), md.data(), &md_len, EVP_md5(), nullptr) != 1) return "";
  std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> b64{};
  const int n = EVP_EncodeBlock(b64.data(), md.data(), static_cast<int>(md_len));
  return std::string(reinterpret_cast<const char*>(b64.data()), static_cast<size_t>(n));
}

tl::expected<std::string, std::string> putObject(const S3PutTarget& target, const S3PutObject& object,
                                                 int64_t now) {
  const std::string path =
      "/" + sigv4::uriEncode(target.bucket, true) + "/" + sigv4::uriEncode(object.key, false);
  const std::string what = "PUT " + path + ": ";

  policies::HeaderList headers;
  headers.add("Host", target.endpoint);
  headers.add("Content-Type", object.content_type);
  headers.add("Content-MD5", contentMd5Base64(object.body));
  if (!object.cache_control.empty()) headers.add("Cache-Control", object.cache_control);
  sigv4::SignOptions sign;
  sign.region = target.region;
  sign.service = "s3";
  sign.payload_hash = sigv4::sha256Hex(object.body);
  sign.extra_signed_headers = {"content-md5", "content-type"};
  const sigv4::Credentials creds{target.access_key_id, target.secret_access_key};
  if (!sigv4::signRequest("PUT", path, "", headers, creds, sign, now))
    return tl::unexpected(what + "cannot sign the request");

  origin::CurlEasyPtr easy(curl_easy_init());
  if (!easy) return tl::unexpected(what + "curl_easy_init failed");
  origin::CurlSlistPtr list;
  for (const auto& h : headers.items()) {
    const std::string line = h.name + ": " + h.value;
    if (!origin::slistAppend(list, line.c_str())) return tl::unexpected(what + "out of memory");
  }
  // No "Expect: 100-continue" round trip, and no Accept header curl would add on its own.
  if (!origin::slistAppend(list, "Expect:") || !origin::slistAppend(list, "Accept:"))
    return tl::unexpected(what + "out of memory");

  Answer answer;
  const std::string url = "http://" + target.endpoint + path;
  CURL* h = easy.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, object.body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(object.body.size()));
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(target.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(target.total_timeout_ms));
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, onBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, onHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &answer);

  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) return tl::unexpected(what + curl_easy_strerror(rc));
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return answer.etag;

  std::string error = what + "HTTP " + std::to_string(status);
  const std::string code = xmlElement(answer.body, "Code");
  if (!code.empty()) error += " " + code;
  const std::string message = xmlElement(answer.body, "Message");
  if (!message.empty()) error += ": " + message;
  return tl::unexpected(error);
}

}  // namespace edge::registration
