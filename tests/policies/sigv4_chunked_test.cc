// aws-chunked bodies (policies/sigv4.h AwsChunkedDecoder, encodeAwsChunked): AWS's streaming
// known answer, every split point of small bodies, random splits, signature chain tampering,
// trailers and their checksums, framing errors and bounds.
#include <gtest/gtest.h>

#include <random>

#include "policies/sigv4.h"

namespace edge::policies::sigv4 {
namespace {

constexpr const char* kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr int64_t kExampleTime = 1369353600;  // 20130524T000000Z

struct Decoded {
  std::optional<AuthError> error;
  std::string payload;
  bool done = false;
};

// Feeds `wire` in pieces cut at `cuts` (sorted offsets), then checks finish().
Decoded decode(const Verified& v, std::string_view wire, const std::vector<size_t>& cuts = {}) {
  AwsChunkedDecoder d(v);
  Decoded out;
  size_t pos = 0;
  std::vector<size_t> ends = cuts;
  ends.push_back(wire.size());
  for (size_t end : ends) {
    out.error =
        d.feed(wire.substr(pos, end - pos), [&](std::string_view s) { out.payload.append(s); });
    pos = end;
    if (out.error) return out;
  }
  out.error = d.finish();
  out.done = d.done();
  EXPECT_EQ(d.decodedBytes(), out.payload.size());
  return out;
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html, "Example: PUT Object":
// 66560 bytes of 'a' in chunks of 64 KiB, 1 KiB and 0, chained from the seed signature.
ViewerRequest awsStreamingPut() {
  ViewerRequest r;
  r.method = Method::Put;
  r.method_name = "PUT";
  r.path = "/examplebucket/chunkObject.txt";
  r.headers = {
      {"Host", "s3.amazonaws.com"},
      {"x-amz-date", "20130524T000000Z"},
      {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
       "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
       "x-amz-decoded-content-length;x-amz-storage-class,"
       "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"},
      {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"},
      {"Content-Encoding", "aws-chunked"},
      {"x-amz-decoded-content-length", "66560"},
      {"Content-Length", "66824"},
  };
  return r;
}

std::optional<std::string> exampleLookup(std::string_view akid) {
  if (akid == "AKIAIOSFODNN7EXAMPLE") return std::string(kSecret);
  return std::nullopt;
}

TEST(Sigv4ChunkedKnownAnswer, StreamingPutObject) {
  const auto v = verifyRequest(awsStreamingPut(), exampleLookup, kExampleTime);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v->payload, PayloadMode::StreamingSigned);
  EXPECT_FALSE(v->trailer);
  EXPECT_EQ(v->seed_signature, "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  EXPECT_EQ(v->decoded_content_length, 66560u);

  const std::string payload(66560, 'a');
  const ChunkSigning signing{v->key, v->scope, v->amz_date, v->seed_signature};
  const std::string wire = encodeAwsChunked(payload, 65536, &signing);
  EXPECT_EQ(wire.size(), 66824u);  // the example's Content-Length
  // The three chunk signatures the example lists.
  const std::string first =
      "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n";
  const std::string second =
      "\r\n400;chunk-signature="
      "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n";
  const std::string last =
      "\r\n0;chunk-signature="
      "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
  EXPECT_EQ(wire.substr(0, first.size()), first);
  EXPECT_EQ(wire.substr(first.size() + 65536, second.size()), second);
  EXPECT_EQ(wire.substr(wire.size() - last.size()), last);

  const Decoded d = decode(*v, wire);
  EXPECT_EQ(d.error, std::nullopt);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.payload, payload);
  // Random splits of the example body.
  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    std::vector<size_t> cuts;
    for (size_t pos = 0;;) {
      pos += 1 + rng() % (round < 10 ? 97 : 9000);
      if (pos >= wire.size()) break;
      cuts.push_back(pos);
    }
    const Decoded r = decode(*v, wire, cuts);
    ASSERT_EQ(r.error, std::nullopt) << "round " << round;
    ASSERT_EQ(r.payload, payload);
  }
}

// A small signed head of our own for the rest.
Verified smallVerified(PayloadMode mode, bool trailer, std::string trailer_header = "") {
  Verified v;
  v.access_key_id = "AKID";
  v.scope = Scope{"20240101", "us-east-1", "s3"};
  v.amz_date = "20240101T000000Z";
  v.key = signingKey("secret", v.scope);
  v.seed_signature = std::string(64, '5');
  v.payload = mode;
  v.trailer = trailer;
  v.trailer_header = std::move(trailer_header);
  return v;
}

ChunkSigning signingOf(const Verified& v) { return {v.key, v.scope, v.amz_date, v.seed_signature}; }

// Every single split point (two feeds) and, for short bodies, every byte fed alone.
void expectEverySplit(const Verified& v, const std::string& wire, const std::string& payload) {
  for (size_t cut = 0; cut <= wire.size(); ++cut) {
    const Decoded d = decode(v, wire, {cut});
    ASSERT_EQ(d.error, std::nullopt) << "cut " << cut;
    ASSERT_TRUE(d.done) << "cut " << cut;
    ASSERT_EQ(d.payload, payload) << "cut " << cut;
  }
  std::vector<size_t> all;
  for (size_t i = 1; i < wire.size(); ++i) all.push_back(i);
  const Decoded d = decode(v, wire, all);
  ASSERT_EQ(d.error, std::nullopt);
  EXPECT_EQ(d.payload, payload);
}

TEST(Sigv4Chunked, SignedEverySplitPoint) {
  const Verified v = smallVerified(PayloadMode::StreamingSigned, false);
  const ChunkSigning s = signingOf(v);
  const std::string payload = "hello, chunked world";
  const std::string wire = encodeAwsChunked(payload, 7, &s);
  expectEverySplit(v, wire, payload);
}

TEST(Sigv4Chunked, SignedTrailerEverySplitPoint) {
  const Verified v = smallVerified(PayloadMode::StreamingSigned, true, "x-amz-checksum-crc32c");
  const ChunkSigning s = signingOf(v);
  const std::string payload = "0123456789abcdef";
  const std::string wire = encodeAwsChunked(
      payload, 5, &s, {{"x-amz-checksum-crc32c", *checksumBase64("crc32c", payload)}});
  EXPECT_NE(wire.find("\r\nx-amz-trailer-signature:"), std::string::npos);
  expectEverySplit(v, wire, payload);
}

TEST(Sigv4Chunked, UnsignedTrailerEverySplitPoint) {
  const Verified v =
      smallVerified(PayloadMode::StreamingUnsignedTrailer, true, "x-amz-checksum-crc32");
  const std::string payload = "unsigned payload with a crc";
  const std::string wire = encodeAwsChunked(
      payload, 10, nullptr, {{"x-amz-checksum-crc32", *checksumBase64("crc32", payload)}});
  EXPECT_EQ(wire.substr(0, 4), "a\r\nu");
  EXPECT_EQ(wire.substr(wire.size() - 6), "==\r\n\r\n");
  expectEverySplit(v, wire, payload);
}

TEST(Sigv4Chunked, EmptyPayload) {
  const Verified v = smallVerified(PayloadMode::StreamingSigned, false);
  const ChunkSigning s = signingOf(v);
  const Decoded d = decode(v, encodeAwsChunked("", 8, &s));
  EXPECT_EQ(d.error, std::nullopt);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.payload, "");
}

TEST(Sigv4Chunked, ChecksumKnownValues) {
  // The CRC "check" values of "123456789": CRC-32 0xCBF43926, CRC-32C 0xE3069283, big-endian in
  // base64.
  EXPECT_EQ(checksumBase64("crc32", "123456789"), "y/Q5Jg==");
  EXPECT_EQ(checksumBase64("crc32c", "123456789"), "4waSgw==");
  EXPECT_EQ(checksumBase64("crc32", ""), "AAAAAA==");
  EXPECT_EQ(checksumBase64("sha1", "abc"), "qZk+NkcGgWq6PiVxeFDCbJzQ2J0=");
  EXPECT_EQ(checksumBase64("sha256", ""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(checksumBase64("md5", "x"), std::nullopt);
}

TEST(Sigv4Chunked, TamperedChunkSignatureOrData) {
  const Verified v = smallVerified(PayloadMode::StreamingSigned, false);
  const ChunkSigning s = signingOf(v);
  const std::string wire = encodeAwsChunked("abcdefghij", 4, &s);
  // A data byte changed.
  std::string w = wire;
  w[w.find("\r\n") + 2] = 'X';
  EXPECT_EQ(decode(v, w).error, AuthError::SignatureDoesNotMatch);
  // A signature digit changed (the second chunk's).
  w = wire;
  const size_t second = w.find("chunk-signature=", w.find("chunk-signature=") + 1) + 16;
  w[second] = w[second] == '0' ? '1' : '0';
  EXPECT_EQ(decode(v, w).error, AuthError::SignatureDoesNotMatch);
  // Chunks reordered: the chain breaks.
  const Verified other_seed = [&] {
    Verified o = v;
    o.seed_signature = std::string(64, '6');
    return o;
  }();
  EXPECT_EQ(decode(other_seed, wire).error, AuthError::SignatureDoesNotMatch);
  // Another key.
  Verified other_key = v;
  other_key.key = signingKey("other", v.scope);
  EXPECT_EQ(decode(other_key, wire).error, AuthError::SignatureDoesNotMatch);
  // The error is final.
  AwsChunkedDecoder d(other_key);
  EXPECT_EQ(d.feed(wire, [](std::string_view) {}), AuthError::SignatureDoesNotMatch);
  EXPECT_EQ(d.feed("0\r\n", [](std::string_view) {}), AuthError::SignatureDoesNotMatch);
  EXPECT_EQ(d.finish(), AuthError::SignatureDoesNotMatch);
}

TEST(Sigv4Chunked, TrailerChecksumsAndSignature) {
  const std::string payload = "checksummed body";
  for (const char* algo : {"crc32", "crc32c", "sha1", "sha256"}) {
    const std::string name = std::string("x-amz-checksum-") + algo;
    for (bool sign : {false, true}) {
      const Verified v = smallVerified(
          sign ? PayloadMode::StreamingSigned : PayloadMode::StreamingUnsignedTrailer, true, name);
      const ChunkSigning s = signingOf(v);
      const std::string good = *checksumBase64(algo, payload);
      const std::string other = *checksumBase64(algo, payload + "!");
      EXPECT_EQ(decode(v, encodeAwsChunked(payload, 6, sign ? &s : nullptr, {{name, good}})).error,
                std::nullopt)
          << name << sign;
      EXPECT_EQ(decode(v, encodeAwsChunked(payload, 6, sign ? &s : nullptr, {{name, other}})).error,
                AuthError::BadDigest)
          << name << sign;
      // The promised trailer is missing.
      EXPECT_EQ(
          decode(v, encodeAwsChunked(payload, 6, sign ? &s : nullptr, {{"x-other", "1"}})).error,
          AuthError::IncompleteBody)
          << name << sign;
    }
  }
  // Signed trailer: the trailer value changed after signing, or its signature dropped.
  const Verified v = smallVerified(PayloadMode::StreamingSigned, true, "x-amz-checksum-crc32");
  const ChunkSigning s = signingOf(v);
  std::string wire = encodeAwsChunked(
      payload, 6, &s, {{"x-amz-checksum-crc32", *checksumBase64("crc32", payload)}});
  std::string w = wire;
  w.replace(w.find("x-amz-checksum-crc32:"), 21,
            "x-amz-checksum-crc32: ");  // whitespace is canonicalised away
  EXPECT_EQ(decode(v, w).error, std::nullopt);
  w = wire;
  w.replace(w.find("x-amz-trailer-signature:"), 88, "");
  EXPECT_EQ(decode(v, w).error, AuthError::SignatureDoesNotMatch);
  w = wire;
  const size_t sig = w.find("x-amz-trailer-signature:") + 24;
  w[sig] = w[sig] == 'a' ? 'b' : 'a';
  EXPECT_EQ(decode(v, w).error, AuthError::SignatureDoesNotMatch);
  // An unknown checksum algorithm is not checked, but must be present.
  const Verified crc64 =
      smallVerified(PayloadMode::StreamingUnsignedTrailer, true, "x-amz-checksum-crc64nvme");
  EXPECT_EQ(decode(crc64, encodeAwsChunked(payload, 6, nullptr,
                                           {{"x-amz-checksum-crc64nvme", "AAAAAAAAAAA="}}))
                .error,
            std::nullopt);
}

TEST(Sigv4Chunked, RandomInputNeverCrashesAndMutationsAreRefused) {
  std::mt19937 rng(7);
  const Verified sv = smallVerified(PayloadMode::StreamingSigned, true, "x-amz-checksum-sha256");
  const Verified uv =
      smallVerified(PayloadMode::StreamingUnsignedTrailer, true, "x-amz-checksum-crc32");
  const ChunkSigning s = signingOf(sv);
  const std::string payload = "some payload bytes for mutation";
  const std::string signed_wire = encodeAwsChunked(
      payload, 8, &s, {{"x-amz-checksum-sha256", *checksumBase64("sha256", payload)}});
  // Signed: every byte XOR 1 is refused (framing, signature or checksum), never accepted.
  for (size_t i = 0; i < signed_wire.size(); ++i) {
    std::string w = signed_wire;
    w[i] = static_cast<char>(w[i] ^ 1);
    const Decoded d = decode(sv, w);
    EXPECT_TRUE(d.error.has_value()) << "byte " << i;
  }
  // Random bytes and random mutations of an unsigned body: only that no crash or overrun occurs
  // (run under ASan), and that anything accepted decoded to a consistent length.
  const std::string unsigned_wire = encodeAwsChunked(
      payload, 8, nullptr, {{"x-amz-checksum-crc32", *checksumBase64("crc32", payload)}});
  for (int round = 0; round < 2000; ++round) {
    std::string w;
    if (round % 2 == 0) {
      w.resize(rng() % 64);
      for (char& c : w) c = "0123456789abcdef;=\r\n:x-"[rng() % 24];
    } else {
      w = unsigned_wire;
      for (int k = 0; k < 3; ++k) w[rng() % w.size()] = static_cast<char>(rng());
    }
    const Decoded d = decode(round % 4 < 2 ? uv : sv, w, {rng() % (w.size() + 1)});
    if (!d.error) {
      EXPECT_TRUE(d.done);
    }
  }
}

TEST(Sigv4Chunked, DecodedLengthMustMatch) {
  Verified v = smallVerified(PayloadMode::StreamingSigned, false);
  const ChunkSigning s = signingOf(v);
  const std::string wire = encodeAwsChunked("12345678", 3, &s);
  v.decoded_content_length = 8;
  EXPECT_EQ(decode(v, wire).error, std::nullopt);
  v.decoded_content_length = 9;
  EXPECT_EQ(decode(v, wire).error, AuthError::IncompleteBody);
  v.decoded_content_length = 7;
  EXPECT_EQ(decode(v, wire).error, AuthError::IncompleteBody);
}

struct FramingCase {
  const char* name;
  std::string wire;
};

TEST(Sigv4Chunked, BrokenFramingIsIncompleteBody) {
  const Verified v = smallVerified(PayloadMode::StreamingUnsignedTrailer, true);
  const Verified sv = smallVerified(PayloadMode::StreamingSigned, false);
  const FramingCase unsigned_cases[] = {
      {"no size", "\r\n"},
      {"bad hex", "1g\r\nx\r\n0\r\n\r\n"},
      {"size too long", "00000000000000001\r\nx\r\n0\r\n\r\n"},
      {"size over the limit", "4000001\r\n"},
      {"LF only", "1\nx\r\n0\r\n\r\n"},
      {"data longer than size", "1\r\nxy\r\n0\r\n\r\n"},
      {"extension on unsigned", "1;chunk-signature=00\r\nx\r\n0\r\n\r\n"},
      {"trailer without colon", "1\r\nx\r\n0\r\nnocolon\r\n\r\n"},
      {"bytes after the end", "1\r\nx\r\n0\r\n\r\nextra"},
      {"size line too long", "1" + std::string(kMaxChunkLine, ' ')},
      {"trailers too long", "0\r\n" + std::string(kMaxTrailerBytes, 'x')},
  };
  for (const FramingCase& c : unsigned_cases) {
    EXPECT_EQ(decode(v, c.wire).error, AuthError::IncompleteBody) << c.name;
  }
  const FramingCase signed_cases[] = {
      {"missing chunk signature", "1\r\nx\r\n"},
      {"short chunk signature", "1;chunk-signature=abc\r\nx\r\n"},
      {"other extension", "1;foo=" + std::string(64, 'a') + "xxxxxxxxxxx\r\n"},
      {"trailer on a non-trailer stream",
       "0;chunk-signature=" + std::string(64, '0') + "\r\nx-a:b\r\n\r\n"},
  };
  for (const FramingCase& c : signed_cases) {
    const auto e = decode(sv, c.wire).error;
    EXPECT_TRUE(e == AuthError::IncompleteBody || e == AuthError::SignatureDoesNotMatch) << c.name;
    EXPECT_TRUE(e.has_value()) << c.name;
  }
  // Truncated anywhere: finish() says IncompleteBody.
  const ChunkSigning s = signingOf(sv);
  const std::string wire = encodeAwsChunked("abcdef", 4, &s);
  for (size_t n = 0; n < wire.size(); ++n) {
    AwsChunkedDecoder d(sv);
    const auto e = d.feed(std::string_view(wire).substr(0, n), [](std::string_view) {});
    EXPECT_EQ(e, std::nullopt) << n;
    EXPECT_FALSE(d.done()) << n;
    EXPECT_EQ(d.finish(), AuthError::IncompleteBody) << n;
  }
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html, "Example: PUT
// Object": the same 66560 bytes with a signed CRC-32C trailer.
TEST(Sigv4ChunkedKnownAnswer, StreamingTrailersPutObject) {
  const std::string payload(66560, 'a');
  EXPECT_EQ(checksumBase64("crc32c", payload), "sOO8/Q==");
  ViewerRequest r;
  r.method = Method::Put;
  r.method_name = "PUT";
  r.path = "/examplebucket/chunkObject.txt";
  r.headers = {
      {"Host", "s3.amazonaws.com"},
      {"x-amz-date", "20130524T000000Z"},
      {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
      {"Authorization",
       "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
       "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-"
       "length;"
       "x-amz-storage-class;x-amz-trailer,"
       "Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"},
      {"x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"},
      {"Content-Encoding", "aws-chunked"},
      {"x-amz-decoded-content-length", "66560"},
      {"x-amz-trailer", "x-amz-checksum-crc32c"},
  };
  const auto v = verifyRequest(r, exampleLookup, kExampleTime);
  ASSERT_TRUE(v) << v.error();
  EXPECT_EQ(v->payload, PayloadMode::StreamingSigned);
  EXPECT_TRUE(v->trailer);
  EXPECT_EQ(v->trailer_header, "x-amz-checksum-crc32c");

  const ChunkSigning signing{v->key, v->scope, v->amz_date, v->seed_signature};
  const std::string wire =
      encodeAwsChunked(payload, 65536, &signing, {{"x-amz-checksum-crc32c", "sOO8/Q=="}});
  for (const char* sig :
       {"10000;chunk-signature="
        "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n",
        "\r\n400;chunk-signature="
        "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n",
        "\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n"
        "x-amz-checksum-crc32c:sOO8/Q==\r\n"
        "x-amz-trailer-signature:"
        "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n"
        "\r\n"}) {
    EXPECT_NE(wire.find(sig), std::string::npos) << sig;
  }
  const Decoded d = decode(*v, wire);
  EXPECT_EQ(d.error, std::nullopt);
  EXPECT_TRUE(d.done);
  EXPECT_EQ(d.payload, payload);
}

}  // namespace
}  // namespace edge::policies::sigv4
