#include "origin/s3/s3_xml.h"

#include <cstdio>

namespace edge::s3 {

void appendXmlEscaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "&#x%X;", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
}

std::string xmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  appendXmlEscaped(out, text);
  return out;
}

XmlWriter::XmlWriter() {
  out_.reserve(512);
  out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
}

void XmlWriter::open(std::string_view name, std::string_view xmlns) {
  out_ += '<';
  out_ += name;
  if (!xmlns.empty()) {
    out_ += " xmlns=\"";
    out_ += xmlns;
    out_ += '"';
  }
  out_ += '>';
}

void XmlWriter::close(std::string_view name) {
  out_ += "</";
  out_ += name;
  out_ += '>';
}

void XmlWriter::element(std::string_view name, std::string_view text) {
  open(name);
  appendXmlEscaped(out_, text);
  close(name);
}

void XmlWriter::element(std::string_view name, uint64_t value) { element(name, std::to_string(value)); }

void XmlWriter::boolElement(std::string_view name, bool value) { element(name, value ? "true" : "false"); }

const XmlElement* XmlElement::child(std::string_view n) const {
  for (const auto& c : children) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

namespace {

constexpr int kMaxDepth = 32;

bool isNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.' || c == ':' || static_cast<unsigned char>(c) >= 0x80;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view doc) : s_(doc) {}

  tl::expected<XmlElement, std::string> document() {
    skipMisc();
    if (!startsWith("<") || startsWith("</")) return fail("expected the root element");
    XmlElement root;
    if (auto e = element(root, 0); !e) return tl::make_unexpected(e.error());
    skipMisc();
    if (pos_ != s_.size()) return fail("content after the root element");
    return root;
  }

 private:
  tl::unexpected<std::string> fail(std::string_view what) const {
    return tl::make_unexpected(std::string(what) + " at offset " + std::to_string(pos_));
  }
  bool startsWith(std::string_view p) const { return s_.substr(pos_, p.size()) == p; }
  void skipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }
  // Whitespace, the XML declaration / processing instructions and comments.
  void skipMisc() {
    for (;;) {
      skipSpace();
      if (startsWith("<?")) {
        const size_t end = s_.find("?>", pos_);
        pos_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else if (startsWith("<!--")) {
        const size_t end = s_.find("-->", pos_);
        pos_ = end == std::string_view::npos ? s_.size() : end + 3;
      } else {
        return;
      }
    }
  }
  std::string name() {
    const size_t start = pos_;
    while (pos_ < s_.size() && isNameChar(s_[pos_])) ++pos_;
    return std::string(s_.substr(start, pos_ - start));
  }
  static std::string localName(const std::string& qname) {
    const size_t colon = qname.rfind(':');
    return colon == std::string::npos ? qname : qname.substr(colon + 1);
  }
  tl::expected<void, std::string> reference(std::string& out) {
    const size_t semi = s_.find(';', pos_);
    if (semi == std::string_view::npos || semi - pos_ > 12) return fail("bad entity reference");
    const std::string_view ref = s_.substr(pos_ + 1, semi - pos_ - 1);
    pos_ = semi + 1;
    if (ref == "amp") out += '&';
    else if (ref == "lt") out += '<';
    else if (ref == "gt") out += '>';
    else if (ref == "quot") out += '"';
    else if (ref == "apos") out += '\'';
    else if (ref.size() >= 2 && ref[0] == '#') {
      const bool hex = ref[1] == 'x';
      const std::string_view digits = ref.substr(hex ? 2 : 1);
      if (digits.empty()) return fail("bad character reference");
      uint32_t cp = 0;
      for (const char c : digits) {
        int v = -1;
        if (c >= '0' && c <= '9') v = c - '0';
        else if (hex && c >= 'a' && c <= 'f') v = c - 'a' + 10;
        else if (hex && c >= 'A' && c <= 'F') v = c - 'A' + 10;
        if (v < 0) return fail("bad character reference");
        cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
        if (cp > 0x10FFFF) return fail("character reference out of range");
      }
      if (cp == 0) return fail("character reference to NUL");
      appendUtf8(out, cp);
    } else {
      return fail("unknown entity");
    }
    return {};
  }
  // At '<' of a start tag.
  tl::expected<void, std::string> element(XmlElement& el, int depth) {
    if (depth >= kMaxDepth) return fail("elements nested too deeply");
    ++pos_;
    const std::string qname = name();
    if (qname.empty()) return fail("expected an element name");
    el.name = localName(qname);
    // Attributes: name="value" or name='value', ignored.
    for (;;) {
      skipSpace();
      if (pos_ >= s_.size()) return fail("unterminated start tag");
      if (startsWith("/>")) {
        pos_ += 2;
        return {};
      }
      if (s_[pos_] == '>') {
        ++pos_;
        break;
      }
      if (name().empty()) return fail("bad attribute");
      skipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '=') return fail("attribute without value");
      ++pos_;
      skipSpace();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) return fail("unquoted attribute");
      const size_t end = s_.find(s_[pos_], pos_ + 1);
      if (end == std::string_view::npos) return fail("unterminated attribute");
      pos_ = end + 1;
    }
    // Content.
    for (;;) {
      if (pos_ >= s_.size()) return fail("unterminated element <" + el.name + ">");
      const char c = s_[pos_];
      if (c == '&') {
        if (auto r = reference(el.text); !r) return r;
      } else if (c != '<') {
        el.text += c;
        ++pos_;
      } else if (startsWith("</")) {
        pos_ += 2;
        const std::string end_name = name();
        skipSpace();
        if (end_name != qname || pos_ >= s_.size() || s_[pos_] != '>') return fail("mismatched end tag");
        ++pos_;
        return {};
      } else if (startsWith("<!--")) {
        const size_t end = s_.find("-->", pos_);
        if (end == std::string_view::npos) return fail("unterminated comment");
        pos_ = end + 3;
      } else if (startsWith("<?")) {
        const size_t end = s_.find("?>", pos_);
        if (end == std::string_view::npos) return fail("unterminated processing instruction");
        pos_ = end + 2;
      } else if (startsWith("<!")) {
        return fail("DTDs and CDATA are not accepted");
      } else {
        el.children.emplace_back();
        if (auto r = element(el.children.back(), depth + 1); !r) return r;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

tl::expected<XmlElement, std::string> parseXml(std::string_view doc) { return Parser(doc).document(); }

}  // namespace edge::s3
