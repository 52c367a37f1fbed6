// The attendance certificate as SVG: deterministic bytes from the registration (same input,
// same bytes), every attendee-supplied string XML-escaped. Pure.
#pragma once

#include <string>
#include <string_view>

namespace edge::registration {

struct CertificateFields {
  std::string registration_id;
  std::string name;
  std::string affiliation;     // may be empty
  std::string conference;      // Conference.Name
  std::string session_title;
  std::string date;            // "29 November 2026", from the registration's created_at
};

std::string renderCertificateSvg(const CertificateFields& fields);

// XML text for character data and attribute values: & < > " ' as entities, C0/C1 controls, DEL
// and U+FFFE/U+FFFF dropped, each malformed UTF-8 byte replaced by U+FFFD, valid UTF-8 kept.
std::string xmlEscape(std::string_view text);

}  // namespace edge::registration
