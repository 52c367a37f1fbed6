#include "engine/admin/admin_response.h"

#include <charconv>

#include "engine/admin/admin_json.h"

namespace edge::engine {

namespace {

// Calls fn(value) for each `name=value` (or bare `name`) pair of the query, in order.
template <typename Fn>
void forEachParam(std::string_view query, std::string_view name, Fn&& fn) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      if (!fn(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1))) return;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

}  // namespace

AdminResponse textResponse(int status, std::string body) {
  return {status, "text/plain; charset=utf-8", std::move(body), {}};
}

AdminResponse jsonResponse(int status, std::string json) {
  return {status, "application/json", std::move(json), {}};
}

AdminResponse errorResponse(int status, std::string code, std::string field, std::string message) {
  return jsonResponse(status,
                      errorJson({status, std::move(code), std::move(field), std::move(message)}));
}

std::optional<std::string_view> queryParam(std::string_view query, std::string_view name) {
  std::optional<std::string_view> found;
  forEachParam(query, name, [&](std::string_view v) {
    found = v;
    return false;  // the first one
  });
  return found;
}

std::optional<std::vector<std::string>> decodedQueryParams(std::string_view query,
                                                           std::string_view name) {
  std::vector<std::string> values;
  bool ok = true;
  forEachParam(query, name, [&](std::string_view v) {
    auto decoded = policies::percentDecode(v);
    if (!decoded) {
      ok = false;
      return false;
    }
    values.push_back(std::move(*decoded));
    return true;
  });
  if (!ok) return std::nullopt;
  return values;
}

std::optional<int64_t> parseCount(std::string_view s, int64_t max) {
  int64_t v = 0;
  if (s.empty() || s.front() == '-' || s.front() == '+') return std::nullopt;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < 0 || v > max) return std::nullopt;
  return v;
}

}  // namespace edge::engine
