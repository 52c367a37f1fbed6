#include "origin/registration/certificate_svg.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edge::registration {
namespace {

// A4 landscape at 96 px per inch: 297 mm × 210 mm.
constexpr int kWidth = 1123;
constexpr int kHeight = 794;
constexpr int kCenterX = kWidth / 2;

// Decodes one UTF-8 sequence at `s[i]`; returns its length (0 when malformed: overlong,
// surrogate, above U+10FFFF, truncated or a stray continuation byte).
size_t decodeUtf8(std::string_view s, size_t i, uint32_t& cp) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  size_t len = 0;
  uint32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1Fu, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0Fu, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    const uint8_t b = byte(i + k);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// Characters XML 1.0 does not allow, or that have no business on a certificate: C0 and C1
// controls, DEL, and the non-characters U+FFFE / U+FFFF.
bool dropped(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF;
}

// Counts code points, the unit the layout sizes the attendee's name by.
size_t codePoints(std::string_view s) {
  size_t n = 0;
  for (const char c : s)
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

// Character data and attribute values alike: & < > " ' as entities, controls dropped, malformed
// UTF-8 bytes replaced by U+FFFD, valid UTF-8 copied as is.
std::string xmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  size_t i = 0;
  while (i < text.size()) {
    uint32_t cp = 0;
    const size_t len = decodeUtf8(text, i, cp);
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        if (!dropped(cp)) out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

namespace {

struct TextStyle {
  const char* family;  // generic families only: no font files, no external references
  int size;
  const char* fill;
  const char* weight = "normal";
  const char* style = "normal";
  int letter_spacing = 0;
};

void text(std::string& out, int y, const TextStyle& st, std::string_view escaped_content) {
  out += "  <text x=\"" + std::to_string(kCenterX) + "\" y=\"" + std::to_string(y) +
         "\" text-anchor=\"middle\" font-family=\"" + st.family + "\" font-size=\"" +
         std::to_string(st.size) + "\" font-weight=\"" + st.weight + "\" font-style=\"" + st.style +
         "\" fill=\"" + st.fill + "\"";
  if (st.letter_spacing != 0) out += " letter-spacing=\"" + std::to_string(st.letter_spacing) + "\"";
  out += ">";
  out.append(escaped_content);
  out += "</text>\n";
}

// The attendee's name shrinks with its length so that 100 characters still fit the page.
int nameFontSize(std::string_view name) {
  const size_t n = codePoints(name);
  if (n <= 24) return 54;
  if (n <= 40) return 42;
  if (n <= 60) return 30;
  return 20;
}

int lineFontSize(std::string_view line, int normal) {
  const size_t n = codePoints(line);
  if (n <= 60) return normal;
  if (n <= 90) return normal * 3 / 4;
  return normal / 2;
}

void frame(std::string& out) {
  out +=
      "  <rect x=\"0\" y=\"0\" width=\"1123\" height=\"794\" fill=\"#fbf8f0\"/>\n"
      "  <rect x=\"28\" y=\"28\" width=\"1067\" height=\"738\" fill=\"none\" stroke=\"#1f3a5f\" "
      "stroke-width=\"6\"/>\n"
      "  <rect x=\"44\" y=\"44\" width=\"1035\" height=\"706\" fill=\"none\" stroke=\"#b08d3c\" "
      "stroke-width=\"2\"/>\n";
  // Corner ornaments: a small diamond in each corner between the two frames.
  const int corners[4][2] = {{44, 44}, {1079, 44}, {44, 750}, {1079, 750}};
  for (const auto& c : corners) {
    const std::string x = std::to_string(c[0]), y = std::to_string(c[1]);
    const std::string xl = std::to_string(c[0] - 10), xr = std::to_string(c[0] + 10);
    const std::string yt = std::to_string(c[1] - 10), yb = std::to_string(c[1] + 10);
    out += "  <polygon points=\"" + x + "," + yt + " " + xr + "," + y + " " + x + "," + yb + " " +
           xl + "," + y + "\" fill=\"#b08d3c\"/>\n";
  }
  // A rule under the title and a seal at the bottom centre.
  out +=
      "  <line x1=\"381\" y1=\"178\" x2=\"742\" y2=\"178\" stroke=\"#b08d3c\" stroke-width=\"2\"/>\n"
      "  <circle cx=\"561\" cy=\"640\" r=\"38\" fill=\"#1f3a5f\"/>\n"
      "  <circle cx=\"561\" cy=\"640\" r=\"31\" fill=\"none\" stroke=\"#e8d9a8\" "
      "stroke-width=\"2\"/>\n"
      "  <polygon points=\"561,618 567,634 584,634 570,644 575,661 561,651 547,661 552,644 "
      "538,634 555,634\" fill=\"#e8d9a8\"/>\n";
}

}  // namespace

std::string renderCertificateSvg(const CertificateFields& f) {
  constexpr const char* kSerif = "Georgia, 'Times New Roman', serif";
  constexpr const char* kSans = "'Helvetica Neue', Arial, sans-serif";
  constexpr const char* kInk = "#1f2933";
  constexpr const char* kNavy = "#1f3a5f";
  constexpr const char* kMuted = "#52606d";

  const std::string name = xmlEscape(f.name);
  const std::string affiliation = xmlEscape(f.affiliation);
  const std::string conference = xmlEscape(f.conference);
  const std::string session = xmlEscape(f.session_title);
  const std::string date = xmlEscape(f.date);
  const std::string id = xmlEscape(f.registration_id);

  std::string out;
  out.reserve(4096);
  out +=
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"297mm\" height=\"210mm\" "
      "viewBox=\"0 0 1123 794\" role=\"img\" aria-labelledby=\"cert-title\">\n";
  out += "  <title id=\"cert-title\">Certificate of Attendance: " + name + "</title>\n";
  frame(out);
  text(out, 130, {kSerif, 50, kNavy, "bold", "normal", 2}, "Certificate of Attendance");
  text(out, 222, {kSans, lineFontSize(f.conference, 28), kMuted, "normal", "normal", 3},
       conference);
  text(out, 290, {kSerif, 24, kInk, "normal", "italic"}, "This certifies that");
  text(out, 372, {kSerif, nameFontSize(f.name), kNavy, "bold"}, name);
  if (!f.affiliation.empty())
    text(out, 418, {kSans, lineFontSize(f.affiliation, 22), kMuted}, "(" + affiliation + ")");
  text(out, 474, {kSerif, 24, kInk, "normal", "italic"}, "attended");
  text(out, 526, {kSerif, lineFontSize(f.session_title, 32), kInk, "bold"}, session);
  text(out, 574, {kSans, 20, kMuted}, "on " + date);
  text(out, 740, {kSans, 12, "#7b8794", "normal", "normal", 1}, "Registration " + id);
  out += "</svg>\n";
  return out;
}

}  // namespace edge::registration
