// AWS Signature Version 4 (the S3 flavour), both directions, pure:
//  * signing: the edge signs origin requests for origin access control (§12), and the
//    registration API signs its PUTs to the bucket;
//  * verification: the bundled S3 server (origin/s3) checks the Authorization header form and the
//    presigned query form, then the payload (hex SHA-256, UNSIGNED-PAYLOAD, or aws-chunked).
//
// Reference: AWS "Signature Version 4 signing process" and "Authenticating Requests (AWS
// Signature Version 4)" in the S3 API reference (header, query-string and streaming forms).
// S3 specifics: the canonical URI is the path encoded once (no double encoding, no '.'/'..'
// normalisation); the payload hash is the value of x-amz-content-sha256 (header form) or
// UNSIGNED-PAYLOAD (query form).
//
// Clock: callers pass `now` (epoch seconds). No I/O, no global state. Threads: everything here is
// reentrant.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "policies/http_types.h"
#include "policies/viewer_request.h"

namespace edge::policies::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kStreamingSigned = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view kStreamingUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
inline constexpr std::string_view kStreamingSignedTrailer =
    "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
// SHA-256 of the empty string, hex.
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// S3 refuses a request whose X-Amz-Date is more than 15 minutes away from its clock.
inline constexpr int64_t kMaxClockSkewSeconds = 15 * 60;
// Presigned URLs: X-Amz-Expires is 1..604800 (7 days).
inline constexpr int64_t kMaxPresignExpires = 604800;
// aws-chunked bounds (AwsChunkedDecoder): a chunk-size line ("<hex>;chunk-signature=<64 hex>")
// is at most 4 KiB with its CRLF; a chunk at most 64 MiB (the data is streamed through, never
// buffered, so this only bounds the size field); the trailer section at most 16 KiB. Beyond
// either: IncompleteBody.
inline constexpr size_t kMaxChunkLine = 4096;
inline constexpr uint64_t kMaxChunkSize = uint64_t{64} << 20;
inline constexpr size_t kMaxTrailerBytes = 16384;

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
};

// The credential scope: "<date>/<region>/<service>/aws4_request".
struct Scope {
  std::string date;     // YYYYMMDD (UTC)
  std::string region;   // e.g. "us-east-1"
  std::string service;  // "s3"
  std::string toString() const;
  bool operator==(const Scope&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Scope& s);

// ---- building blocks (exposed for tests and the benchmark) -------------------------------------

// Lowercase hex of SHA-256(data).
std::string sha256Hex(std::string_view data);
// "YYYYMMDDTHHMMSSZ" for an epoch time (UTC); and back (nullopt when malformed).
std::string formatAmzDate(int64_t epoch_seconds);
std::optional<int64_t> parseAmzDate(std::string_view amz_date);
// RFC 3986 encoding as SigV4 specifies: A–Z a–z 0–9 - _ . ~ kept, every other byte %XX (upper
// hex); '/' kept only when !encode_slash.
std::string uriEncode(std::string_view bytes, bool encode_slash);
// The S3 canonical URI for a raw request path: each segment percent-decoded once and encoded
// again with uriEncode(…, false). nullopt when the raw path has a bad %-escape.
std::optional<std::string> canonicalUri(std::string_view raw_path);
// The canonical query string for a raw query: parameters split on '&', names and values
// percent-decoded ('+' stays '+') and re-encoded with uriEncode(…, true), "name=" for a
// parameter without '=', sorted by encoded name then value. X-Amz-Signature is left out when
// `drop_signature` (presigned verification). nullopt on a bad %-escape.
std::optional<std::string> canonicalQuery(std::string_view raw_query, bool drop_signature = false);

// What a signature covers.
struct CanonicalInput {
  std::string_view method;     // "GET"
  std::string_view raw_path;   // as sent on the wire, e.g. "/bucket/my%20key"
  std::string_view raw_query;  // without '?'
  const HeaderList* headers = nullptr;
  std::vector<std::string> signed_headers;  // lowercase names, sorted, e.g. host;x-amz-date
  std::string_view payload_hash;            // hex SHA-256, UNSIGNED-PAYLOAD or STREAMING-…
  bool drop_signature_param = false;        // presigned: X-Amz-Signature not in the query
};
// The canonical request text; header values trimmed, inner runs of spaces collapsed, same-named
// headers joined with ','. nullopt when a signed header is missing or the path/query is malformed.
std::optional<std::string> canonicalRequest(const CanonicalInput& in);
std::string stringToSign(std::string_view amz_date, const Scope& scope,
                         std::string_view canonical_request);
using SigningKey = std::array<uint8_t, 32>;
SigningKey signingKey(std::string_view secret_access_key, const Scope& scope);
// Lowercase hex of HMAC-SHA256(key, string_to_sign).
std::string signatureHex(const SigningKey& key, std::string_view string_to_sign);

// ---- signing (origin requests, API → bucket) ----------------------------------------------------

struct SignOptions {
  std::string region = "us-east-1";
  std::string service = "s3";
  // Value of x-amz-content-sha256 and the payload hash signed: UNSIGNED-PAYLOAD for GET/HEAD
  // or streamed bodies, or the hex SHA-256 of a body the caller holds.
  std::string payload_hash = std::string(kUnsignedPayload);
  // Extra header names to sign besides host, x-amz-content-sha256 and x-amz-date (and
  // x-amz-security-token when present); each must be in `headers`.
  std::vector<std::string> extra_signed_headers;
};
// Signs a request in place: sets X-Amz-Date, X-Amz-Content-Sha256 and Authorization in `headers`
// (replacing any present, including a viewer's Authorization). `headers` must hold Host.
// Returns false (headers untouched) when the path or query is malformed, Host or an extra signed
// header is absent. The signature covers canonicalUri(raw_path) and canonicalQuery(raw_query);
// verifiers that sign the path and query as written on the wire (botocore does) agree only when
// the wire form is already canonical, so send canonicalUri(raw_path) (it signs the same) and a
// query in canonical encoding (%XX for all but A–Z a–z 0–9 - _ . ~).
bool signRequest(std::string_view method, std::string_view raw_path, std::string_view raw_query,
                 HeaderList& headers, const Credentials& creds, const SignOptions& opts,
                 int64_t now);

// A presigned URL query (X-Amz-Algorithm … X-Amz-Signature) for `raw_query` + the signing
// parameters, signing only host (payload UNSIGNED-PAYLOAD; opts.payload_hash and
// opts.extra_signed_headers are ignored); returns the full query string to append after '?':
// `raw_query` as given, then the X-Amz-* parameters. "" when the path or query is malformed.
std::string presignQuery(std::string_view method, std::string_view host, std::string_view raw_path,
                         std::string_view raw_query, const Credentials& creds,
                         const SignOptions& opts, int64_t now, int64_t expires_seconds);

// ---- verification (the S3 server) ---------------------------------------------------------------

// S3's error codes for authentication failures (the S3 server maps each to its XML body and
// status: 403 unless noted).
enum class AuthError : uint8_t {
  // 400 InvalidRequest "Missing required header for this request: x-amz-content-sha256": what
  // S3 answers when a header-signed request lacks it (seen in aws/aws-cli#2138,
  // avi-wish/aws4-signature-php#1, awslabs/aws-sdk-rust#291; S3 API "Common request headers").
  MissingSecurityHeader,
  AuthorizationHeaderMalformed,       // 400: unparsable Authorization / credential scope
  AuthorizationQueryParametersError,  // 400: presigned parameters missing or malformed
  InvalidArgument,                    // 400: unsupported algorithm, bad X-Amz-Expires …
  InvalidAccessKeyId,                 // 403: access key unknown
  SignatureDoesNotMatch,              // 403
  RequestTimeTooSkewed,               // 403: |X-Amz-Date − now| > 15 min
  AccessDeniedExpired,                // 403 AccessDenied "Request has expired" (presigned)
  XAmzContentSHA256Mismatch,          // 400: body hash differs from the header
  IncompleteBody,                     // 400: aws-chunked framing broken / body short
  BadDigest,                          // 400: a trailer checksum (x-amz-checksum-*) differs
  // 403 AccessDenied "Request is not yet valid": a presigned X-Amz-Date more than 15 minutes
  // ahead of the clock (S3's answer as quoted in minio/minio#2638 and dmjio/s3-signer#16).
  AccessDeniedNotYetValid,
  // 403 AccessDenied "AWS authentication requires a valid Date or x-amz-date header".
  AccessDeniedMissingDate,
  // 400 InvalidRequest "header 'x-amz-content-sha256' must be included in signature" (S3's
  // answer as quoted in lucacasonato/deno_s3#47).
  ContentSha256NotSigned,
  // 403 AccessDenied "Access Denied": verifyRequest on a request without SigV4 credentials
  // (callers normally decide anonymous access with hasCredentials() first).
  AccessDeniedAnonymous,
};
std::string_view toString(AuthError e);  // the S3 <Code> ("AccessDenied" for AccessDeniedExpired)
int httpStatus(AuthError e);
std::string_view message(AuthError e);  // S3's <Message> text
std::ostream& operator<<(std::ostream& os, AuthError e);

// How the body must be checked after the head verified.
enum class PayloadMode : uint8_t {
  Unsigned,         // UNSIGNED-PAYLOAD (or presigned): no check
  Sha256,           // hex SHA-256 in x-amz-content-sha256: hash the body, compare at the end
  StreamingSigned,  // aws-chunked with per-chunk signatures
                    // (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER])
  StreamingUnsignedTrailer,  // aws-chunked, no chunk signatures, checksum trailer
};
std::string_view toString(PayloadMode m);  // "Unsigned", "Sha256", …
std::ostream& operator<<(std::ostream& os, PayloadMode m);

// A verified request head.
struct Verified {
  std::string access_key_id;
  Scope scope;
  std::string amz_date;
  SigningKey key{};
  std::string seed_signature;  // the head's signature (chains the chunk signatures)
  PayloadMode payload = PayloadMode::Unsigned;
  std::string payload_sha256;  // for PayloadMode::Sha256, lowercase hex
  bool presigned = false;
  bool trailer = false;  // …-TRAILER: a trailer section follows the last chunk
  // x-amz-trailer (lowercase, trimmed; "" when absent): the trailer header the client promised,
  // e.g. "x-amz-checksum-crc32". The decoder checks crc32, crc32c, sha1 and sha256 ones.
  std::string trailer_header;
  // x-amz-decoded-content-length when present and numeric: the decoder checks the payload
  // length against it (IncompleteBody when it differs).
  std::optional<uint64_t> decoded_content_length;
};

// Looks up the secret of an access key id; nullopt when unknown.
using SecretLookup = std::function<std::optional<std::string>(std::string_view access_key_id)>;

// True when the request carries credentials in either form: an Authorization header (any
// scheme: a non-SigV4 one must be refused by verifyRequest, not treated as anonymous), or an
// X-Amz-Algorithm / X-Amz-Credential / X-Amz-Signature query parameter.
// Anonymous requests are the caller's decision (public-read buckets allow GET/HEAD).
bool hasCredentials(const ViewerRequest& req);
// Verifies the head of a signed request (either form). The caller then checks the body per
// Verified::payload. Checks, in order: form and syntax, date (header form: X-Amz-Date, else
// Date), scope date, skew or expiry, the access key, the signature (constant time). The region
// of the scope is not checked here: compare Verified::scope.region with the bucket's.
tl::expected<Verified, AuthError> verifyRequest(const ViewerRequest& req,
                                                const SecretLookup& secrets, int64_t now);

// The string to sign of one aws-chunked chunk (S3 API "sigv4-streaming"):
// "AWS4-HMAC-SHA256-PAYLOAD\n" date "\n" scope "\n" previous signature "\n" SHA256("") "\n"
// hex SHA-256 of the chunk data.
std::string chunkStringToSign(std::string_view amz_date, const Scope& scope,
                              std::string_view previous_signature,
                              std::string_view chunk_sha256_hex);
// The string to sign of the trailer section (S3 API "sigv4-streaming-trailers"):
// "AWS4-HMAC-SHA256-TRAILER\n" date "\n" scope "\n" last chunk signature "\n" hex SHA-256 of
// the canonical trailers ("name:value\n" each, lowercase names, trimmed values, sorted).
std::string trailerStringToSign(std::string_view amz_date, const Scope& scope,
                                std::string_view previous_signature,
                                std::string_view canonical_trailers);

// The base64 checksum value S3 expects in x-amz-checksum-<algorithm> for `data`, algorithm one of
// "crc32", "crc32c", "sha1", "sha256"; nullopt for another name.
std::optional<std::string> checksumBase64(std::string_view algorithm, std::string_view data);

// Builds an aws-chunked body (for tests, benchmarks and clients): `payload` in chunks of
// `chunk_size` bytes (> 0), then the 0-size chunk, then the trailers. With `signing` set each
// chunk carries ";chunk-signature=" chained from signing->seed_signature, and a trailer section
// gets x-amz-trailer-signature. `trailers`: "name:value" pairs written in order.
struct ChunkSigning {
  SigningKey key{};
  Scope scope;
  std::string amz_date;
  std::string seed_signature;
};
std::string encodeAwsChunked(std::string_view payload, size_t chunk_size,
                             const ChunkSigning* signing, const std::vector<Header>& trailers = {});

// Incremental aws-chunked body decoder ("<hex-size>[;chunk-signature=<sig>]\r\n<data>\r\n" …
// "0[;chunk-signature=…]\r\n" [trailers] "\r\n"). Verifies each chunk signature against the
// chain started by Verified::seed_signature (StreamingSigned), and for trailers checks the
// x-amz-checksum-crc32 / -crc32c / -sha1 / -sha256 value named by x-amz-trailer when present.
class AwsChunkedDecoder {
 public:
  // `v` from verifyRequest with payload StreamingSigned or StreamingUnsignedTrailer (any other
  // mode decodes as unsigned aws-chunked without a trailer section). Copies what it needs.
  explicit AwsChunkedDecoder(const Verified& v);
  ~AwsChunkedDecoder();
  AwsChunkedDecoder(const AwsChunkedDecoder&) = delete;
  AwsChunkedDecoder& operator=(const AwsChunkedDecoder&) = delete;
  // Feeds wire bytes; decoded payload bytes go to `out` (possibly several calls per feed).
  // A chunk's bytes are passed out as they arrive, before its signature (checked at the chunk's
  // end) is known to be good: on an error the caller must discard everything decoded.
  // An error is final: SignatureDoesNotMatch for a bad chunk or trailer signature,
  // IncompleteBody for broken framing, bounds exceeded (kMaxChunkLine, kMaxChunkSize,
  // kMaxTrailerBytes), bytes after the end, a missing promised trailer or a length differing from
  // x-amz-decoded-content-length, BadDigest for a trailer checksum that differs.
  std::optional<AuthError> feed(std::string_view bytes,
                                const std::function<void(std::string_view)>& out);
  // The final chunk and trailers were read.
  // At the end of the body: IncompleteBody unless done().
  std::optional<AuthError> finish() const;
  bool done() const;
  uint64_t decodedBytes() const;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

}  // namespace edge::policies::sigv4
