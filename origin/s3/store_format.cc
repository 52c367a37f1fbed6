#include "origin/s3/store_format.h"

#include <nlohmann/json.hpp>

#include "origin/s3/version_id.h"

namespace edge::s3 {

namespace {

using nlohmann::json;

bool isLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool looksLikeIpv4(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (i <= s.size()) {
    size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i, ++digits;
    if (digits == 0 || digits > 3) return false;
    ++parts;
    if (i == s.size()) break;
    if (s[i] != '.') return false;
    ++i;
  }
  return parts == 4;
}

constexpr char kHex[] = "0123456789abcdef";

// A byte string as JSON: a string when it is UTF-8 (the usual case), else {"hex": "…"} so that
// obs-text header values survive (nlohmann's dump refuses invalid UTF-8).
json bytesToJson(const std::string& s) {
  if (isValidUtf8(s)) return s;
  std::string hex;
  hex.reserve(2 * s.size());
  for (unsigned char c : s) {
    hex += kHex[c >> 4];
    hex += kHex[c & 0xf];
  }
  return json{{"hex", hex}};
}

std::optional<std::string> bytesFromJson(const json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (!j.is_object()) return std::nullopt;
  const auto it = j.find("hex");
  if (it == j.end() || !it->is_string()) return std::nullopt;
  const std::string& hex = it->get_ref<const std::string&>();
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const auto nib = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = nib(hex[i]), lo = nib(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

// Field readers that never throw: nullopt when absent or of another type.
const json* field(const json& obj, const char* name) {
  const auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}
std::optional<std::string> stringField(const json& obj, const char* name) {
  const json* f = field(obj, name);
  if (f == nullptr || !f->is_string()) return std::nullopt;
  return f->get<std::string>();
}
std::optional<uint64_t> unsignedField(const json& obj, const char* name) {
  const json* f = field(obj, name);
  if (f == nullptr || !f->is_number_unsigned()) return std::nullopt;
  return f->get<uint64_t>();
}
std::optional<int64_t> integerField(const json& obj, const char* name) {
  const json* f = field(obj, name);
  if (f == nullptr || !f->is_number_integer()) return std::nullopt;
  if (f->is_number_unsigned() && f->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    return std::nullopt;
  return f->get<int64_t>();
}
std::optional<bool> boolField(const json& obj, const char* name) {
  const json* f = field(obj, name);
  if (f == nullptr || !f->is_boolean()) return std::nullopt;
  return f->get<bool>();
}

tl::expected<json, std::string> parseObject(std::string_view text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return tl::unexpected(std::string("not valid JSON"));
  if (!j.is_object()) return tl::unexpected(std::string("not a JSON object"));
  const std::optional<uint64_t> format = unsignedField(j, "format");
  if (!format) return tl::unexpected(std::string("no \"format\" field"));
  if (*format != kStoreFormat)
    return tl::unexpected("unsupported format " + std::to_string(*format));
  return j;
}

}  // namespace

bool isValidBucketName(std::string_view n) {
  if (n.size() < 3 || n.size() > 63) return false;
  for (char c : n) {
    if (!isLowerAlnum(c) && c != '.' && c != '-') return false;
  }
  if (!isLowerAlnum(n.front()) || !isLowerAlnum(n.back())) return false;
  if (n.find("..") != std::string_view::npos) return false;
  if (looksLikeIpv4(n)) return false;
  for (std::string_view p : {"xn--", "sthree-", "amzn-s3-demo-"}) {
    if (n.starts_with(p)) return false;
  }
  for (std::string_view s : {"-s3alias", "--ol-s3", ".mrap", "--x-s3"}) {
    if (n.ends_with(s)) return false;
  }
  return true;
}

bool isValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xc2 && c <= 0xdf) {
      len = 2, cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3, cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += len;
  }
  return true;
}

std::optional<StoreError> checkKey(std::string_view key) {
  if (key.size() > kMaxKeyBytes) return StoreError::KeyTooLongError;
  if (key.empty() || !isValidUtf8(key)) return StoreError::InvalidArgument;
  return std::nullopt;
}

std::string seqStem(uint64_t seq) {
  std::string s(16, '0');
  for (int i = 15; i >= 0; --i, seq >>= 4) s[static_cast<size_t>(i)] = kHex[seq & 0xf];
  return s;
}

std::optional<uint64_t> parseSeqStem(std::string_view stem) {
  if (stem.size() != 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : stem) {
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (d < 0) return std::nullopt;
    v = (v << 4) | static_cast<uint64_t>(d);
  }
  return v;
}

std::string encodeVersionMeta(const ObjectVersion& v) {
  json headers = json::array();
  for (const policies::Header& h : v.headers)
    headers.push_back(json::array({bytesToJson(h.name), bytesToJson(h.value)}));
  json j = {{"format", kStoreFormat},
            {"key", bytesToJson(v.key)},
            {"version_id", v.version_id},
            {"seq", v.seq},
            {"delete_marker", v.delete_marker},
            {"size", v.size},
            {"etag", v.etag},
            {"last_modified_ms", v.last_modified_ms},
            {"headers", std::move(headers)}};
  return dump(j);
}

tl::expected<ObjectVersion, std::string> decodeVersionMeta(std::string_view text) {
  auto parsed = parseObject(text);
  if (!parsed) return tl::unexpected(parsed.error());
  const json& j = *parsed;
  ObjectVersion v;
  const json* key = field(j, "key");
  std::optional<std::string> key_bytes = key ? bytesFromJson(*key) : std::nullopt;
  if (!key_bytes || checkKey(*key_bytes)) return tl::unexpected(std::string("bad \"key\""));
  v.key = std::move(*key_bytes);
  auto id = stringField(j, "version_id");
  if (!id || !isValidVersionId(*id)) return tl::unexpected(std::string("bad \"version_id\""));
  v.version_id = std::move(*id);
  auto seq = unsignedField(j, "seq");
  auto marker = boolField(j, "delete_marker");
  auto size = unsignedField(j, "size");
  auto etag = stringField(j, "etag");
  auto modified = integerField(j, "last_modified_ms");
  if (!seq || !marker || !size || !etag || !modified)
    return tl::unexpected(std::string("missing field"));
  if (v.version_id != kNullVersionId && versionIdSeq(v.version_id) != *seq) {
    return tl::unexpected(std::string("\"version_id\" does not match \"seq\""));
  }
  v.seq = *seq;
  v.delete_marker = *marker;
  v.size = *size;
  v.etag = std::move(*etag);
  v.last_modified_ms = *modified;
  const json* headers = field(j, "headers");
  if (headers == nullptr || !headers->is_array())
    return tl::unexpected(std::string("bad \"headers\""));
  for (const json& h : *headers) {
    if (!h.is_array() || h.size() != 2) return tl::unexpected(std::string("bad \"headers\""));
    auto name = bytesFromJson(h[0]);
    auto value = bytesFromJson(h[1]);
    if (!name || !value) return tl::unexpected(std::string("bad \"headers\""));
    v.headers.add(std::move(*name), std::move(*value));
  }
  return v;
}

std::string encodeBucketRecord(const BucketRecord& b) {
  const std::string_view state =
      b.versioning == Versioning::Unversioned ? "Unversioned" : toString(b.versioning);
  json j = {{"format", kStoreFormat},
            {"name", b.info.name},
            {"created_ms", b.info.created_ms},
            {"versioning", std::string(state)}};
  return dump(j);
}

tl::expected<BucketRecord, std::string> decodeBucketRecord(std::string_view text) {
  auto parsed = parseObject(text);
  if (!parsed) return tl::unexpected(parsed.error());
  BucketRecord b;
  auto name = stringField(*parsed, "name");
  auto created = integerField(*parsed, "created_ms");
  auto state = stringField(*parsed, "versioning");
  if (!name || !isValidBucketName(*name)) return tl::unexpected(std::string("bad \"name\""));
  if (!created || !state) return tl::unexpected(std::string("missing field"));
  if (*state == "Unversioned") {
    b.versioning = Versioning::Unversioned;
  } else if (*state == "Enabled") {
    b.versioning = Versioning::Enabled;
  } else if (*state == "Suspended") {
    b.versioning = Versioning::Suspended;
  } else {
    return tl::unexpected(std::string("bad \"versioning\""));
  }
  b.info.name = std::move(*name);
  b.info.created_ms = *created;
  return b;
}

}  // namespace edge::s3
