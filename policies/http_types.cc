#include "policies/http_types.h"

#include <charconv>

#include <algorithm>

namespace edge::policies {

namespace {

constexpr char asciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (asciiLower(a[i]) != asciiLower(b[i])) return false;
  }
  return true;
}

bool istartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = asciiLower(c);
  return out;
}

std::string_view trimOws(std::string_view s) {
  const auto isOws = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && isOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && isOws(s.back())) s.remove_suffix(1);
  return s;
}

int hexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') {
      out += s[i];
      continue;
    }
    const int hi = i + 2 < s.size() ? hexDigitValue(s[i + 1]) : -1;
    const int lo = hi >= 0 ? hexDigitValue(s[i + 2]) : -1;
    if (lo < 0) return std::nullopt;
    out += static_cast<char>(hi << 4 | lo);
    i += 2;
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Header& h) {
  return os << h.name << ": " << h.value;
}

void HeaderList::set(std::string_view name, std::string value) {
  std::string owned_name(name);  // `name` may point into a field we are about to erase
  remove(owned_name);
  items_.push_back({std::move(owned_name), std::move(value)});
}

size_t HeaderList::remove(std::string_view name) {
  const size_t before = items_.size();
  std::erase_if(items_, [&](const Header& h) { return iequals(h.name, name); });
  return before - items_.size();
}

std::optional<std::string_view> HeaderList::get(std::string_view name) const {
  for (const Header& h : items_) {
    if (iequals(h.name, name)) return std::string_view(h.value);
  }
  return std::nullopt;
}

std::optional<std::string> HeaderList::getJoined(std::string_view name) const {
  std::optional<std::string> out;
  for (const Header& h : items_) {
    if (!iequals(h.name, name)) continue;
    if (out) {
      out->append(", ");
      out->append(h.value);
    } else {
      out = h.value;
    }
  }
  return out;
}

size_t HeaderList::count(std::string_view name) const {
  return static_cast<size_t>(std::count_if(items_.begin(), items_.end(),
                                           [&](const Header& h) { return iequals(h.name, name); }));
}

std::ostream& operator<<(std::ostream& os, const HeaderList& h) {
  os << '{';
  bool first = true;
  for (const Header& field : h) {
    if (!first) os << " | ";
    first = false;
    os << field;
  }
  return os << '}';
}

// Method names are case-sensitive (RFC 9110 §9.1): "get" is not GET.
Method parseMethod(std::string_view name) {
  if (name == "GET") return Method::Get;
  if (name == "HEAD") return Method::Head;
  if (name == "POST") return Method::Post;
  if (name == "PUT") return Method::Put;
  if (name == "DELETE") return Method::Delete;
  if (name == "OPTIONS") return Method::Options;
  if (name == "PATCH") return Method::Patch;
  return Method::Other;
}

std::string_view toString(Method m) {
  switch (m) {
    case Method::Get: return "GET";
    case Method::Head: return "HEAD";
    case Method::Post: return "POST";
    case Method::Put: return "PUT";
    case Method::Delete: return "DELETE";
    case Method::Options: return "OPTIONS";
    case Method::Patch: return "PATCH";
    case Method::Other: break;
  }
  return "OTHER";
}

std::optional<uint64_t> parseContentLength(std::string_view value) {
  uint64_t n = 0;
  if (value.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || p != value.data() + value.size()) return std::nullopt;
  return n;
}

}  // namespace edge::policies
