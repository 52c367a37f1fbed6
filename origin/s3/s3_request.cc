#include "origin/s3/s3_request.h"

#include "policies/http_types.h"
#include "policies/sigv4.h"

namespace edge::s3 {

namespace {

std::string_view stripPort(std::string_view host) {
  if (!host.empty() && host.front() == '[') {  // [v6]:port
    const size_t end = host.find(']');
    return end == std::string_view::npos ? host : host.substr(0, end + 1);
  }
  const size_t colon = host.rfind(':');
  if (colon != std::string_view::npos && host.find(':') == colon) return host.substr(0, colon);
  return host;
}

bool endsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// For "<something>.amazonaws.com" with <something> = "s3", "s3.<region>", "s3-<region>" (with an
// optional "dualstack." part): the bucket in front, if any.
std::optional<std::string> bucketFromAwsHost(const std::string& host) {
  static constexpr std::string_view kAws = ".amazonaws.com";
  if (!endsWith(host, kAws)) return std::nullopt;
  const std::string_view front = std::string_view(host).substr(0, host.size() - kAws.size());
  // Find the "s3" label: the first label equal to "s3" or starting with "s3-".
  size_t start = 0;
  while (start <= front.size()) {
    size_t end = front.find('.', start);
    if (end == std::string_view::npos) end = front.size();
    const std::string_view label = front.substr(start, end - start);
    if (label == "s3" || label.substr(0, 3) == "s3-") {
      if (start == 0) return std::nullopt;  // no bucket label: path style
      return std::string(front.substr(0, start - 1));
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace

std::ostream& operator<<(std::ostream& os, const S3Address& a) {
  return os << (a.style == AddressStyle::Path ? "path" : "vhost") << " bucket=\"" << a.bucket << "\" key=\""
            << a.key << '"';
}

std::optional<std::string> bucketFromHost(std::string_view host_value, std::string_view domain) {
  const std::string host = policies::toLower(stripPort(policies::trimOws(host_value)));
  if (host.empty()) return std::nullopt;
  const std::string dom = policies::toLower(domain);
  if (!dom.empty() && host.size() > dom.size() + 1 && endsWith(host, dom) &&
      host[host.size() - dom.size() - 1] == '.') {
    return host.substr(0, host.size() - dom.size() - 1);
  }
  return bucketFromAwsHost(host);
}

tl::expected<S3Address, std::string> resolveAddress(std::string_view host, std::string_view raw_path,
                                                    std::string_view domain) {
  std::optional<std::string> decoded = policies::percentDecode(raw_path);
  if (!decoded) return tl::make_unexpected(std::string("bad percent-escape in the path"));
  if (decoded->find('\0') != std::string::npos) return tl::make_unexpected(std::string("NUL in the path"));
  std::string path = std::move(*decoded);
  if (path.empty() || path[0] != '/') return tl::make_unexpected(std::string("the path must start with '/'"));
  S3Address a;
  if (std::optional<std::string> b = bucketFromHost(host, domain)) {
    a.style = AddressStyle::VirtualHost;
    a.bucket = std::move(*b);
    a.key = path.substr(1);
    return a;
  }
  const size_t slash = path.find('/', 1);
  if (slash == std::string::npos) {
    a.bucket = path.substr(1);
  } else {
    a.bucket = path.substr(1, slash - 1);
    a.key = path.substr(slash + 1);
  }
  return a;
}

bool validBucketName(std::string_view n) {
  if (n.size() < 3 || n.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(n.front()) || !alnum(n.back())) return false;
  bool all_digits_dots = true;
  int dots = 0;
  for (size_t i = 0; i < n.size(); ++i) {
    const char c = n[i];
    if (!alnum(c) && c != '.' && c != '-') return false;
    if (c == '.' && i > 0 && n[i - 1] == '.') return false;
    if (c == '.') ++dots;
    if (c != '.' && !(c >= '0' && c <= '9')) all_digits_dots = false;
  }
  return !(all_digits_dots && dots == 3);  // looks like an IPv4 address
}

std::optional<std::string> queryDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = policies::hexDigitValue(s[i + 1]), lo = policies::hexDigitValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

tl::expected<S3Query, std::string> parseQuery(std::string_view raw_query) {
  S3Query q;
  std::optional<std::string> error;
  policies::forEachQueryParam(raw_query, [&](std::string_view param, std::string_view raw_name) {
    if (error || param.empty()) return;
    const std::string_view raw_value = raw_name.size() < param.size() ? param.substr(raw_name.size() + 1) : "";
    std::optional<std::string> name = queryDecode(raw_name), value = queryDecode(raw_value);
    if (!name || !value) {
      error = "bad percent-escape in the query";
      return;
    }
    const std::string& n = *name;
    auto set = [&](std::optional<std::string>& field) { field = std::move(*value); };
    static constexpr std::pair<std::string_view, std::string_view> kOverrides[] = {
        {"response-content-type", "Content-Type"},
        {"response-content-language", "Content-Language"},
        {"response-expires", "Expires"},
        {"response-cache-control", "Cache-Control"},
        {"response-content-disposition", "Content-Disposition"},
        {"response-content-encoding", "Content-Encoding"},
    };
    if (n == "versioning") q.versioning = true;
    else if (n == "location") q.location = true;
    else if (n == "delete") q.del = true;
    else if (n == "versions") q.versions = true;
    else if (n == "list-type") set(q.list_type);
    else if (n == "prefix") set(q.prefix);
    else if (n == "delimiter") set(q.delimiter);
    else if (n == "max-keys") set(q.max_keys);
    else if (n == "marker") set(q.marker);
    else if (n == "continuation-token") set(q.continuation_token);
    else if (n == "start-after") set(q.start_after);
    else if (n == "encoding-type") set(q.encoding_type);
    else if (n == "key-marker") set(q.key_marker);
    else if (n == "version-id-marker") set(q.version_id_marker);
    else if (n == "versionId") set(q.version_id);
    else if (n == "fetch-owner" || n == "x-id" || n.rfind("X-Amz-", 0) == 0 || n.rfind("x-amz-", 0) == 0) {
      // fetch-owner: owners are not listed; x-id: newer SDKs name the operation; X-Amz-*: presign.
    } else {
      bool is_override = false;
      for (const auto& [param_name, header] : kOverrides) {
        if (n == param_name) {
          q.response_overrides.emplace_back(header, std::move(*value));
          is_override = true;
        }
      }
      if (!is_override) q.unsupported.push_back(n);
    }
  });
  if (error) return tl::make_unexpected(std::move(*error));
  return q;
}

std::string_view toString(Operation op) {
  switch (op) {
    case Operation::ListBuckets: return "ListBuckets";
    case Operation::CreateBucket: return "CreateBucket";
    case Operation::DeleteBucket: return "DeleteBucket";
    case Operation::HeadBucket: return "HeadBucket";
    case Operation::GetBucketLocation: return "GetBucketLocation";
    case Operation::GetBucketVersioning: return "GetBucketVersioning";
    case Operation::PutBucketVersioning: return "PutBucketVersioning";
    case Operation::ListObjects: return "ListObjects";
    case Operation::ListObjectsV2: return "ListObjectsV2";
    case Operation::ListObjectVersions: return "ListObjectVersions";
    case Operation::DeleteObjects: return "DeleteObjects";
    case Operation::PutObject: return "PutObject";
    case Operation::CopyObject: return "CopyObject";
    case Operation::GetObject: return "GetObject";
    case Operation::HeadObject: return "HeadObject";
    case Operation::DeleteObject: return "DeleteObject";
    case Operation::NotImplemented: return "NotImplemented";
    case Operation::MethodNotAllowed: return "MethodNotAllowed";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, Operation op) { return os << toString(op); }

Operation routeOperation(std::string_view m, const S3Address& a, const S3Query& q, bool copy_source) {
  const bool get = m == "GET", head = m == "HEAD", put = m == "PUT", post = m == "POST", del = m == "DELETE";
  if (!get && !head && !put && !post && !del) return Operation::MethodNotAllowed;
  if (!q.unsupported.empty()) return Operation::NotImplemented;
  if (a.bucket.empty()) return get ? Operation::ListBuckets : Operation::MethodNotAllowed;
  if (a.key.empty()) {
    const int subresources = q.versioning + q.location + q.del + q.versions;
    if (subresources > 1) return Operation::NotImplemented;
    if (q.versioning) {
      if (get) return Operation::GetBucketVersioning;
      if (put) return Operation::PutBucketVersioning;
      return Operation::MethodNotAllowed;
    }
    if (q.location) return get ? Operation::GetBucketLocation : Operation::MethodNotAllowed;
    if (q.del) return post ? Operation::DeleteObjects : Operation::MethodNotAllowed;
    if (q.versions) return get ? Operation::ListObjectVersions : Operation::MethodNotAllowed;
    if (get) return q.list_type == "2" ? Operation::ListObjectsV2 : Operation::ListObjects;
    if (head) return Operation::HeadBucket;
    if (put) return Operation::CreateBucket;
    if (del) return Operation::DeleteBucket;
    return Operation::MethodNotAllowed;  // POST on a bucket (browser uploads) is not done
  }
  if (q.versioning || q.location || q.del || q.versions) return Operation::NotImplemented;
  if (get) return Operation::GetObject;
  if (head) return Operation::HeadObject;
  if (put) return copy_source ? Operation::CopyObject : Operation::PutObject;
  if (del) return Operation::DeleteObject;
  return Operation::MethodNotAllowed;
}

bool isObjectRead(Operation op) { return op == Operation::GetObject || op == Operation::HeadObject; }

bool hasRequestDocument(Operation op) {
  return op == Operation::CreateBucket || op == Operation::PutBucketVersioning || op == Operation::DeleteObjects;
}

// The same byte classes as SigV4's URI encoding with '/' kept.
std::string urlEncodeForListing(std::string_view s) { return policies::sigv4::uriEncode(s, false); }

}  // namespace edge::s3
