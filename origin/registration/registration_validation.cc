#include "origin/registration/registration_validation.h"

#include <nlohmann/json.hpp>

namespace edge::registration {

namespace {

using nlohmann::json;

constexpr size_t kMaxName = 100;
constexpr size_t kMaxEmail = 254;
constexpr size_t kMaxAffiliation = 120;

// C0 controls, DEL and the C1 controls (U+0080..U+009F, encoded C2 80..C2 9F).
bool hasControl(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < s.size()) {
      const auto n = static_cast<unsigned char>(s[i + 1]);
      if (n >= 0x80 && n <= 0x9f) return true;
    }
  }
  return false;
}

// A string member: "" message when fine (value in `out`), else the problem.
std::string stringMember(const json& obj, const char* name, bool required, std::string& out, bool& present) {
  auto it = obj.find(name);
  present = it != obj.end() && !it->is_null();
  if (!present) return required ? "is required" : "";
  if (!it->is_string()) return "must be a string";
  out = it->get<std::string>();
  if (!isValidUtf8(out)) return "must be valid UTF-8";
  return "";
}

std::string textProblem(std::string_view v, size_t min, size_t max) {
  if (hasControl(v)) return "must not contain control characters";
  const size_t n = codePoints(v);
  if (n < min || n > max) {
    return min == 0 ? "must be at most " + std::to_string(max) + " characters"
                    : "must be " + std::to_string(min) + " to " + std::to_string(max) + " characters";
  }
  return "";
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const FieldError& e) { return os << e.field << ": " << e.message; }

bool isValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) { ++i; continue; }
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto n = static_cast<unsigned char>(s[i + k]);
      if ((n & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (n & 0x3f);
    }
    // Overlong forms, surrogates and values above U+10FFFF.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += len;
  }
  return true;
}

size_t codePoints(std::string_view s) {
  size_t n = 0;
  for (char ch : s)
    if ((static_cast<unsigned char>(ch) & 0xc0) != 0x80) ++n;
  return n;
}

std::string_view trimSpace(std::string_view s) {
  const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

std::string emailProblem(std::string_view email) {
  if (email.empty()) return "is required";
  if (email.size() > kMaxEmail) return "must be at most 254 characters";
  if (hasControl(email)) return "must not contain control characters";
  for (char c : email)
    if (c == ' ' || c == '\t') return "must not contain spaces";
  const size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return "must contain exactly one '@'";
  }
  if (at == 0) return "needs a local part before '@'";
  const std::string_view domain = email.substr(at + 1);
  const size_t dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return "needs a domain with a dot";
  return "";
}

tl::expected<NewRegistration, FieldErrors> validateRegistration(std::string_view body,
                                                                const std::vector<Session>& sessions) {
  if (!isValidUtf8(body)) return tl::make_unexpected(FieldErrors{{"body", "must be valid UTF-8"}});
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return tl::make_unexpected(FieldErrors{{"body", "must be valid JSON"}});
  if (!doc.is_object()) return tl::make_unexpected(FieldErrors{{"body", "must be a JSON object"}});

  FieldErrors errors;
  NewRegistration out;
  bool present = false;
  std::string raw;

  if (auto p = stringMember(doc, "name", true, raw, present); !p.empty()) {
    errors.push_back({"name", p});
  } else {
    out.name = std::string(trimSpace(raw));
    if (auto q = textProblem(out.name, 1, kMaxName); !q.empty()) errors.push_back({"name", q});
  }

  raw.clear();
  if (auto p = stringMember(doc, "email", true, raw, present); !p.empty()) {
    errors.push_back({"email", p});
  } else {
    out.email = std::string(trimSpace(raw));
    if (auto q = emailProblem(out.email); !q.empty()) errors.push_back({"email", q});
  }

  raw.clear();
  if (auto p = stringMember(doc, "affiliation", false, raw, present); !p.empty()) {
    errors.push_back({"affiliation", p});
  } else if (present) {
    out.affiliation = std::string(trimSpace(raw));
    if (auto q = textProblem(out.affiliation, 0, kMaxAffiliation); !q.empty()) errors.push_back({"affiliation", q});
  }

  raw.clear();
  if (auto p = stringMember(doc, "session", true, raw, present); !p.empty()) {
    errors.push_back({"session", p});
  } else {
    bool known = false;
    for (const auto& s : sessions) known = known || s.id == raw;
    if (!known) errors.push_back({"session", "is not one of the conference's sessions"});
    out.session = raw;
  }

  for (const auto& [key, value] : doc.items()) {
    if (key != "name" && key != "email" && key != "affiliation" && key != "session") {
      errors.push_back({key, "unknown field"});
    }
  }
  if (!errors.empty()) return tl::make_unexpected(std::move(errors));
  return out;
}

}  // namespace edge::registration
