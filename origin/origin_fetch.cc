#include "origin/origin_fetch.h"

namespace edge::origin {

std::string_view toString(FetchOutcome o) {
  switch (o) {
    case FetchOutcome::Complete: return "Complete";
    case FetchOutcome::DnsError: return "DnsError";
    case FetchOutcome::ConnectError: return "ConnectError";
    case FetchOutcome::ConnectTimeout: return "ConnectTimeout";
    case FetchOutcome::ReadTimeout: return "ReadTimeout";
    case FetchOutcome::InvalidResponse: return "InvalidResponse";
    case FetchOutcome::HeaderTooBig: return "HeaderTooBig";
    case FetchOutcome::Aborted: return "Aborted";
  }
  return "Unknown";
}

}  // namespace edge::origin
