#include "origin/origin_client.h"

#include "origin/curl_fetch.h"
#include "origin/http_fetch.h"

namespace edge::origin {

OriginClient::OriginClient(uv_loop_t* loop) : pool_(loop), curl_(loop) {}

OriginClient::~OriginClient() = default;

OriginFetchPtr OriginClient::open(FetchRequest&& req, FetchObserver& observer) {
  if (req.https) return std::make_unique<CurlFetch>(curl_, std::move(req), observer);
  return std::make_unique<HttpFetch>(pool_, std::move(req), observer);
}

}  // namespace edge::origin
