// Builds the access log record of one finished exchange (cloudfront-behavior.md §10) from what
// the connection saw (ExchangeLog) and the viewer's request. Pure apart from its inputs: the
// caller passes the wall-clock end time. Any thread (called on the worker loop thread).
#pragma once

#include <cstdint>
#include <string_view>

#include "engine/server/exchange.h"
#include "policies/access_log_format.h"
#include "policies/config.h"
#include "policies/viewer_request.h"

namespace edge::engine {

// Result types (§10 fields 14, 23, 29):
//  * x-edge-response-result-type: the X-Cache classification the response head carried (§6.2),
//    except CapacityExceeded / LimitExceeded when the edge shed the request; "Error" when no
//    head was sent.
//  * x-edge-result-type: the same, or "Error" when the response did not complete (cut off, or
//    the viewer went away).
//  * x-edge-detailed-result-type: the same as x-edge-result-type, except for Error: the kind the
//    pipeline reported (OriginConnectError, InvalidRequest, …), else ClientHungUpRequest (the
//    viewer left before a response) / ClientCommError (during it), else "Error".
policies::AccessLogRecord makeAccessLogRecord(const policies::ViewerRequest& req,
                                              const ExchangeLog& log,
                                              const policies::EdgeSettings& edge,
                                              int64_t wall_end_ms);

}  // namespace edge::engine
