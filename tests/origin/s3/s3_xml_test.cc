#include "origin/s3/s3_xml.h"

#include <gtest/gtest.h>

#include "origin/s3/s3_documents.h"
#include "origin/s3/s3_errors.h"

namespace edge::s3 {
namespace {

constexpr std::string_view kDecl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

TEST(S3Xml, EscapesText) {
  EXPECT_EQ(xmlEscape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
  EXPECT_EQ(xmlEscape("line\r\nnext\ttab"), "line&#13;&#10;next&#9;tab");
  EXPECT_EQ(xmlEscape(std::string("\x01", 1)), "&#x1;");
  EXPECT_EQ(xmlEscape("caf\xC3\xA9 \xE2\x82\xAC"), "caf\xC3\xA9 \xE2\x82\xAC");  // UTF-8 untouched
}

TEST(S3Xml, ErrorBodyIsS3s) {
  const std::string body =
      renderErrorXml(Failure(S3Error::NoSuchKey).with("Key", "a&b<c>.txt"), "REQ1", "HOST1");
  EXPECT_EQ(body, std::string(kDecl) +
                      "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
                      "<Key>a&amp;b&lt;c&gt;.txt</Key><RequestId>REQ1</RequestId><HostId>HOST1</HostId></Error>");
}

TEST(S3Errors, StatusAndMessages) {
  struct E {
    S3Error e;
    int status;
    std::string_view code, message;
  };
  const E table[] = {
      {S3Error::AccessDenied, 403, "AccessDenied", "Access Denied"},
      {S3Error::NoSuchBucket, 404, "NoSuchBucket", "The specified bucket does not exist."},
      {S3Error::NoSuchVersion, 404, "NoSuchVersion", "The specified version does not exist."},
      {S3Error::InvalidRange, 416, "InvalidRange", "The requested range is not satisfiable"},
      {S3Error::PreconditionFailed, 412, "PreconditionFailed",
       "At least one of the preconditions you specified did not hold."},
      {S3Error::MethodNotAllowed, 405, "MethodNotAllowed", "The specified method is not allowed against this resource."},
      {S3Error::BucketNotEmpty, 409, "BucketNotEmpty", "The bucket you tried to delete is not empty."},
      {S3Error::BadDigest, 400, "BadDigest", "The Content-MD5 you specified did not match what we received."},
      {S3Error::EntityTooLarge, 400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size."},
      {S3Error::NotImplemented, 501, "NotImplemented",
       "A header you provided implies functionality that is not implemented."},
      {S3Error::MalformedXML, 400, "MalformedXML",
       "The XML you provided was not well-formed or did not validate against our published schema."},
  };
  for (const auto& row : table) {
    EXPECT_EQ(httpStatus(row.e), row.status) << row.code;
    EXPECT_EQ(toString(row.e), row.code);
    EXPECT_EQ(message(row.e), row.message);
  }
  EXPECT_EQ(fromStoreError(StoreError::NoSuchKey), S3Error::NoSuchKey);
  EXPECT_EQ(fromStoreError(StoreError::BucketNotEmpty), S3Error::BucketNotEmpty);
}

TEST(S3Xml, ParsesDeleteDocument) {
  auto doc = parseXml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->"
      "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
      "<Object><Key>a&amp;b&lt;&#x20AC;&#65;</Key></Object>"
      "<Object><Key>k2</Key><VersionId>v2</VersionId></Object><ns:Object/></Delete>  ");
  ASSERT_TRUE(doc) << doc.error();
  EXPECT_EQ(doc->name, "Delete");
  ASSERT_NE(doc->child("Quiet"), nullptr);
  EXPECT_EQ(doc->child("Quiet")->text, "true");
  ASSERT_EQ(doc->children.size(), 4u);
  EXPECT_EQ(doc->children[1].child("Key")->text, "a&b<\xE2\x82\xAC" "A");
  EXPECT_EQ(doc->children[2].child("VersionId")->text, "v2");
  EXPECT_EQ(doc->children[3].name, "Object");
}

TEST(S3Xml, RejectsMalformed) {
  for (const char* bad : {"", "text", "<a>", "<a></b>", "<a>&bogus;</a>", "<a></a><b/>", "<a x=1/>",
                          "<!DOCTYPE a><a/>", "<a><![CDATA[x]]></a>", "<a>&#0;</a>", "<a>&#x110000;</a>"}) {
    EXPECT_FALSE(parseXml(bad)) << bad;
  }
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<a>";
  for (int i = 0; i < 40; ++i) deep += "</a>";
  EXPECT_FALSE(parseXml(deep));
}

ObjectVersion object(std::string key, uint64_t size) {
  ObjectVersion v;
  v.key = std::move(key);
  v.version_id = "null";
  v.size = size;
  v.etag = "\"0123456789abcdef0123456789abcdef\"";
  v.last_modified_ms = 1764417600123;  // 2025-11-29T12:00:00.123Z
  return v;
}

TEST(S3Documents, ListV2EscapesKeys) {
  ListEcho e;
  e.bucket = "site";
  e.prefix = "dir/";
  e.delimiter = "/";
  e.max_keys = 2;
  ListResult r;
  r.contents = {object("dir/a&b <c>.txt", 5)};
  r.common_prefixes = {"dir/sub/"};
  r.truncated = true;
  e.next_continuation_token = makeContinuationToken("dir/sub/");
  const std::string xml = renderListObjectsV2(e, r);
  EXPECT_EQ(xml, std::string(kDecl) +
                     "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>site</Name>"
                     "<Prefix>dir/</Prefix><Delimiter>/</Delimiter><MaxKeys>2</MaxKeys><KeyCount>2</KeyCount>"
                     "<IsTruncated>true</IsTruncated><NextContinuationToken>ZGlyL3N1Yi8=</NextContinuationToken>"
                     "<Contents><Key>dir/a&amp;b &lt;c&gt;.txt</Key>"
                     "<LastModified>2025-11-29T12:00:00.123Z</LastModified>"
                     "<ETag>&quot;0123456789abcdef0123456789abcdef&quot;</ETag><Size>5</Size>"
                     "<StorageClass>STANDARD</StorageClass></Contents>"
                     "<CommonPrefixes><Prefix>dir/sub/</Prefix></CommonPrefixes></ListBucketResult>");
}

TEST(S3Documents, ListV2UrlEncoding) {
  ListEcho e;
  e.bucket = "site";
  e.prefix = "d ir/";
  e.delimiter = "/";
  e.url_encoding = true;
  e.start_after = "d ir/+";
  ListResult r;
  r.contents = {object("d ir/caf\xC3\xA9 & more+.txt", 1)};
  r.common_prefixes = {"d ir/x y/"};
  const std::string xml = renderListObjectsV2(e, r);
  EXPECT_NE(xml.find("<Prefix>d%20ir/</Prefix>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<EncodingType>url</EncodingType>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<StartAfter>d%20ir/%2B</StartAfter>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<Key>d%20ir/caf%C3%A9%20%26%20more%2B.txt</Key>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<CommonPrefixes><Prefix>d%20ir/x%20y/</Prefix></CommonPrefixes>"), std::string::npos) << xml;
  EXPECT_EQ(xml.find("IsTruncated>true"), std::string::npos);
}

TEST(S3Documents, ListVersionsHasMarkersAndDeleteMarkers) {
  ListEcho e;
  e.bucket = "site";
  VersionListResult r;
  ObjectVersion marker = object("index.html", 0);
  marker.delete_marker = true;
  marker.is_latest = true;
  marker.version_id = "v2";
  ObjectVersion old = object("index.html", 10);
  old.version_id = "v1";
  r.versions = {marker, old};
  r.truncated = true;
  r.next_key_marker = "index.html";
  r.next_version_id_marker = "v1";
  const std::string xml = renderListVersions(e, r);
  EXPECT_NE(xml.find("<DeleteMarker><Key>index.html</Key><VersionId>v2</VersionId><IsLatest>true</IsLatest>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<Version><Key>index.html</Key><VersionId>v1</VersionId><IsLatest>false</IsLatest>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<NextKeyMarker>index.html</NextKeyMarker><NextVersionIdMarker>v1</NextVersionIdMarker>"),
            std::string::npos)
      << xml;
  EXPECT_LT(xml.find("<DeleteMarker>"), xml.find("<Version>"));
}

TEST(S3Documents, DeleteResultQuietShowsOnlyErrors) {
  std::vector<DeleteOutcome> o(2);
  o[0].key = "a<b";
  o[0].delete_marker = true;
  o[0].delete_marker_version_id = "m1";
  o[1].key = "c";
  o[1].ok = false;
  o[1].error_code = "AccessDenied";
  o[1].error_message = "Access Denied";
  const std::string loud = renderDeleteResult(o, false);
  EXPECT_NE(loud.find("<Deleted><Key>a&lt;b</Key><DeleteMarker>true</DeleteMarker>"
                      "<DeleteMarkerVersionId>m1</DeleteMarkerVersionId></Deleted>"),
            std::string::npos)
      << loud;
  const std::string quiet = renderDeleteResult(o, true);
  EXPECT_EQ(quiet.find("<Deleted>"), std::string::npos);
  EXPECT_NE(quiet.find("<Error><Key>c</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"),
            std::string::npos);
}

TEST(S3Documents, SmallDocuments) {
  EXPECT_EQ(renderLocation("us-east-1"), std::string(kDecl) +
                                             "<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                                             "</LocationConstraint>");
  EXPECT_NE(renderLocation("eu-west-1").find(">eu-west-1</LocationConstraint>"), std::string::npos);
  EXPECT_EQ(renderVersioning(Versioning::Unversioned).find("<Status>"), std::string::npos);
  EXPECT_NE(renderVersioning(Versioning::Suspended).find("<Status>Suspended</Status>"), std::string::npos);
  EXPECT_EQ(formatIso8601(0), "1970-01-01T00:00:00.000Z");
}

TEST(S3Documents, ContinuationTokenRoundTrip) {
  for (std::string_view s : {"a", "ab", "abc", "dir/caf\xC3\xA9 & <x>", ""}) {
    if (s.empty()) continue;
    auto back = parseContinuationToken(makeContinuationToken(s));
    ASSERT_TRUE(back) << s;
    EXPECT_EQ(*back, s);
  }
  EXPECT_FALSE(parseContinuationToken("not a token!"));
  EXPECT_FALSE(parseContinuationToken(""));
}

}  // namespace
}  // namespace edge::s3
