// Opens origin fetches for one loop: plain-HTTP origins through our own HTTP/1.1 client
// (HttpFetch over the loop's OriginPool), HTTPS origins through libcurl (CurlFetch).
//
// Why not libcurl for everything: in the pass-through benchmark (bench/proxy_bench.sh, 1 KiB
// bodies) perf put libcurl at 28% of edged's CPU per request (easy-handle setup, header slist
// building, its own header parsing and connection-cache bookkeeping, and the uv_poll glue
// around multi_socket_action), plus much of the malloc/memmove share. A plain-HTTP origin needs
// none of that: one serialized request head, llhttp for the response, pooled keep-alive
// sockets on the loop. libcurl stays for HTTPS origins, where TLS is the expensive part anyway.
// Loop thread only.
#pragma once

#include <uv.h>

#include "origin/curl_multi.h"
#include "origin/origin_fetch.h"
#include "origin/origin_pool.h"

namespace edge::origin {

class OriginClient {
 public:
  explicit OriginClient(uv_loop_t* loop);
  ~OriginClient();
  OriginClient(const OriginClient&) = delete;
  OriginClient& operator=(const OriginClient&) = delete;

  // A fetch for `req` (not started yet): HttpFetch for http, CurlFetch for https. A request
  // with a signer is signed here (SigV4, origin access control).
  OriginFetchPtr open(FetchRequest&& req, FetchObserver& observer);

  OriginPool& pool() { return pool_; }
  CurlMulti& curl() { return curl_; }

 private:
  OriginPool pool_;
  CurlMulti curl_;
};

}  // namespace edge::origin
