// BodyCompressor (engine/pipeline/body_compressor.h): gzip and brotli streams fed in arbitrary
// pieces decode to the input; output is produced while input arrives (streaming), chunks carry
// no slack, and tiny or empty bodies still make valid streams.
#include "engine/pipeline/body_compressor.h"

#include <gtest/gtest.h>

#include <random>

#include "support/content_decoding.h"

namespace edge::engine {
namespace {

using policies::ContentCoding;

std::string decode(ContentCoding c, const std::string& in) {
  auto out = c == ContentCoding::Gzip ? testing_decode::gunzip(in) : testing_decode::unbrotli(in);
  EXPECT_TRUE(out.has_value()) << "stream incomplete or corrupt";
  return out.value_or("<undecodable>");
}
std::string gunzip(const std::string& in) { return decode(ContentCoding::Gzip, in); }
std::string unbrotli(const std::string& in) { return decode(ContentCoding::Brotli, in); }

std::string textBody(size_t n, uint32_t seed) {
  static const char* const kWords[] = {"edge", "cache", "origin", "<div class=\"x\">", "</div>",
                                       "viewer", "ttl", "42", "\n", "behaviour", "gzip", "br"};
  std::mt19937 rng(seed);
  std::string s;
  while (s.size() < n) {
    s += kWords[rng() % std::size(kWords)];
    s += ' ';
  }
  s.resize(n);
  return s;
}

std::string join(const std::vector<std::string>& pieces) {
  std::string s;
  for (const auto& p : pieces) s += p;
  return s;
}

class RoundTrip : public testing::TestWithParam<ContentCoding> {};

TEST_P(RoundTrip, RandomPiecesDecodeToTheInput) {
  const ContentCoding coding = GetParam();
  std::mt19937 rng(7);
  for (size_t size : {size_t{1000}, size_t{30 * 1024}, size_t{1 << 20}}) {
    const std::string input = textBody(size, static_cast<uint32_t>(size));
    auto c = BodyCompressor::make(coding, {}, size);
    ASSERT_NE(c, nullptr);
    std::vector<std::string> out;
    for (size_t off = 0; off < input.size();) {
      const size_t n = std::min<size_t>(input.size() - off, 1 + rng() % 20000);
      ASSERT_TRUE(c->write(std::string_view(input).substr(off, n), out));
      off += n;
    }
    ASSERT_TRUE(c->finish(out));
    const std::string compressed = join(out);
    EXPECT_LT(compressed.size(), input.size() / 2) << size;
    EXPECT_EQ(c->bytesIn(), input.size());
    EXPECT_EQ(c->bytesOut(), compressed.size());
    for (const auto& piece : out) {
      EXPECT_FALSE(piece.empty());
      EXPECT_EQ(piece.capacity() < 2 * piece.size() + 32, true) << "chunk keeps slack";
    }
    EXPECT_EQ(decode(coding, compressed), input) << size;
  }
}

TEST_P(RoundTrip, EmptyBodyIsAValidStream) {
  auto c = BodyCompressor::make(GetParam(), {}, std::nullopt);
  ASSERT_NE(c, nullptr);
  std::vector<std::string> out;
  ASSERT_TRUE(c->finish(out));
  EXPECT_EQ(decode(GetParam(), join(out)), "");
}

TEST_P(RoundTrip, OutputArrivesBeforeTheInputEnds) {
  // 9 MB of varied text in 64 KiB pieces: compressed bytes come out long before finish().
  const ContentCoding coding = GetParam();
  auto c = BodyCompressor::make(coding, {}, 9'000'000);
  ASSERT_NE(c, nullptr);
  const std::string piece = textBody(64 << 10, 3);
  std::vector<std::string> out;
  size_t written = 0;
  size_t first_output_at = 0;
  while (written < 9'000'000) {
    ASSERT_TRUE(c->write(piece, out));
    written += piece.size();
    if (first_output_at == 0 && !out.empty()) first_output_at = written;
  }
  EXPECT_GT(first_output_at, 0u);
  EXPECT_LT(first_output_at, 2'000'000u) << "the encoder held back output";
  ASSERT_TRUE(c->finish(out));
  const std::string decoded = decode(coding, join(out));
  ASSERT_EQ(decoded.size(), written);
  EXPECT_EQ(decoded.substr(0, piece.size()), piece);
}

TEST(BodyCompressor, IdentityHasNoCompressor) {
  EXPECT_EQ(BodyCompressor::make(ContentCoding::Identity, {}, 100), nullptr);
}

TEST(BodyCompressor, LevelsAreClampedAndStillDecode) {
  for (int level : {-3, 1, 9, 40}) {
    auto g = BodyCompressor::make(ContentCoding::Gzip, {level, level}, 5000);
    auto b = BodyCompressor::make(ContentCoding::Brotli, {level, level}, 5000);
    ASSERT_NE(g, nullptr);
    ASSERT_NE(b, nullptr);
    const std::string input = textBody(5000, 11);
    std::vector<std::string> go, bo;
    ASSERT_TRUE(g->write(input, go) && g->finish(go));
    ASSERT_TRUE(b->write(input, bo) && b->finish(bo));
    EXPECT_EQ(gunzip(join(go)), input) << level;
    EXPECT_EQ(unbrotli(join(bo)), input) << level;
  }
}

INSTANTIATE_TEST_SUITE_P(Codings, RoundTrip,
                         testing::Values(ContentCoding::Gzip, ContentCoding::Brotli),
                         [](const auto& info) { return std::string(toString(info.param)) == "br"
                                                           ? std::string("Brotli")
                                                           : std::string("Gzip"); });

}  // namespace
}  // namespace edge::engine
