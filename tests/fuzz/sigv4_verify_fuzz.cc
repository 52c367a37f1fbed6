// Fuzz target: SigV4 verification as the bundled S3 origin uses it (policies/sigv4.h): the
// Authorization-header form, the presigned query form and the incremental aws-chunked decoder.
// No network, no clock (a fixed `now`).
//
// Input: the first byte picks a mode, the rest is split on '\n' into fields (text seeds):
//   '0' raw request: method, path, query, then "Name: value" header lines → verifyRequest must
//       refuse it (nobody without the secret can sign), and hasCredentials() == false ⇒
//       AccessDeniedAnonymous;
//   '1' header form, signed here: method, path, query, payload kind (0 unsigned, 1 sha256 of the
//       next field, 2 streaming), payload, headers → signRequest, then verifyRequest accepts it
//       (same key id, scope, payload mode); one signature hex digit changed, or the clock 16 min
//       on, refuses it;
//   '2' presigned, signed here: method, path, query, expires → presignQuery; verifies at now and
//       at the last valid second, AccessDeniedExpired one second later, refused when a signature
//       digit changes;
//   '3' aws-chunked, signed here: chunk size, piece size, flags (bit 0 trailer checksum), payload
//       → encodeAwsChunked fed in pieces decodes to the payload exactly and completes; one byte
//       changed (XOR 1) anywhere makes the decoder fail;
//   '4' raw aws-chunked bytes (piece size in the first field) against a fixed signed stream:
//       feeding in pieces gives the same output and verdict as feeding at once, and the decoded
//       byte count matches what was passed out.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policies/sigv4.h"
#include "tests/fuzz/fuzz_check.h"

using namespace edge::policies;
using namespace edge::policies::sigv4;

namespace {

constexpr int64_t kNow = 1'700'000'000;
constexpr std::string_view kHost = "bucket.s3.test";
const Credentials kCreds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};

const SecretLookup& secrets() {
  static const SecretLookup s = [](std::string_view id) -> std::optional<std::string> {
    if (id == kCreds.access_key_id) return kCreds.secret_access_key;
    return std::nullopt;
  };
  return s;
}

std::vector<std::string_view> splitFields(std::string_view in) {
  std::vector<std::string_view> f;
  while (true) {
    const size_t nl = in.find('\n');
    f.push_back(in.substr(0, nl));
    if (nl == std::string_view::npos) break;
    in.remove_prefix(nl + 1);
  }
  return f;
}
std::string_view field(const std::vector<std::string_view>& f, size_t i) {
  return i < f.size() ? f[i] : std::string_view();
}

// What llhttp lets through in each slot (the verifier only ever sees parsed requests).
std::string tokenOf(std::string_view s, std::string_view fallback) {
  std::string out;
  for (char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '!' || c == '~') {
      out += c;
    }
  }
  return out.empty() ? std::string(fallback) : out;
}
std::string targetOf(std::string_view s, bool is_path) {
  std::string out = is_path ? "/" : "";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '#' || (is_path && c == '?')) continue;
    if (is_path && out == "/" && c == '/') continue;
    out += c;
  }
  return out;
}
std::string valueOf(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '\r' && c != '\n' && c != '\0') out += c;
  }
  return std::string(trimOws(out));
}

int64_t smallNumber(std::string_view s, int64_t lo, int64_t hi) {
  uint64_t v = 0;
  for (char c : s) v = v * 31 + static_cast<unsigned char>(c);
  return lo + static_cast<int64_t>(v % static_cast<uint64_t>(hi - lo + 1));
}

ViewerRequest makeRequest(std::string method, std::string path, std::string query) {
  ViewerRequest r;
  r.method_name = std::move(method);
  r.method = parseMethod(r.method_name);
  r.path = std::move(path);
  r.has_query = !query.empty();
  r.query = std::move(query);
  r.headers.add("Host", std::string(kHost));
  return r;
}

// Changes one lowercase-hex digit of the 64-digit signature that ends at `end` (XOR 1 never just
// flips the case, which the verifier ignores).
void flipSignatureDigit(std::string& s, size_t begin, size_t salt) {
  FUZZ_CHECK(begin + 64 <= s.size());
  char& c = s[begin + salt % 64];
  c = static_cast<char>(c ^ 1);
}

void headerForm(const std::vector<std::string_view>& f) {
  ViewerRequest r = makeRequest(tokenOf(field(f, 0), "GET"), targetOf(field(f, 1), true),
                                targetOf(field(f, 2), false));
  // Presigned parameters in the query too: both forms at once, which verifyRequest refuses
  // (InvalidArgument), rightly.
  if (r.query.find("X-Amz-") != std::string::npos) return;
  SignOptions opts;
  const int64_t kind = smallNumber(field(f, 3), 0, 2);
  const std::string_view payload = field(f, 4);
  if (kind == 1) opts.payload_hash = sha256Hex(payload);
  if (kind == 2) opts.payload_hash = std::string(kStreamingSigned);
  for (size_t i = 5; i < f.size(); ++i) {
    const size_t colon = f[i].find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name = tokenOf(f[i].substr(0, colon), "");
    const std::string lower = toLower(name);
    if (name.empty() || lower == "host" || lower == "authorization" || lower == "x-amz-date" ||
        lower == "x-amz-content-sha256") {
      continue;
    }
    r.headers.add(name, valueOf(f[i].substr(colon + 1)));
    bool dup = false;
    for (const auto& e : opts.extra_signed_headers) dup = dup || e == lower;
    if (!dup) opts.extra_signed_headers.push_back(lower);
  }
  if (!signRequest(r.method_name, r.path, r.query, r.headers, kCreds, opts, kNow)) {
    // Only a malformed path or query makes signing fail here.
    FUZZ_CHECK(!canonicalUri(r.path) || !canonicalQuery(r.query));
    return;
  }
  FUZZ_CHECK(hasCredentials(r));
  const auto v = verifyRequest(r, secrets(), kNow);
  if (!v) std::fprintf(stderr, "refused: %s\n", std::string(toString(v.error())).c_str());
  FUZZ_CHECK(v.has_value());
  FUZZ_CHECK(v->access_key_id == kCreds.access_key_id && !v->presigned);
  FUZZ_CHECK(v->scope.region == "us-east-1" && v->scope.service == "s3");
  FUZZ_CHECK(v->amz_date == formatAmzDate(kNow));
  FUZZ_CHECK(v->payload == (kind == 0 ? PayloadMode::Unsigned
                            : kind == 1 ? PayloadMode::Sha256
                                        : PayloadMode::StreamingSigned));
  if (kind == 1) FUZZ_CHECK(v->payload_sha256 == opts.payload_hash);
  // The clock 16 minutes on: too skewed.
  const auto late = verifyRequest(r, secrets(), kNow + kMaxClockSkewSeconds + 60);
  FUZZ_CHECK(!late && late.error() == AuthError::RequestTimeTooSkewed);
  // One signature digit changed.
  ViewerRequest bad = r;
  for (auto& h : bad.headers.items()) {
    if (!iequals(h.name, "authorization")) continue;
    const size_t at = h.value.rfind("Signature=");
    FUZZ_CHECK(at != std::string::npos);
    flipSignatureDigit(h.value, at + 10, payload.size() + r.path.size());
  }
  const auto b = verifyRequest(bad, secrets(), kNow);
  FUZZ_CHECK(!b && (b.error() == AuthError::SignatureDoesNotMatch ||
                    b.error() == AuthError::AuthorizationHeaderMalformed));
  // An unknown key id.
  ViewerRequest other = r;
  for (auto& h : other.headers.items()) {
    if (!iequals(h.name, "authorization")) continue;
    const size_t at = h.value.find(kCreds.access_key_id);
    FUZZ_CHECK(at != std::string::npos);
    h.value[at] = 'B';
  }
  const auto o = verifyRequest(other, secrets(), kNow);
  FUZZ_CHECK(!o && o.error() == AuthError::InvalidAccessKeyId);
}

void presignedForm(const std::vector<std::string_view>& f) {
  const std::string method = tokenOf(field(f, 0), "GET");
  const std::string path = targetOf(field(f, 1), true);
  const std::string query = targetOf(field(f, 2), false);
  if (query.find("X-Amz-") != std::string::npos) return;  // would collide with the presigned set
  const int64_t expires = smallNumber(field(f, 3), 1, kMaxPresignExpires);
  const std::string q =
      presignQuery(method, kHost, path, query, kCreds, SignOptions{}, kNow, expires);
  if (q.empty()) {
    FUZZ_CHECK(!canonicalUri(path) || !canonicalQuery(query));
    return;
  }
  FUZZ_CHECK(q.starts_with(query));
  ViewerRequest r = makeRequest(method, path, q);
  FUZZ_CHECK(hasCredentials(r));
  for (int64_t now : {kNow, kNow + expires}) {
    const auto v = verifyRequest(r, secrets(), now);
    if (!v) std::fprintf(stderr, "refused: %s\n", std::string(toString(v.error())).c_str());
    FUZZ_CHECK(v && v->presigned && v->access_key_id == kCreds.access_key_id);
    FUZZ_CHECK(v->payload == PayloadMode::Unsigned);
  }
  const auto late = verifyRequest(r, secrets(), kNow + expires + 1);
  FUZZ_CHECK(!late && late.error() == AuthError::AccessDeniedExpired);
  const size_t at = r.query.rfind("X-Amz-Signature=");
  FUZZ_CHECK(at != std::string::npos);
  flipSignatureDigit(r.query, at + 16, static_cast<size_t>(expires));
  const auto b = verifyRequest(r, secrets(), kNow);
  FUZZ_CHECK(!b && (b.error() == AuthError::SignatureDoesNotMatch ||
                    b.error() == AuthError::AuthorizationQueryParametersError));
}

// A streaming PUT signed here, verified: the Verified the decoder starts from.
Verified streamingHead(bool trailer, std::optional<uint64_t> decoded_length) {
  ViewerRequest r = makeRequest("PUT", "/bucket/key", "");
  SignOptions opts;
  opts.payload_hash = std::string(trailer ? kStreamingSignedTrailer : kStreamingSigned);
  r.headers.add("Content-Encoding", "aws-chunked");
  opts.extra_signed_headers.push_back("content-encoding");
  if (trailer) {
    r.headers.add("x-amz-trailer", "x-amz-checksum-crc32");
    opts.extra_signed_headers.push_back("x-amz-trailer");
  }
  if (decoded_length) {
    r.headers.add("x-amz-decoded-content-length", std::to_string(*decoded_length));
    opts.extra_signed_headers.push_back("x-amz-decoded-content-length");
  }
  FUZZ_CHECK(signRequest(r.method_name, r.path, r.query, r.headers, kCreds, opts, kNow));
  auto v = verifyRequest(r, secrets(), kNow);
  FUZZ_CHECK(v && v->payload == PayloadMode::StreamingSigned && v->trailer == trailer);
  return std::move(*v);
}

struct Decoded {
  std::optional<AuthError> error;
  std::string out;
  bool done = false;
  uint64_t count = 0;
};

Decoded decode(const Verified& v, std::string_view body, size_t piece) {
  AwsChunkedDecoder d(v);
  Decoded r;
  const auto sink = [&](std::string_view b) { r.out.append(b); };
  for (size_t off = 0; off < body.size() && !r.error;) {
    const size_t n = piece == 0 ? body.size() : std::min(piece, body.size() - off);
    r.error = d.feed(body.substr(off, n), sink);
    off += n;
  }
  r.done = d.done();
  r.count = d.decodedBytes();
  if (!r.error) r.error = d.finish();
  if (!r.error) FUZZ_CHECK(r.done);
  return r;
}

void chunkedSigned(const std::vector<std::string_view>& f, std::string_view whole) {
  const size_t chunk = static_cast<size_t>(smallNumber(field(f, 0), 1, 300));
  const size_t piece = static_cast<size_t>(smallNumber(field(f, 1), 0, 40));
  const bool trailer = smallNumber(field(f, 2), 0, 1) == 1;
  // The payload: everything after the third field, newlines included.
  size_t at = 0;
  for (int i = 0; i < 3 && at != std::string_view::npos; ++i) {
    at = whole.find('\n', at);
    if (at != std::string_view::npos) ++at;
  }
  const std::string_view payload = at == std::string_view::npos ? "" : whole.substr(at);
  const Verified v = streamingHead(trailer, payload.size());
  const ChunkSigning signing{v.key, v.scope, v.amz_date, v.seed_signature};
  std::vector<Header> trailers;
  if (trailer) trailers.push_back({"x-amz-checksum-crc32", *checksumBase64("crc32", payload)});
  const std::string body = encodeAwsChunked(payload, chunk, &signing, trailers);
  const Decoded good = decode(v, body, piece);
  if (good.error) std::fprintf(stderr, "refused: %s\n", std::string(toString(*good.error)).c_str());
  FUZZ_CHECK(!good.error && good.done);
  FUZZ_CHECK(good.out == payload && good.count == payload.size());
  // Any one byte changed: the decoder fails (framing, chunk signature, trailer or checksum).
  std::string bad = body;
  const size_t pos = static_cast<size_t>(smallNumber(field(f, 0), 0, 1 << 30)) % bad.size();
  bad[pos] = static_cast<char>(bad[pos] ^ 1);
  const Decoded b = decode(v, bad, piece);
  if (!b.error) std::fprintf(stderr, "byte %zu of %zu changed, still accepted\n", pos, bad.size());
  FUZZ_CHECK(b.error.has_value());
}

void chunkedRaw(const std::vector<std::string_view>& f, std::string_view whole) {
  static const Verified plain = streamingHead(false, std::nullopt);
  static const Verified with_trailer = streamingHead(true, std::nullopt);
  const size_t piece = static_cast<size_t>(smallNumber(field(f, 0), 1, 64));
  const size_t nl = whole.find('\n');
  const std::string_view body = nl == std::string_view::npos ? "" : whole.substr(nl + 1);
  for (const Verified* v : {&plain, &with_trailer}) {
    const Decoded a = decode(*v, body, 0);
    const Decoded b = decode(*v, body, piece);
    FUZZ_CHECK(a.count == a.out.size() && b.count == b.out.size());
    FUZZ_CHECK(a.out.size() <= body.size());
    FUZZ_CHECK(a.error == b.error && a.done == b.done);
    // Output is streamed before a chunk's signature is checked, so on an error only a prefix
    // relation holds; without one the outputs are equal.
    if (!a.error) FUZZ_CHECK(a.out == b.out);
    else FUZZ_CHECK(a.out.starts_with(b.out) || b.out.starts_with(a.out));
  }
}

void rawRequest(const std::vector<std::string_view>& f) {
  ViewerRequest r;
  r.method_name = std::string(field(f, 0));
  r.method = parseMethod(r.method_name);
  r.path = std::string(field(f, 1));
  r.query = std::string(field(f, 2));
  r.has_query = !r.query.empty();
  for (size_t i = 3; i < f.size(); ++i) {
    const size_t colon = f[i].find(':');
    if (colon == std::string_view::npos) continue;
    r.headers.add(std::string(f[i].substr(0, colon)), valueOf(f[i].substr(colon + 1)));
  }
  const auto v = verifyRequest(r, secrets(), kNow);
  FUZZ_CHECK(!v.has_value());
  if (!hasCredentials(r)) FUZZ_CHECK(v.error() == AuthError::AccessDeniedAnonymous);
  FUZZ_CHECK(httpStatus(v.error()) == 400 || httpStatus(v.error()) == 403);
  FUZZ_CHECK(!message(v.error()).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char mode = static_cast<char>(data[0]);
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::vector<std::string_view> f = splitFields(in);
  switch (mode) {
    case '0': rawRequest(f); break;
    case '1': headerForm(f); break;
    case '2': presignedForm(f); break;
    case '3': chunkedSigned(f, in); break;
    case '4': chunkedRaw(f, in); break;
    default: break;
  }
  return 0;
}
