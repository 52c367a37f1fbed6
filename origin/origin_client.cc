#include "origin/origin_client.h"

#include <ctime>

#include "origin/curl_fetch.h"
#include "origin/http_fetch.h"

namespace edge::origin {

OriginClient::OriginClient(uv_loop_t* loop) : pool_(loop), curl_(loop) {}

OriginClient::~OriginClient() = default;

OriginFetchPtr OriginClient::open(FetchRequest&& req, FetchObserver& observer) {
  // Signed with the wall clock (not the edge's test clock): the origin checks the skew.
  if (req.signer != nullptr) {
    policies::signOriginRequest(*req.signer, req.method, req.path_and_query, req.headers,
                                static_cast<int64_t>(std::time(nullptr)));
  }
  if (req.https) return std::make_unique<CurlFetch>(curl_, std::move(req), observer);
  return std::make_unique<HttpFetch>(pool_, std::move(req), observer);
}

}  // namespace edge::origin
