// XML for the bundled S3 server: a small writer for S3's response documents (escaping text the
// way S3 does) and a small reader for the request documents S3 accepts (Delete,
// VersioningConfiguration, CreateBucketConfiguration). The reader handles elements, text,
// character references and the five predefined entities, the XML declaration, comments and
// attributes (ignored); namespace prefixes are dropped from names. No DTDs (refused), no
// CDATA (refused). Pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace edge::s3 {

inline constexpr std::string_view kS3Xmlns = "http://s3.amazonaws.com/doc/2006-03-01/";

// Appends `text` escaped for XML character data and attribute values: & < > " ' become entity
// references; TAB, LF and CR become &#9; &#10; &#13; (S3 does the same so that keys survive
// line-ending normalisation); other control bytes become &#xNN;.
void appendXmlEscaped(std::string& out, std::string_view text);
std::string xmlEscape(std::string_view text);

// Builds one document, starting with S3's `<?xml version="1.0" encoding="UTF-8"?>` line.
class XmlWriter {
 public:
  XmlWriter();
  // <name> or <name xmlns="…">.
  void open(std::string_view name, std::string_view xmlns = {});
  void close(std::string_view name);
  // <name>escaped text</name>; an empty text gives <name></name>.
  void element(std::string_view name, std::string_view text);
  void element(std::string_view name, uint64_t value);
  void boolElement(std::string_view name, bool value);  // "true" / "false"
  void text(std::string_view t) { appendXmlEscaped(out_, t); }  // escaped character data
  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

struct XmlElement {
  std::string name;  // local name (prefix dropped)
  std::string text;  // character data directly inside, entities resolved
  std::vector<XmlElement> children;
  // The first child named `name`, or nullptr.
  const XmlElement* child(std::string_view name) const;
};

// Parses a whole document (one root element). The error says what is wrong and where.
// Limits: depth ≤ 32, size given by the caller.
tl::expected<XmlElement, std::string> parseXml(std::string_view doc);

}  // namespace edge::s3
