// The API's JSON documents (README.md, "API"): a registration, lists of them, the sessions and
// the error bodies. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "origin/registration/registration_config.h"
#include "origin/registration/registration_store.h"
#include "origin/registration/registration_validation.h"

namespace edge::registration {

// "2026-11-29T15:00:00Z".
std::string isoUtc(int64_t epoch_seconds);

// {"id", "name", "email", "affiliation", "session", "sessionTitle", "status", "createdAt",
//  "issuedAt" (null while pending), "certificateUrl" (null while pending)}.
std::string renderRegistration(const Registration& r, const RegistrationConfig& config);
// {"registrations": [ … ]} in the given order.
std::string renderRegistrationList(const std::vector<Registration>& list, const RegistrationConfig& config);
// {"conference": …, "sessions": [{"id", "title"}]}.
std::string renderSessions(const RegistrationConfig& config);
// {"message": …} and, when `errors` is not empty, "errors": [{"field", "message"}].
std::string renderError(std::string_view message, const FieldErrors& errors = {});

}  // namespace edge::registration
