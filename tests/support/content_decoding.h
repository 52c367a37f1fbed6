// Decoders for the tests: gzip (zlib's inflate, gzip wrapper only) and brotli (libbrotlidec).
// Header-only so the unit and integration binaries share it.
#pragma once

#include <brotli/decode.h>
#include <zlib.h>

#include <optional>
#include <string>
#include <string_view>

namespace edge::testing_decode {

struct Decoded {
  std::string out;        // everything the input decoded to
  bool complete = false;  // the stream ended properly and nothing followed it
};

// Decodes as far as `in` allows: a stream still arriving gives what a viewer could already show.
inline Decoded decodeStream(std::string_view coding, std::string_view in) {
  Decoded d;
  std::string buf(1 << 20, '\0');
  if (coding == "gzip") {
    z_stream z{};
    if (inflateInit2(&z, 15 + 16) != Z_OK) return d;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    int rc = Z_OK;
    while (rc == Z_OK) {
      z.next_out = reinterpret_cast<Bytef*>(buf.data());
      z.avail_out = static_cast<uInt>(buf.size());
      rc = inflate(&z, Z_SYNC_FLUSH);
      d.out.append(buf.data(), buf.size() - z.avail_out);
      if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) break;  // needs more input
    }
    d.complete = rc == Z_STREAM_END && z.avail_in == 0;
    inflateEnd(&z);
  } else if (coding == "br") {
    BrotliDecoderState* s = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
    if (s == nullptr) return d;
    size_t avail_in = in.size();
    const uint8_t* next_in = reinterpret_cast<const uint8_t*>(in.data());
    BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
    while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
      size_t avail_out = buf.size();
      uint8_t* next_out = reinterpret_cast<uint8_t*>(buf.data());
      rc = BrotliDecoderDecompressStream(s, &avail_in, &next_in, &avail_out, &next_out, nullptr);
      d.out.append(buf.data(), buf.size() - avail_out);
    }
    d.complete = rc == BROTLI_DECODER_RESULT_SUCCESS && avail_in == 0;
    BrotliDecoderDestroyInstance(s);
  } else {
    d.out = std::string(in);
    d.complete = true;
  }
  return d;
}

// By Content-Encoding token ("gzip", "br"; anything else is returned as it is). nullopt for a
// stream that is truncated, corrupt or followed by extra bytes.
inline std::optional<std::string> decodeBody(std::string_view coding, std::string_view in) {
  Decoded d = decodeStream(coding, in);
  if (!d.complete) return std::nullopt;
  return std::move(d.out);
}
inline std::optional<std::string> gunzip(std::string_view in) { return decodeBody("gzip", in); }
inline std::optional<std::string> unbrotli(std::string_view in) { return decodeBody("br", in); }

// How many bytes the start of a (possibly unfinished) stream decodes to.
inline size_t decodablePrefixBytes(std::string_view coding, std::string_view in) {
  return decodeStream(coding, in).out.size();
}

}  // namespace edge::testing_decode
