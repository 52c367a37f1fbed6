#include "policies/object_response.h"

namespace edge::policies {

std::string multipartBoundary() { return "EDGED_BYTERANGES_3d6b6a1c"; }

std::ostream& operator<<(std::ostream& os, const ObjectResponsePlan& p) {
  os << "{status=" << p.status << " length=";
  if (p.content_length) os << *p.content_length;
  else os << "unknown";
  return os << " body=" << p.send_body << " conditional=" << p.conditional << " range=" << p.range
            << "}";
}

ObjectResponsePlan planObjectResponse(const ObjectResponseInputs& in) {
  ObjectResponsePlan plan;
  plan.status = in.status;
  const Method method = in.viewer.method;
  const bool get_or_head = method == Method::Get || method == Method::Head;
  if (get_or_head && in.status >= 200 && in.status < 300 &&
      evaluateViewerConditional(method, in.viewer.headers, in.stored_headers, in.stored_at) ==
          ConditionalResult::NotModified) {
    plan.status = 304;
    plan.conditional = ConditionalResult::NotModified;
    plan.headers = notModifiedHeaders(in.stored_headers);
    plan.send_body = false;
    return plan;
  }
  plan.headers = in.stored_headers;
  plan.content_length = in.length;
  const auto range_header = in.viewer.headers.get("range");
  if (!range_header || in.status != 200 || !in.length || method != Method::Get) return plan;
  if (auto if_range = in.viewer.headers.get("if-range");
      if_range && !ifRangeAllowsPartial(*if_range, in.stored_headers)) {
    return plan;
  }
  const uint64_t length = *in.length;
  plan.range = decideRange(method, range_header, length);
  switch (plan.range.outcome) {
    case RangeOutcome::Full:
      break;
    case RangeOutcome::Partial: {
      const ByteRange& r = plan.range.ranges.front();
      plan.status = 206;
      plan.headers.set("Content-Range", formatContentRange(r, length));
      plan.content_length = r.length();
      break;
    }
    case RangeOutcome::Multipart: {
      plan.status = 206;
      const std::string boundary = multipartBoundary();
      const std::string type = std::string(in.stored_headers.get("content-type").value_or(""));
      plan.headers.remove("content-type");
      plan.headers.add("Content-Type", "multipart/byteranges; boundary=" + boundary);
      uint64_t total = 0;
      for (const ByteRange& r : plan.range.ranges) {
        std::string head = "\r\n--" + boundary + "\r\n";
        if (!type.empty()) head += "Content-Type: " + type + "\r\n";
        head += "Content-Range: " + formatContentRange(r, length) + "\r\n\r\n";
        total += head.size() + r.length();
        plan.part_heads.push_back(std::move(head));
      }
      plan.multipart_tail = "\r\n--" + boundary + "--\r\n";
      total += plan.multipart_tail.size();
      plan.content_length = total;
      break;
    }
    case RangeOutcome::Unsatisfiable:
      plan.status = 416;
      plan.headers = HeaderList{};
      if (auto ct = in.stored_headers.get("content-type")) plan.headers.add("Content-Type", std::string(*ct));
      plan.headers.add("Content-Range", formatUnsatisfiedRange(length));
      plan.content_length = 0;
      plan.send_body = false;
      break;
  }
  return plan;
}

}  // namespace edge::policies
