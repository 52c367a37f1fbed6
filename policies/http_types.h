// Plain HTTP value types shared by every layer: a header field, a header list with
// case-insensitive lookup, and method names. No I/O, no allocation beyond std::string.
#pragma once

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

enum class Method : uint8_t { Get, Head, Post, Put, Delete, Options, Patch, Other };
Method parseMethod(std::string_view name);
std::string_view toString(Method m);

}  // namespace edge::policies
