// Plain HTTP value types shared by every layer: a header field, a header list with
// case-insensitive lookup, and method names. No I/O, no allocation beyond std::string.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace edge::policies {

// ASCII case-insensitive comparison (RFC 9110 §5.1: field names are case-insensitive).
bool iequals(std::string_view a, std::string_view b);
std::string toLower(std::string_view s);
std::string_view trimOws(std::string_view s);  // strips SP and HTAB (RFC 9110 §5.6.3)
// `s` starts with `prefix`, ASCII case-insensitively (no allocation, unlike toLower()).
bool istartsWith(std::string_view s, std::string_view prefix);

struct Header {
  std::string name;
  std::string value;
  bool operator==(const Header&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Header& h);

// An ordered list of header fields as they appeared on the wire. Duplicates are kept.
class HeaderList {
 public:
  HeaderList() = default;
  HeaderList(std::initializer_list<Header> init) : items_(init) {}

  void add(std::string name, std::string value) { items_.push_back({std::move(name), std::move(value)}); }
  // Removes every field named `name`, then appends one.
  void set(std::string_view name, std::string value);
  // Removes every field named `name`; returns how many were removed.
  size_t remove(std::string_view name);
  // First value of `name`, if any.
  std::optional<std::string_view> get(std::string_view name) const;
  // All values of `name` joined with ", " (RFC 9110 §5.3), or nullopt when absent.
  std::optional<std::string> getJoined(std::string_view name) const;
  size_t count(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  // The first value of each of `names` (as get() would give it), in one pass over the list:
  // for code that wants several fields of every request or response (the access log).
  template <size_t N>
  std::array<std::optional<std::string_view>, N> firstValues(
      const std::array<std::string_view, N>& names) const {
    std::array<std::optional<std::string_view>, N> out;
    for (const Header& h : items_) {
      for (size_t i = 0; i < N; ++i) {
        if (!out[i] && h.name.size() == names[i].size() && iequals(h.name, names[i])) {
          out[i] = h.value;
          break;
        }
      }
    }
    return out;
  }

  void reserve(size_t n) { items_.reserve(n); }
  const std::vector<Header>& items() const { return items_; }
  std::vector<Header>& items() { return items_; }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }
  bool operator==(const HeaderList&) const = default;

 private:
  std::vector<Header> items_;
};
std::ostream& operator<<(std::ostream& os, const HeaderList& h);

// A Content-Length value: 1*DIGIT only (RFC 9110 §8.6); nullopt for anything else.
std::optional<uint64_t> parseContentLength(std::string_view value);

// The value of a hexadecimal digit (either case), or -1.
int hexDigitValue(char c);
// RFC 3986 §2.1 percent-decoding: each "%XX" becomes its byte, other bytes stay; nullopt when a
// '%' is not followed by two hex digits. '+' is not a space here.
std::optional<std::string> percentDecode(std::string_view s);

// Calls fn(name, crumb) for each non-empty crumb of every Cookie header, in request order.
// Crumbs are separated by ';' and OWS-trimmed (RFC 6265 §4.2.1); `crumb` is "name=value" as
// sent and `name` the OWS-trimmed part before its first '='. Views into `headers`.
template <typename Fn>
void forEachCookie(const HeaderList& headers, Fn&& fn) {
  for (const Header& h : headers) {
    if (!iequals(h.name, "cookie")) continue;
    std::string_view rest = h.value;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      const std::string_view crumb = trimOws(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      if (!crumb.empty()) fn(trimOws(crumb.substr(0, crumb.find('='))), crumb);
    }
  }
}

// Calls fn(param, name) for each '&'-separated parameter of a raw query (no leading '?'), in
// order and byte-exact, empty parameters included ("a=1&" has two; "" has none). `name` is the
// part of `param` before its first '='. '&' is the only delimiter (§2.4).
template <typename Fn>
void forEachQueryParam(std::string_view query, Fn&& fn) {
  if (query.empty()) return;
  for (size_t start = 0;;) {
    const size_t amp = query.find('&', start);
    const std::string_view param =
        query.substr(start, amp == std::string_view::npos ? amp : amp - start);
    fn(param, param.substr(0, param.find('=')));
    if (amp == std::string_view::npos) return;
    start = amp + 1;
  }
}

enum class Method : uint8_t { Get, Head, Post, Put, Delete, Options, Patch, Other };
Method parseMethod(std::string_view name);
std::string_view toString(Method m);

}  // namespace edge::policies
