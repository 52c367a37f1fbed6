// RAII owners for libcurl handles (house convention 4): the only place curl_*_cleanup is named.
#pragma once

#include <curl/curl.h>

#include <memory>

namespace edge::origin {

struct CurlEasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMultiPtr = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// Appends `line` to the list owned by `list` (curl_slist_append returns a new head).
inline bool slistAppend(CurlSlistPtr& list, const char* line) {
  curl_slist* head = curl_slist_append(list.get(), line);
  if (head == nullptr) return false;
  list.release();
  list.reset(head);
  return true;
}

}  // namespace edge::origin
