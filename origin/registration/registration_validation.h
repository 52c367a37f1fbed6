// Checking a POST /api/registrations body and the ?email= query (README.md, "Validation").
// Pure: text in, validated fields or every problem found out.
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "origin/registration/registration_config.h"

namespace edge::registration {

struct FieldError {
  std::string field;  // "name", "email", …, the unknown field's name, or "body"
  std::string message;
  bool operator==(const FieldError&) const = default;
};
std::ostream& operator<<(std::ostream& os, const FieldError& e);
using FieldErrors = std::vector<FieldError>;

struct NewRegistration {
  std::string name;         // trimmed
  std::string email;        // trimmed
  std::string affiliation;  // trimmed, may be empty
  std::string session;      // one of the configured Session ids
  bool operator==(const NewRegistration&) const = default;
};

// The JSON body → its fields, or every field that is wrong (in the order name, email,
// affiliation, session, then unknown fields). A body that is not valid UTF-8, not JSON or not
// an object gives one error for "body".
tl::expected<NewRegistration, FieldErrors> validateRegistration(std::string_view body,
                                                                const std::vector<Session>& sessions);

// The email rule alone (for ?email=): "" when `email` (already trimmed) is acceptable, else
// the message.
std::string emailProblem(std::string_view email);

bool isValidUtf8(std::string_view s);
// Length in code points of valid UTF-8.
size_t codePoints(std::string_view s);
// Surrounding ASCII whitespace removed.
std::string_view trimSpace(std::string_view s);

}  // namespace edge::registration
