#include "origin/registration/certificate_svg.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace edge::registration {
namespace {

CertificateFields sample() {
  CertificateFields f;
  f.registration_id = "r_abcdefghijklmnopqrstuvwxyz";
  f.name = "Ada Lovelace";
  f.affiliation = "Analytical Engines Ltd";
  f.conference = "EdgeConf 2026";
  f.session_title = "Opening keynote";
  f.date = "29 November 2026";
  return f;
}

size_t countOf(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1)) ++n;
  return n;
}

// Runs python3's XML parser over `svg` and returns the <text> elements' contents, one per line
// (a parse error fails the test: python3 is part of the build image, so it is not skipped).
std::string parseWithPython(const std::string& svg) {
  char path[] = "/tmp/certificate_svg_testXXXXXX";
  const int fd = mkstemp(path);
  EXPECT_GE(fd, 0);
  if (fd < 0) return "";
  ::close(fd);
  {
    std::ofstream out(path, std::ios::binary);
    out << svg;
  }
  const std::string cmd =
      std::string("/usr/bin/python3 -c \"import sys, xml.etree.ElementTree as E\n"
                  "r = E.parse(sys.argv[1]).getroot()\n"
                  "assert r.tag == '{http://www.w3.org/2000/svg}svg', r.tag\n"
                  "sys.stdout.buffer.write('\\n'.join(t.text or '' for t in "
                  "r.iter('{http://www.w3.org/2000/svg}text')).encode('utf-8'))\" ") +
      path + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  EXPECT_NE(p, nullptr);
  std::string output;
  if (p != nullptr) {
    std::array<char, 4096> buf{};
    size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) output.append(buf.data(), n);
    const int status = ::pclose(p);
    EXPECT_EQ(status, 0) << "python3 could not parse the SVG:\n" << output << "\n" << svg;
  }
  ::unlink(path);
  return output;
}

TEST(CertificateSvg, CarriesEveryField) {
  const std::string svg = renderCertificateSvg(sample());
  EXPECT_EQ(svg.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 0), 0u);
  EXPECT_NE(svg.find("Certificate of Attendance"), std::string::npos);
  EXPECT_NE(svg.find(">EdgeConf 2026<"), std::string::npos);
  EXPECT_NE(svg.find(">This certifies that<"), std::string::npos);
  EXPECT_NE(svg.find(">Ada Lovelace<"), std::string::npos);
  EXPECT_NE(svg.find(">(Analytical Engines Ltd)<"), std::string::npos);
  EXPECT_NE(svg.find(">attended<"), std::string::npos);
  EXPECT_NE(svg.find(">Opening keynote<"), std::string::npos);
  EXPECT_NE(svg.find(">on 29 November 2026<"), std::string::npos);
  EXPECT_NE(svg.find(">Registration r_abcdefghijklmnopqrstuvwxyz<"), std::string::npos);
  EXPECT_NE(svg.find("viewBox=\"0 0 1123 794\""), std::string::npos);  // A4 landscape
  EXPECT_EQ(svg.back(), '\n');
}

TEST(CertificateSvg, NoAffiliationNoParentheses) {
  CertificateFields f = sample();
  f.affiliation.clear();
  const std::string svg = renderCertificateSvg(f);
  EXPECT_EQ(svg.find(">("), std::string::npos);
  EXPECT_NE(svg.find(">Ada Lovelace<"), std::string::npos);
}

TEST(CertificateSvg, Deterministic) {
  EXPECT_EQ(renderCertificateSvg(sample()), renderCertificateSvg(sample()));
  CertificateFields other = sample();
  other.name = "Grace Hopper";
  EXPECT_NE(renderCertificateSvg(sample()), renderCertificateSvg(other));
}

TEST(CertificateSvg, NoExternalReferencesGenericFonts) {
  const std::string svg = renderCertificateSvg(sample());
  // The only URL is the SVG namespace.
  EXPECT_EQ(countOf(svg, "http"), 1u);
  EXPECT_NE(svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_EQ(svg.find("href"), std::string::npos);
  EXPECT_EQ(svg.find("url("), std::string::npos);
  EXPECT_EQ(svg.find("@import"), std::string::npos);
  EXPECT_EQ(svg.find("<image"), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<style"), std::string::npos);
  EXPECT_NE(svg.find("serif\""), std::string::npos);
  EXPECT_NE(svg.find("sans-serif\""), std::string::npos);
}

TEST(CertificateSvg, XmlEscapeEntitiesAndControls) {
  EXPECT_EQ(xmlEscape("a & b < c > d \" e ' f"), "a &amp; b &lt; c &gt; d &quot; e &apos; f");
  EXPECT_EQ(xmlEscape("A\x01\tB\nC\rD\x7F" "E\x1B[31m"), "ABCDE[31m");
  EXPECT_EQ(xmlEscape(std::string("nul\0byte", 8)), "nulbyte");
  EXPECT_EQ(xmlEscape("\xC2\x85next-line"), "next-line");           // C1 control U+0085
  EXPECT_EQ(xmlEscape("Zo\xC3\xAB \xE5\xB1\xB1\xE7\x94\xB0 \xF0\x9F\x8E\x89"),
            "Zo\xC3\xAB \xE5\xB1\xB1\xE7\x94\xB0 \xF0\x9F\x8E\x89");   // valid UTF-8 kept
  EXPECT_EQ(xmlEscape("\xEF\xBF\xBF"), "");                          // U+FFFF: not XML
  EXPECT_EQ(xmlEscape("bad\xFF"), "bad\xEF\xBF\xBD");                // malformed → U+FFFD
  EXPECT_EQ(xmlEscape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");      // overlong '/'
  EXPECT_EQ(xmlEscape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(xmlEscape("cut\xE5\xB1"), "cut\xEF\xBF\xBD\xEF\xBF\xBD");  // truncated sequence
  EXPECT_EQ(xmlEscape("&amp;"), "&amp;amp;");                        // no double-decoding
}

TEST(CertificateSvg, HostileInputsAreEscapedAndParse) {
  CertificateFields f = sample();
  f.name = "<script>alert(\"pwned\")</script> & 'Bobby' \x01\x1F</text><text>";
  f.affiliation = "]]><!ENTITY x \"y\"> <![CDATA[";
  f.conference = "Conf <b>&amp;</b>";
  f.session_title = "A \"quoted\" <session> & more";
  f.registration_id = "r_<id>";
  f.date = "1 <January> 2026";
  const std::string svg = renderCertificateSvg(f);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_EQ(svg.find("<!ENTITY"), std::string::npos);
  EXPECT_EQ(svg.find("<![CDATA["), std::string::npos);
  EXPECT_EQ(svg.find("<session>"), std::string::npos);
  EXPECT_EQ(svg.find('\x01'), std::string::npos);
  EXPECT_EQ(svg.find('\x1F'), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &apos;Bobby&apos; "
                     "&lt;/text&gt;&lt;text&gt;"),
            std::string::npos);
  // Every '<' in the document opens one of the renderer's own elements.
  size_t tags = 0;
  for (size_t pos = svg.find('<'); pos != std::string::npos; pos = svg.find('<', pos + 1)) {
    const std::string rest = svg.substr(pos + 1, 9);
    const bool ours = rest.rfind("?xml", 0) == 0 || rest.rfind("svg", 0) == 0 ||
                      rest.rfind("/svg", 0) == 0 || rest.rfind("title", 0) == 0 ||
                      rest.rfind("/title", 0) == 0 || rest.rfind("rect", 0) == 0 ||
                      rest.rfind("polygon", 0) == 0 || rest.rfind("line", 0) == 0 ||
                      rest.rfind("circle", 0) == 0 || rest.rfind("text ", 0) == 0 ||
                      rest.rfind("/text>", 0) == 0;
    EXPECT_TRUE(ours) << "unexpected markup at " << pos << ": " << svg.substr(pos, 20);
    ++tags;
  }
  EXPECT_GT(tags, 10u);

  // A real XML parser reads it back, and the texts are the inputs (controls dropped).
  const std::string texts = parseWithPython(svg);
  EXPECT_NE(texts.find("<script>alert(\"pwned\")</script> & 'Bobby' </text><text>"), std::string::npos)
      << texts;
  EXPECT_NE(texts.find("(]]><!ENTITY x \"y\"> <![CDATA[)"), std::string::npos) << texts;
  EXPECT_NE(texts.find("Conf <b>&amp;</b>"), std::string::npos) << texts;
  EXPECT_NE(texts.find("A \"quoted\" <session> & more"), std::string::npos) << texts;
  EXPECT_NE(texts.find("Registration r_<id>"), std::string::npos) << texts;
}

TEST(CertificateSvg, UnicodeAndMalformedBytesParse) {
  CertificateFields f = sample();
  f.name = "Zo\xC3\xAB \xE5\xB1\xB1\xE7\x94\xB0 \xF0\x9F\x8E\x89";
  f.affiliation = "Universit\xC3\xA9 \xFF\xFE broken";
  const std::string svg = renderCertificateSvg(f);
  const std::string texts = parseWithPython(svg);
  EXPECT_NE(texts.find(f.name), std::string::npos) << texts;
  EXPECT_NE(texts.find("(Universit\xC3\xA9 \xEF\xBF\xBD\xEF\xBF\xBD broken)"), std::string::npos)
      << texts;
}

TEST(CertificateSvg, LongNamesShrink) {
  CertificateFields f = sample();
  f.name = std::string(100, 'W');
  const std::string long_svg = renderCertificateSvg(f);
  EXPECT_NE(long_svg.find("font-size=\"20\" font-weight=\"bold\""),
            std::string::npos);
  EXPECT_NE(renderCertificateSvg(sample()).find("font-size=\"54\" font-weight=\"bold\""),
            std::string::npos);
  parseWithPython(long_svg);
}

}  // namespace
}  // namespace edge::registration
