// Standard access logs (cloudfront-behavior.md §10, issue 9 item 1): edged writes Edge.AccessLog
// with the #Version/#Fields header and one 33-field line per request; the tests parse the file
// back and check the fields against the requests made. Also: SIGHUP reopens the file (the
// logrotate way), size rotation (Edge.AccessLogMaxBytes), and nothing lost on SIGTERM.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "support/harness.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

const char* const kFieldNames[] = {
    "date", "time", "x-edge-location", "sc-bytes", "c-ip", "cs-method", "cs(Host)",
    "cs-uri-stem", "sc-status", "cs(Referer)", "cs(User-Agent)", "cs-uri-query", "cs(Cookie)",
    "x-edge-result-type", "x-edge-request-id", "x-host-header", "cs-protocol", "cs-bytes",
    "time-taken", "x-forwarded-for", "ssl-protocol", "ssl-cipher", "x-edge-response-result-type",
    "cs-protocol-version", "fle-status", "fle-encrypted-fields", "c-port", "time-to-first-byte",
    "x-edge-detailed-result-type", "sc-content-type", "sc-content-len", "sc-range-start",
    "sc-range-end"};

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

// One parsed log line: field name → value.
using LogLine = std::map<std::string, std::string>;

// Parses a log file: checks the two header lines (the #Fields line names the 33 fields in
// order) and that every other line has 33 tab-separated fields.
std::vector<LogLine> parseLog(const std::string& text) {
  std::vector<LogLine> out;
  auto lines = split(text, '\n');
  EXPECT_GE(lines.size(), 3u) << text;
  if (lines.size() < 3) return out;
  EXPECT_EQ(lines[0], "#Version: 1.0");
  std::string fields_line = "#Fields:";
  for (const char* f : kFieldNames) fields_line += std::string(" ") + f;
  EXPECT_EQ(lines[1], fields_line);
  EXPECT_EQ(lines.back(), "") << "the file ends with a newline";
  for (size_t i = 2; i + 1 < lines.size(); ++i) {
    const auto f = split(lines[i], '\t');
    EXPECT_EQ(f.size(), 33u) << lines[i];
    if (f.size() != 33) continue;
    LogLine l;
    for (size_t k = 0; k < 33; ++k) l[kFieldNames[k]] = f[k];
    out.push_back(std::move(l));
  }
  return out;
}

const LogLine* byId(const std::vector<LogLine>& lines, const std::string& id) {
  for (const auto& l : lines) {
    if (l.at("x-edge-request-id") == id) return &l;
  }
  return nullptr;
}

std::string cfId(const HttpResponse& r) { return r.headers.get("X-Amz-Cf-Id").value_or("(none)"); }

Json logConfig(const std::string& path) {
  Json cfg = cachingConfig();
  cfg["Edge"]["AccessLog"] = path;
  return cfg;
}

size_t countLines(const std::string& text) {
  size_t n = 0;
  for (const auto& l : split(text, '\n')) {
    if (!l.empty() && l[0] != '#') ++n;
  }
  return n;
}

TEST(AccessLog, FieldsMatchTheRequestsMade) {
  TestOrigin origin;
  TempDir dir;
  const std::string log = dir.file("access.log");
  Edged edged(logConfig(log), origin.port());
  Http http;
  const HttpResponse miss = http.get(edged.url("/size/100"));
  const HttpResponse hit = http.get(edged.url("/size/100"));
  const HttpResponse range = http.get(edged.url("/size/100"), {"Range: bytes=10-19"});
  const HttpResponse not_found = http.get(edged.url("/status/404"));
  const HttpResponse query = http.get(
      edged.url("/size/10?b=x%20y&a=1"),
      {"User-Agent: Mozilla/5.0 (X11; Linux x86_64) Test\"Agent", "Referer: http://ref.test/p",
       "X-Forwarded-For: 198.51.100.7", "Host: alias.example.com"});
  const HttpResponse bad_origin = http.get(edged.url("/bad-status"));
  ASSERT_EQ(miss.status, 200) << miss;
  ASSERT_EQ(hit.status, 200) << hit;
  ASSERT_EQ(range.status, 206) << range;
  ASSERT_EQ(not_found.status, 404) << not_found;
  ASSERT_EQ(query.status, 200) << query;
  ASSERT_EQ(bad_origin.status, 502) << bad_origin;
  EXPECT_EQ(edged.stop(SIGTERM), 0);

  const auto lines = parseLog(readFile(log));
  ASSERT_EQ(lines.size(), 6u) << readFile(log);

  const LogLine* m = byId(lines, cfId(miss));
  ASSERT_NE(m, nullptr) << cfId(miss) << "\n" << readFile(log);
  const LogLine& l = *m;
  EXPECT_EQ(l.at("date").size(), 10u);
  EXPECT_EQ(l.at("time").size(), 8u);
  EXPECT_EQ(l.at("x-edge-location"), miss.headers.get("X-Amz-Cf-Pop").value_or("?"));
  EXPECT_GT(std::stoull(l.at("sc-bytes")), 100u);  // head and body
  EXPECT_EQ(l.at("c-ip"), "127.0.0.1");
  EXPECT_EQ(l.at("cs-method"), "GET");
  EXPECT_EQ(l.at("cs(Host)"), "d111111abcdef8.cloudfront.net");
  EXPECT_EQ(l.at("cs-uri-stem"), "/size/100");
  EXPECT_EQ(l.at("sc-status"), "200");
  EXPECT_EQ(l.at("cs(Referer)"), "-");
  EXPECT_EQ(l.at("cs-uri-query"), "-");
  EXPECT_EQ(l.at("cs(Cookie)"), "-");
  EXPECT_EQ(l.at("x-edge-result-type"), "Miss");
  EXPECT_EQ(l.at("x-host-header"), "127.0.0.1:" + std::to_string(edged.port()));
  EXPECT_EQ(l.at("cs-protocol"), "http");
  EXPECT_GT(std::stoull(l.at("cs-bytes")), 20u);
  EXPECT_EQ(l.at("x-forwarded-for"), "-");
  EXPECT_EQ(l.at("ssl-protocol"), "-");
  EXPECT_EQ(l.at("ssl-cipher"), "-");
  EXPECT_EQ(l.at("x-edge-response-result-type"), "Miss");
  EXPECT_EQ(l.at("cs-protocol-version"), "HTTP/1.1");
  EXPECT_EQ(l.at("fle-status"), "-");
  EXPECT_EQ(l.at("fle-encrypted-fields"), "-");
  EXPECT_GT(std::stoi(l.at("c-port")), 0);
  EXPECT_EQ(l.at("x-edge-detailed-result-type"), "Miss");
  EXPECT_EQ(l.at("sc-content-type"), miss.headers.get("Content-Type").value_or("?"));
  EXPECT_EQ(l.at("sc-content-len"), "100");
  EXPECT_EQ(l.at("sc-range-start"), "-");
  EXPECT_EQ(l.at("sc-range-end"), "-");
  // Seconds with three decimals.
  for (const char* t : {"time-taken", "time-to-first-byte"}) {
    const std::string& v = l.at(t);
    ASSERT_GE(v.size(), 5u) << t;
    EXPECT_EQ(v[v.size() - 4], '.') << t << " " << v;
  }

  const LogLine* h = byId(lines, cfId(hit));
  ASSERT_NE(h, nullptr);
  EXPECT_EQ(h->at("x-edge-result-type"), "Hit");
  EXPECT_EQ(h->at("x-edge-response-result-type"), "Hit");
  EXPECT_EQ(h->at("x-edge-detailed-result-type"), "Hit");
  EXPECT_EQ(h->at("c-port"), l.at("c-port")) << "same keep-alive connection";

  const LogLine* r = byId(lines, cfId(range));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->at("sc-status"), "206");
  EXPECT_EQ(r->at("x-edge-result-type"), "Hit");
  EXPECT_EQ(r->at("sc-content-len"), "10");
  EXPECT_EQ(r->at("sc-range-start"), "10");
  EXPECT_EQ(r->at("sc-range-end"), "19");

  const LogLine* nf = byId(lines, cfId(not_found));
  ASSERT_NE(nf, nullptr);
  EXPECT_EQ(nf->at("sc-status"), "404");
  EXPECT_EQ(nf->at("x-edge-result-type"), "Error");
  EXPECT_EQ(nf->at("x-edge-response-result-type"), "Error");
  EXPECT_EQ(nf->at("x-edge-detailed-result-type"), "Error");

  const LogLine* q = byId(lines, cfId(query));
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->at("cs-uri-stem"), "/size/10");
  EXPECT_EQ(q->at("cs-uri-query"), "b=x%2520y&a=1");  // '%' is encoded once more (§10)
  EXPECT_EQ(q->at("cs(User-Agent)"), "Mozilla/5.0%20(X11;%20Linux%20x86_64)%20Test%22Agent");
  EXPECT_EQ(q->at("cs(Referer)"), "http://ref.test/p");
  EXPECT_EQ(q->at("x-forwarded-for"), "198.51.100.7");
  EXPECT_EQ(q->at("x-host-header"), "alias.example.com");
  EXPECT_EQ(q->at("cs(Host)"), "d111111abcdef8.cloudfront.net");
  EXPECT_EQ(q->at("sc-content-len"), "10");

  const LogLine* b = byId(lines, cfId(bad_origin));
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->at("sc-status"), "502");
  EXPECT_EQ(b->at("x-edge-result-type"), "Error");
  EXPECT_EQ(b->at("x-edge-detailed-result-type"), "OriginInvalidResponseError");
  EXPECT_EQ(b->at("sc-content-type"), "text/html");
}

TEST(AccessLog, MalformedRequestIsLoggedAsInvalidRequest) {
  TestOrigin origin;
  TempDir dir;
  const std::string log = dir.file("access.log");
  Edged edged(logConfig(log), origin.port());
  const ReadResult r = rawExchange(edged.port(), "GET /x HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n");
  EXPECT_NE(r.data.find(" 400 "), std::string::npos) << r.data;
  EXPECT_EQ(edged.stop(SIGTERM), 0);
  const auto lines = parseLog(readFile(log));
  ASSERT_EQ(lines.size(), 1u) << readFile(log);
  EXPECT_EQ(lines[0].at("sc-status"), "400");
  EXPECT_EQ(lines[0].at("x-edge-result-type"), "Error");
  EXPECT_EQ(lines[0].at("x-edge-detailed-result-type"), "InvalidRequest");
  EXPECT_NE(r.data.find(lines[0].at("x-edge-request-id")), std::string::npos);
}

TEST(AccessLog, ViewerGoneBeforeTheResponseIsStatus000) {
  TestOrigin origin;
  TempDir dir;
  const std::string log = dir.file("access.log");
  Edged edged(logConfig(log), origin.port());
  {
    RawClient c(edged.port());
    ASSERT_TRUE(c.send("GET /hang HTTP/1.1\r\nHost: a\r\n\r\n"));
    ASSERT_TRUE(waitUntil([&] { return origin.stats().path("/hang") == 1; }, Ms(3000)));
    // Reset, not FIN: edged still answers a viewer that only half-closed after its request.
    ASSERT_TRUE(c.resetOnClose());
  }  // closes
  ASSERT_TRUE(waitUntil([&] { return countLines(readFile(log)) == 1; }, Ms(3000)))
      << readFile(log);
  EXPECT_EQ(edged.stop(SIGTERM), 0);
  const auto lines = parseLog(readFile(log));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].at("sc-status"), "000");
  EXPECT_EQ(lines[0].at("cs-uri-stem"), "/hang");
  EXPECT_EQ(lines[0].at("x-edge-result-type"), "Error");
  EXPECT_EQ(lines[0].at("x-edge-detailed-result-type"), "ClientHungUpRequest");
  EXPECT_EQ(lines[0].at("sc-bytes"), "0");
  EXPECT_EQ(lines[0].at("x-edge-request-id").size(), 56u);
}

TEST(AccessLog, SighupReopensAMovedFile) {
  TestOrigin origin;
  TempDir dir;
  const std::string log = dir.file("access.log");
  Edged edged(logConfig(log), origin.port());
  Http http;
  const HttpResponse first = http.get(edged.url("/size/5"));
  ASSERT_EQ(first.status, 200);
  ASSERT_TRUE(waitUntil([&] { return countLines(readFile(log)) == 1; }, Ms(3000)));
  std::filesystem::rename(log, log + ".old");  // logrotate
  edged.signal(SIGHUP);
  ASSERT_TRUE(waitUntil([&] { return std::filesystem::exists(log); }, Ms(3000)))
      << "no new file after SIGHUP\n" << edged.stderrText();
  const HttpResponse second = http.get(edged.url("/size/6"));
  ASSERT_EQ(second.status, 200);
  EXPECT_TRUE(edged.running()) << "SIGHUP must not stop edged";
  EXPECT_EQ(edged.stop(SIGTERM), 0);

  const auto old_lines = parseLog(readFile(log + ".old"));
  ASSERT_EQ(old_lines.size(), 1u);
  EXPECT_EQ(old_lines[0].at("x-edge-request-id"), cfId(first));
  const auto new_lines = parseLog(readFile(log));
  ASSERT_EQ(new_lines.size(), 1u);
  EXPECT_EQ(new_lines[0].at("x-edge-request-id"), cfId(second));
  EXPECT_EQ(new_lines[0].at("cs-uri-stem"), "/size/6");
}

TEST(AccessLog, RotatesBySizeAndLosesNothingOnSigterm) {
  TestOrigin origin;
  TempDir dir;
  const std::string log = dir.file("access.log");
  Json cfg = logConfig(log);
  cfg["Edge"]["AccessLogMaxBytes"] = 4096;
  cfg["Edge"]["AccessLogMaxFiles"] = 20;
  EdgedOptions opts;
  opts.workers = 2;
  Edged edged(cfg, origin.port(), opts);
  Http http;
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    const HttpResponse r = http.get(edged.url("/size/" + std::to_string(i + 1)));
    ASSERT_EQ(r.status, 200) << r;
    ids.push_back(cfId(r));
  }
  EXPECT_EQ(edged.stop(SIGTERM), 0);

  std::vector<LogLine> all;
  size_t files = 0;
  for (int n = 20; n >= 0; --n) {  // oldest first
    const std::string p = n == 0 ? log : log + "." + std::to_string(n);
    if (!std::filesystem::exists(p)) continue;
    ++files;
    const std::string text = readFile(p);
    EXPECT_LE(text.size(), 4096u) << p;
    auto lines = parseLog(text);
    EXPECT_FALSE(lines.empty()) << p;
    all.insert(all.end(), lines.begin(), lines.end());
  }
  EXPECT_GE(files, 3u);
  ASSERT_EQ(all.size(), ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    EXPECT_EQ(all[i].at("x-edge-request-id"), ids[i]) << "line " << i << " in request order";
  }
}

TEST(AccessLog, SignedUrlRefusalIsLoggedAsError) {
  TestOrigin origin;
  TempDir dir;
  const std::string log = dir.file("access.log");
  const std::string pem = dir.file("key.pem");
  const CommandResult key = runCommand({"/usr/bin/openssl", "genrsa", "-out", pem, "2048"});
  const CommandResult pub = runCommand({"/usr/bin/openssl", "rsa", "-in", pem, "-pubout"});
  ASSERT_EQ(key.status, 0) << key.err;
  ASSERT_EQ(pub.status, 0) << pub.err;
  Json cfg = logConfig(log);
  cfg["PublicKeys"] = Json::array({Json{
      {"Id", "K2JCJMDEHXQW5F"},
      {"PublicKeyConfig",
       {{"CallerReference", "k"}, {"Name", "k"}, {"EncodedKey", pub.out}}}}});
  cfg["KeyGroups"] = Json::array(
      {Json{{"Id", "kg1"}, {"KeyGroupConfig", {{"Name", "kg1"}, {"Items", {"K2JCJMDEHXQW5F"}}}}}});
  Json priv = makeBehavior("/private*", "o1");
  priv["TrustedKeyGroups"] = {{"Enabled", true}, {"Quantity", 1}, {"Items", {"kg1"}}};
  addBehavior(cfg, priv);
  Edged edged(cfg, origin.port());
  Http http;
  const HttpResponse refused = http.get(edged.url("/private/doc?x=1"));
  ASSERT_EQ(refused.status, 403) << refused;
  EXPECT_EQ(edged.stop(SIGTERM), 0);
  const auto lines = parseLog(readFile(log));
  ASSERT_EQ(lines.size(), 1u) << readFile(log);
  const LogLine& l = lines[0];
  EXPECT_EQ(l.at("x-edge-request-id"), cfId(refused));
  EXPECT_EQ(l.at("sc-status"), "403");
  EXPECT_EQ(l.at("cs-uri-stem"), "/private/doc");
  EXPECT_EQ(l.at("cs-uri-query"), "x=1");
  EXPECT_EQ(l.at("x-edge-result-type"), "Error");
  EXPECT_EQ(l.at("x-edge-response-result-type"), "Error");
  EXPECT_EQ(l.at("sc-content-type"), "text/xml");
  EXPECT_EQ(l.at("sc-content-len"), std::to_string(refused.body.size()));
}

TEST(AccessLog, UnwritablePathStopsStartup) {
  TestOrigin origin;
  TempDir dir;
  Json cfg = logConfig(dir.file("no/such/dir/access.log"));
  EXPECT_THROW(Edged(cfg, origin.port()), std::runtime_error);
}

}  // namespace
}  // namespace edge::itest
