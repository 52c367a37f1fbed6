#include "origin/registration/registration_json.h"

#include <ctime>

#include <nlohmann/json.hpp>

namespace edge::registration {

namespace {

using nlohmann::json;

// Stored strings were validated as UTF-8; `replace` only guards against a hand-edited database.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json registrationJson(const Registration& r, const RegistrationConfig& config) {
  const Session* s = config.findSession(r.session);
  json j;
  j["id"] = r.id;
  j["name"] = r.name;
  j["email"] = r.email;
  j["affiliation"] = r.affiliation;
  j["session"] = r.session;
  j["sessionTitle"] = s ? json(s->title) : json(nullptr);
  j["status"] = r.status;
  j["createdAt"] = isoUtc(r.created_at);
  j["issuedAt"] = r.issued() && r.issued_at ? json(isoUtc(*r.issued_at)) : json(nullptr);
  j["certificateUrl"] = r.issued() ? json(config.certificates.url(r.id)) : json(nullptr);
  return j;
}

}  // namespace

std::string isoUtc(int64_t epoch_seconds) {
  const time_t t = static_cast<time_t>(epoch_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string renderRegistration(const Registration& r, const RegistrationConfig& config) {
  return dump(registrationJson(r, config));
}

std::string renderRegistrationList(const std::vector<Registration>& list, const RegistrationConfig& config) {
  json arr = json::array();
  for (const auto& r : list) arr.push_back(registrationJson(r, config));
  return dump(json{{"registrations", arr}});
}

std::string renderSessions(const RegistrationConfig& config) {
  json arr = json::array();
  for (const auto& s : config.sessions) arr.push_back({{"id", s.id}, {"title", s.title}});
  return dump(json{{"conference", config.conference_name}, {"sessions", arr}});
}

std::string renderError(std::string_view message, const FieldErrors& errors) {
  json j;
  j["message"] = std::string(message);
  if (!errors.empty()) {
    json arr = json::array();
    for (const auto& e : errors) arr.push_back({{"field", e.field}, {"message", e.message}});
    j["errors"] = arr;
  }
  return dump(j);
}

}  // namespace edge::registration
