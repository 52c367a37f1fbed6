// One origin fetch that fills a cache object (pipeline step 11, STYLE.md §b): the leader of a
// collapsed miss, a revalidation of a stale object (§3.6), or a background stale-while-revalidate
// refresh (§3.7). It decides at the response head what the object becomes:
//
//   cacheable response       setHead + append + complete: every reader (the leader's own viewer
//                            included) reads the object as it arrives            → Miss
//   304 to a revalidation    the stale object's body under the refreshed head    → RefreshHit
//   5xx / no response while  the stale object again, held for ErrorCachingMinTTL → StaleOnError
//   a stale copy may serve   (§3.4, §3.5, §3.7)
//   uncacheable response     abandon(Uncacheable) for the followers; the leader's viewer gets a
//                            plain pass-through of this very response            → Bypass
//   no usable response       abandon(OriginFailed, edge error): readers answer the error page
//   broken mid-body          abandon(Truncated, edge error): nothing is stored, readers that
//                            answered cut their viewers, the others answer the error page
//
// Owned by the EdgeService of its loop, never by a request: a leader whose viewer goes away
// leaves the fill running for its followers and the store (CloudFront keeps filling), except in
// pass-through mode, or when the body is too large to store and nobody reads it any more. Loop
// thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/cache/cache_store.h"
#include "engine/pipeline/body_compressor.h"
#include "engine/uv/loop.h"
#include "origin/origin_fetch.h"
#include "policies/cache_settings.h"
#include "policies/cache_status.h"
#include "policies/compression.h"
#include "policies/config.h"

namespace edge::engine {

class EdgeService;

// The request that started a fill and still wants to hear about it.
class FillClient {
 public:
  virtual ~FillClient() = default;
  // The response head was decided. For a stored response (`pass_through` false) the client keeps
  // reading the object; `leader_headers` are what only the leader's viewer gets (a Set-Cookie the
  // object does not store, §3.10). With `pass_through` the response may not be shared: the head
  // follows in onPassHead, the body in onPassBody and the end in onPassDone.
  virtual void onFillDecided(policies::CacheOutcome outcome, bool pass_through,
                             policies::HeaderList&& leader_headers, std::string ttl_reason) = 0;
  virtual void onPassHead(int status, policies::HeaderList&& origin_headers) = 0;
  // False: the viewer cannot take more now, the bytes were not taken (resumePassThrough comes
  // when it can). With `must_take` the bytes are queued whatever the viewer's backlog (output of
  // a compressor that already consumed its input).
  virtual bool onPassBody(const char* data, size_t len, bool must_take) = 0;
  // The viewer's connection has a backlog: onPassBody would refuse.
  virtual bool passBlocked() const = 0;
  virtual void onPassDone(origin::FetchOutcome outcome, bool head_received) = 0;
  // The fill is over and about to be destroyed: forget it.
  virtual void onFillGone() = 0;
};

struct FillPlan {
  const policies::Behavior* behavior = nullptr;
  const policies::BehaviorCacheSettings* settings = nullptr;
  policies::Method method = policies::Method::Get;  // the viewer's (HEAD is fetched as GET)
  origin::FetchRequest request;  // viewer conditionals and Range removed; validators added
  CachedObjectPtr stale;         // the expired object this fill replaces, if any
  bool revalidating = false;     // `request` carries If-None-Match / If-Modified-Since
  // §4.3: the coding this key's variant is compressed with, when the response qualifies (§4.1).
  policies::ContentCoding offered = policies::ContentCoding::Identity;
};

class OriginFill final : private origin::FetchObserver {
 public:
  OriginFill(EdgeService& service, FillPermit&& permit, FillPlan&& plan, FillClient* client);
  ~OriginFill() override;
  OriginFill(const OriginFill&) = delete;
  OriginFill& operator=(const OriginFill&) = delete;

  // Starts the origin fetch; false if it could not start (the fill then failed: readers learn it
  // through the object, and the service destroys the fill).
  bool start();
  // The client is gone (its destructor): the fill goes on alone, or stops if nobody needs it.
  void detachClient();
  // Pass-through mode: the client's viewer can take bytes again.
  void resumePassThrough();

 private:
  // FetchObserver
  void onOriginHead(int status, policies::HeaderList&& headers) override;
  bool onOriginBody(const char* data, size_t len) override;
  void onOriginDone(origin::FetchOutcome outcome, bool head_received) override;

  enum class Mode : uint8_t { AwaitingHead, Filling, Discarding, PassThrough, Done };

  void decide(policies::CacheOutcome outcome, bool pass_through, policies::HeaderList&& leader,
              std::string ttl_reason);
  // Publishes the stale object again (refreshed head or held after an error).
  void completeFromStale(policies::HeaderList headers, policies::StoredFreshness freshness,
                         policies::CacheOutcome outcome, std::string ttl_reason);
  bool serveStaleOnError(int status);
  // §4.1: starts compressing when the response qualifies; rewrites `headers` for the compressed
  // form (§4.4, §4.6). Returns the verdict for the debug reason.
  policies::CompressVerdict startCompression(int status, policies::HeaderList& headers);
  // Compresses one origin piece into compressed_ (false on an encoder error).
  bool compress(const char* data, size_t len);
  bool finishCompression();
  // An encoder error: nothing is stored, the viewer's response is cut, the fetch stopped.
  void failCompression();
  // Pass-through: hands compressed_ to the client (must_take), keeping nothing back.
  void passCompressed();
  // Filling: moves compressed_ into the object.
  void appendCompressed();
  // A TTL-0 pass-through kept for the store (§9.3): one more body piece, until it is too large.
  void keepPiece(std::string&& bytes);
  void checkStreamingOnly();
  void finish();

  EdgeService& service_;
  FillPermit permit_;
  FillPlan plan_;
  FillClient* client_;
  std::unique_ptr<origin::OriginFetch> fetch_;
  Mode mode_ = Mode::AwaitingHead;
  int64_t received_at_ = 0;
  bool paused_ = false;   // refused body bytes: too much of a too-large body waits for readers
  Timer poll_;            // while paused: checks whether the readers caught up
  bool finished_ = false;
  // A TTL-0 response passed through unshared but stored once complete (§9.3).
  bool keep_ = false;
  policies::CacheKey keep_key_;
  std::string keep_path_;
  ObjectHead keep_head_;
  std::vector<BodyChunk> keep_chunks_;
  uint64_t keep_bytes_ = 0;
  // §4: the body is compressed on its way into the object (or to the pass-through viewer).
  std::unique_ptr<BodyCompressor> compressor_;
  std::vector<std::string> compressed_;  // output of the last write, handed on at once
};

// The TTL decision (policies/ttl.h) for an origin response under a behaviour's cache settings.
policies::TtlDecision decideResponseTtl(policies::Method method, int status,
                                        const policies::HeaderList& headers,
                                        const policies::BehaviorCacheSettings& settings,
                                        const policies::Config& config, int64_t received_at);

// Removes what a viewer sent to select or validate a representation (Range, If-Range,
// If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since): the edge answers those from
// the whole object, so a fill or an error-page fetch asks the origin without them.
void removeViewerConditionals(policies::HeaderList& headers);

// The stored head of a cacheable origin response: the viewer-facing headers (hop-by-hop, framing,
// Set-Cookie per §3.10, Vary per §3.8 removed or rewritten), its freshness and Content-Length.
// A Set-Cookie kept for the fetching viewer only goes to `leader_only`.
ObjectHead makeObjectHead(int status, const policies::HeaderList& origin_headers,
                          const policies::Cacheable& decision, const policies::Behavior& behavior,
                          const policies::BehaviorCacheSettings& settings,
                          const policies::Config& config, int64_t received_at,
                          policies::HeaderList* leader_only);

// The edge error for a fetch that ended without a usable response (§7.4).
policies::EdgeErrorKind edgeErrorFor(origin::FetchOutcome outcome);

}  // namespace edge::engine
