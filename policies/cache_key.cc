// The cache key (§2). One traversal (visitKey) feeds either the text serialiser or the parts
// builder, so `edged explain` shows exactly what is hashed. The text path copies nothing but the
// output string: components are string_views into the request and the policy.
#include "policies/cache_key.h"

#include "policies/compression.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "policies/cloudfront_headers.h"
#include "policies/forwarding_rules.h"
#include "policies/origin_request.h"

namespace edge::policies {

namespace {

struct Crumb {
  std::string_view name;
  std::string_view text;
};

bool isHttp10(const ViewerRequest& v) { return v.http_major == 1 && v.http_minor == 0; }

template <typename Sink>
void keyHeader(const std::string& name, const ViewerRequest& v, Sink& sink) {
  // CloudFront owns these names: the viewer's copy is never used (§13.3).
  if (isCloudFrontGeneratedHeader(name)) {
    const auto generated = cloudFrontGeneratedHeader(name, v);
    sink.header(name, generated ? std::optional<std::string_view>(*generated) : std::nullopt);
    return;
  }
  // §2.3: CloudFront removes Accept-Encoding from HTTP/1.0 requests entirely.
  if (name == "accept-encoding" && isHttp10(v)) {
    sink.header(name, std::nullopt);
    return;
  }
  const Header* first = nullptr;
  size_t count = 0;
  for (const Header& h : v.headers) {
    if (!iequals(h.name, name)) continue;
    if (first == nullptr) first = &h;
    ++count;
  }
  if (count == 0) {
    sink.header(name, std::nullopt);
  } else if (count == 1) {
    sink.header(name, std::string_view(first->value));
  } else {
    const std::string joined = v.headers.getJoined(name).value_or("");
    sink.header(name, std::string_view(joined));
  }
}

bool cookieKeyed(const CacheKeyPolicy& p, std::string_view name) {
  if (p.strip_signing && isSigningCookie(name)) return false;
  if (p.cookie_globs && p.cookies.behavior == ListBehavior::Whitelist) {
    return cookieNameMatchesAny(p.cookies.names, name);
  }
  return nameListSelects(p.cookies, name, /*case_insensitive=*/false);
}

template <typename Sink>
void keyCookies(const CacheKeyPolicy& p, const ViewerRequest& v, Sink& sink) {
  if (p.cookies.behavior == ListBehavior::None) return;
  std::vector<Crumb> crumbs;
  forEachCookie(v.headers, [&](std::string_view name, std::string_view crumb) {
    if (cookieKeyed(p, name)) crumbs.push_back({name, crumb});
  });
  // Stable insertion sort by name: lists are short and duplicates keep request order (§2.2).
  for (size_t i = 1; i < crumbs.size(); ++i) {
    for (size_t j = i; j > 0 && crumbs[j].name < crumbs[j - 1].name; --j) {
      std::swap(crumbs[j], crumbs[j - 1]);
    }
  }
  for (const Crumb& c : crumbs) sink.crumb(c.text);
}

bool paramKeyed(const CacheKeyPolicy& p, std::string_view name) {
  if (p.strip_signing && isSigningQueryParam(name)) return false;
  return nameListSelects(p.query_strings, name, /*case_insensitive=*/false);
}

// §2.4: '&' is the only delimiter; order, case and encoding are kept byte-exact.
template <typename Sink>
void keyQuery(const CacheKeyPolicy& p, const ViewerRequest& v, Sink& sink) {
  if (p.query_strings.behavior == ListBehavior::None) return;
  forEachQueryParam(v.query, [&](std::string_view param, std::string_view name) {
    if (!param.empty() && paramKeyed(p, name)) sink.param(param);
  });
}

template <typename Sink>
void visitKey(const CacheKeyPolicy& p, const ViewerRequest& v, std::string_view domain,
              std::string_view path, Sink& sink) {
  sink.field('d', domain);
  sink.field('p', path);
  sink.field('m', v.method == Method::Options ? std::string_view("OPTIONS") : std::string_view());
  std::string_view ae = normalizedAcceptEncoding(v, p.gzip, p.brotli, p.compress);
  // §2.3: a viewer without gzip/br ("identity") and one without Accept-Encoding share the key.
  if (ae == "identity") ae = {};
  sink.field('e', ae);
  sink.open('H');
  for (const std::string& name : p.headers) keyHeader(name, v, sink);
  sink.close();
  sink.open('C');
  keyCookies(p, v, sink);
  sink.close();
  sink.open('Q');
  keyQuery(p, v, sink);
  sink.close();
}

// Appends the serialisation to `out` through a raw cursor: one bounds check per datum, no
// per-character capacity checks. finish() trims `out` to what was written.
class TextSink {
 public:
  explicit TextSink(std::string& out, size_t expected) : out_(out) {
    const size_t used = out_.size();
    out_.resize(used + expected);
    cursor_ = out_.data() + used;
    end_ = out_.data() + out_.size();
  }
  void field(char tag, std::string_view s) { datum(tag, s); }
  void open(char tag) { byte(tag); }
  void close() { byte(';'); }
  void header(std::string_view name, std::optional<std::string_view> value) {
    datum('n', name);
    if (value) {
      datum('v', *value);
    } else {
      byte('-');
    }
  }
  void crumb(std::string_view c) { datum('c', c); }
  void param(std::string_view q) { datum('q', q); }
  void finish() { out_.resize(static_cast<size_t>(cursor_ - out_.data())); }

 private:
  static constexpr size_t kMaxPrefix = 1 + 20 + 1;  // tag, decimal length, ':'

  // memcpy for the short components without a library call: two overlapping fixed-size
  // copies cover any length in [k, 2k].
  static void copy(char* d, const char* s, size_t n) {
    if (n >= 16 && n <= 32) {
      std::memcpy(d, s, 16);
      std::memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8 && n < 16) {
      std::memcpy(d, s, 8);
      std::memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4 && n < 8) {
      std::memcpy(d, s, 4);
      std::memcpy(d + n - 4, s + n - 4, 4);
    } else if (n != 0) {
      std::memcpy(d, s, n);
    }
  }

  void reserve(size_t n) {
    if (static_cast<size_t>(end_ - cursor_) < n) [[unlikely]]
      grow(n);
  }
  [[gnu::noinline]] void grow(size_t n) {
    const auto used = static_cast<size_t>(cursor_ - out_.data());
    out_.resize(std::max(out_.size() * 2, used + n));
    cursor_ = out_.data() + used;
    end_ = out_.data() + out_.size();
  }
  void byte(char c) {
    reserve(1);
    *cursor_++ = c;
  }
  [[gnu::always_inline]] void datum(char tag, std::string_view s) {
    reserve(kMaxPrefix + s.size());
    *cursor_++ = tag;
    const size_t n = s.size();
    if (n < 10) {  // most components are short: skip to_chars' general path
      *cursor_++ = static_cast<char>('0' + n);
    } else if (n < 100) {
      *cursor_++ = static_cast<char>('0' + n / 10);
      *cursor_++ = static_cast<char>('0' + n % 10);
    } else {
      cursor_ = std::to_chars(cursor_, end_, n).ptr;
    }
    *cursor_++ = ':';
    copy(cursor_, s.data(), n);
    cursor_ += n;
  }

  std::string& out_;
  char* cursor_ = nullptr;
  char* end_ = nullptr;
};

class PartsSink {
 public:
  explicit PartsSink(CacheKeyParts& parts) : parts_(parts) {}
  void field(char tag, std::string_view s) {
    switch (tag) {
      case 'd': parts_.domain = s; break;
      case 'p': parts_.path = s; break;
      case 'm': parts_.method = s; break;
      case 'e': parts_.accept_encoding = s; break;
      default: break;
    }
  }
  void open(char) {}
  void close() {}
  void header(std::string_view name, std::optional<std::string_view> value) {
    parts_.headers.push_back(
        {std::string(name), value ? std::optional<std::string>(*value) : std::nullopt});
  }
  void crumb(std::string_view c) { parts_.cookies.emplace_back(c); }
  void param(std::string_view q) { parts_.query.emplace_back(q); }

 private:
  CacheKeyParts& parts_;
};

// The text of already built parts, in visitKey's order.
void replay(const CacheKeyParts& parts, TextSink& sink) {
  sink.field('d', parts.domain);
  sink.field('p', parts.path);
  sink.field('m', parts.method);
  sink.field('e', parts.accept_encoding);
  sink.open('H');
  for (const KeyedHeader& h : parts.headers) {
    sink.header(h.name, h.value ? std::optional<std::string_view>(*h.value) : std::nullopt);
  }
  sink.close();
  sink.open('C');
  for (const std::string& c : parts.cookies) sink.crumb(c);
  sink.close();
  sink.open('Q');
  for (const std::string& q : parts.query) sink.param(q);
  sink.close();
}

constexpr std::string_view kVersion = "K1";

CacheKey finish(std::string&& text, std::optional<NoCacheReason> no_cache) {
  CacheKey key;
  key.text = std::move(text);
  key.hash = XXH3_128bits(key.text.data(), key.text.size());
  key.no_cache = no_cache;
  return key;
}

void resolveLegacy(const Behavior& b, CacheKeyPolicy& p) {
  const ForwardedValues& fv = *b.forwarded_values;
  bool ae_listed = false;
  for (const std::string& h : fv.headers) {
    if (h == "*") {
      p.no_cache = NoCacheReason::AllHeadersForwarded;  // §2.8: nothing is cached
      continue;
    }
    if (iequals(h, "accept-encoding")) ae_listed = true;
    p.headers.push_back(toLower(h));
  }
  switch (fv.cookie_forward) {
    case ForwardedValues::CookieForward::None: break;
    case ForwardedValues::CookieForward::All: p.cookies.behavior = ListBehavior::All; break;
    case ForwardedValues::CookieForward::Whitelist:
      p.cookies = {ListBehavior::Whitelist, fv.cookie_names};
      p.cookie_globs = true;
      break;
  }
  // §2.8: forward all + cache on all, or forward all + cache on the QueryStringCacheKeys.
  if (fv.query_string) {
    p.query_strings = fv.query_string_cache_keys.empty()
                          ? NameList{ListBehavior::All, {}}
                          : NameList{ListBehavior::Whitelist, fv.query_string_cache_keys};
  }
  // §2.8: Compress keys the normalised Accept-Encoding (gzip only) unless Accept-Encoding is
  // whitelisted, in which case CloudFront does not compress and the raw value is keyed.
  p.gzip = b.compress && !ae_listed;
}

}  // namespace

CacheKeyPolicy resolveCacheKeyPolicy(const Behavior& behavior, const Config& config) {
  CacheKeyPolicy p;
  p.strip_signing = requiresSignedRequests(behavior);
  if (behavior.forwarded_values) {
    resolveLegacy(behavior, p);
  } else {
    // The map lookup by the behaviour's own std::string avoids Config::findCachePolicy's
    // temporary key (this runs per request in the makeCacheKey(CacheKeyInputs) overload).
    const auto it = config.cache_policies.find(behavior.cache_policy_id);
    if (it == config.cache_policies.end()) {
      p.no_cache = NoCacheReason::UnknownCachePolicy;
      return p;
    }
    const CachePolicy* cp = &it->second;
    if (cp->headers.behavior == ListBehavior::Whitelist) {
      for (const std::string& h : cp->headers.names) p.headers.push_back(toLower(h));
    }
    p.cookies = cp->cookies;
    p.query_strings = cp->query_strings;
    p.gzip = cp->enable_accept_encoding_gzip;
    p.brotli = cp->enable_accept_encoding_brotli;
    // The normalised slot replaces a listed Accept-Encoding (§2.3: listing it has no effect).
    if (p.gzip || p.brotli) std::erase(p.headers, "accept-encoding");
  }
  std::sort(p.headers.begin(), p.headers.end());
  p.headers.erase(std::unique(p.headers.begin(), p.headers.end()), p.headers.end());
  p.compress = edgeCompression(behavior, config);
  return p;
}

CacheKey makeCacheKey(const CacheKeyPolicy& policy, const ViewerRequest& viewer,
                      std::string_view domain, std::string_view path) {
  std::string text(kVersion);
  // Enough for the fixed fields and a typical query; the sink grows the string when needed.
  TextSink sink(text, 96 + domain.size() + path.size() + viewer.query.size());
  visitKey(policy, viewer, domain, path, sink);
  sink.finish();
  return finish(std::move(text), policy.no_cache);
}

CacheKey makeCacheKey(const CacheKeyInputs& in) {
  return makeCacheKey(resolveCacheKeyPolicy(in.behavior, in.config), in.viewer, in.domain, in.path);
}

CacheKeyParts makeCacheKeyParts(const CacheKeyPolicy& policy, const ViewerRequest& viewer,
                                std::string_view domain, std::string_view path) {
  CacheKeyParts parts;
  PartsSink sink(parts);
  visitKey(policy, viewer, domain, path, sink);
  parts.no_cache = policy.no_cache;
  return parts;
}

CacheKeyParts makeCacheKeyParts(const CacheKeyInputs& in) {
  return makeCacheKeyParts(resolveCacheKeyPolicy(in.behavior, in.config), in.viewer, in.domain,
                           in.path);
}

CacheKey serializeCacheKey(const CacheKeyParts& parts) {
  std::string text(kVersion);
  TextSink sink(text, 96 + parts.domain.size() + parts.path.size());
  replay(parts, sink);
  sink.finish();
  return finish(std::move(text), parts.no_cache);
}

std::string CacheKeyParts::pathAndQuery() const {
  std::string out = path;
  for (size_t i = 0; i < query.size(); ++i) {
    out += i == 0 ? '?' : '&';
    out += query[i];
  }
  return out;
}

std::string toHex(const XXH128_hash_t& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[15 - i] = kDigits[(hash.high64 >> (4 * i)) & 0xf];
    out[31 - i] = kDigits[(hash.low64 >> (4 * i)) & 0xf];
  }
  return out;
}

namespace {

void printList(std::ostream& os, const NameList& l) {
  os << toString(l.behavior);
  if (l.names.empty()) return;
  os << '[';
  for (size_t i = 0; i < l.names.size(); ++i) os << (i ? "," : "") << l.names[i];
  os << ']';
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const CacheKeyPolicy& p) {
  os << "{headers [";
  for (size_t i = 0; i < p.headers.size(); ++i) os << (i ? "," : "") << p.headers[i];
  os << "], cookies ";
  printList(os, p.cookies);
  if (p.cookie_globs) os << " (globs)";
  os << ", query ";
  printList(os, p.query_strings);
  os << ", gzip " << p.gzip << ", br " << p.brotli << ", strip-signing " << p.strip_signing;
  if (p.no_cache) os << ", no-cache " << *p.no_cache;
  return os << '}';
}

std::ostream& operator<<(std::ostream& os, const KeyedHeader& h) {
  os << h.name << '=';
  if (h.value) return os << '"' << *h.value << '"';
  return os << "(absent)";
}

std::ostream& operator<<(std::ostream& os, const CacheKeyParts& p) {
  os << "{domain " << p.domain << ", path " << p.path << ", method "
     << (p.method.empty() ? "-" : p.method) << ", accept-encoding "
     << (p.accept_encoding.empty() ? "-" : p.accept_encoding) << ", headers [";
  for (size_t i = 0; i < p.headers.size(); ++i) os << (i ? ", " : "") << p.headers[i];
  os << "], cookies [";
  for (size_t i = 0; i < p.cookies.size(); ++i) os << (i ? "; " : "") << p.cookies[i];
  os << "], query [";
  for (size_t i = 0; i < p.query.size(); ++i) os << (i ? "&" : "") << p.query[i];
  os << ']';
  if (p.no_cache) os << ", no-cache " << *p.no_cache;
  return os << '}';
}

std::ostream& operator<<(std::ostream& os, const CacheKey& k) {
  os << toHex(k.hash) << ' ' << k.text;
  if (k.no_cache) os << " (no-cache " << *k.no_cache << ')';
  return os;
}

}  // namespace edge::policies
