// The attendance certificate as SVG: deterministic bytes from the registration (same input,
// same bytes), every attendee-supplied string XML-escaped. Pure.
#pragma once

#include <string>

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

}  // namespace edge::registration
