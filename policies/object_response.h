// The viewer response for a stored (or still arriving) object: a viewer conditional answered 304
// (§3.6), a Range answered 206 / 416 or ignored (§9.1), HEAD (§9.2). Pure: the engine passes the
// object's head and known length and writes the body by the plan (engine/pipeline/body_writer).
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "policies/conditional.h"
#include "policies/http_types.h"
#include "policies/range.h"
#include "policies/viewer_request.h"

namespace edge::policies {

struct ObjectResponseInputs {
  const ViewerRequest& viewer;
  int status = 200;                   // the stored status
  const HeaderList& stored_headers;   // as stored: no framing fields
  std::optional<uint64_t> length;     // the body length when known (complete, or Content-Length)
  int64_t stored_at = 0;              // for If-Modified-Since without Last-Modified / Date
};

struct ObjectResponsePlan {
  int status = 200;
  HeaderList headers;                      // to send (before Age and the edge stamps)
  std::optional<uint64_t> content_length;  // nullopt: unknown yet (chunked to the viewer)
  bool send_body = true;                   // false for 304 and 416 (HEAD is the writer's business)
  ConditionalResult conditional = ConditionalResult::Unconditional;
  RangeDecision range;                     // Partial / Multipart: the ranges to cut
  // Multipart: the delimiter and part header before each range, and the closing delimiter.
  std::vector<std::string> part_heads;
  std::string multipart_tail;
};
std::ostream& operator<<(std::ostream& os, const ObjectResponsePlan& p);

// In this order: a viewer conditional (GET/HEAD on a 2xx object) that matches → 304 with the
// §15.4.5 fields; a Range on GET of a 200 object with a known length (If-Range permitting) →
// 206 (one range: Content-Range; several: multipart/byteranges) or 416 with
// `Content-Range: bytes */<length>`; otherwise the object as stored. A Range on an object whose
// length is not known yet (a chunked origin body still arriving) is ignored: whole object, 200
// (§9.1: "Transfer-Encoding: chunked with a Range request → whole object").
ObjectResponsePlan planObjectResponse(const ObjectResponseInputs& in);

// The multipart/byteranges boundary used for `length`-byte objects (deterministic, so tests and
// Content-Length computations agree).
std::string multipartBoundary();

}  // namespace edge::policies
