// GET /metrics on the admin listener (issue 9 item 2): a real edged with two workers serves a
// known set of requests, then the scrape is read back through the Python prometheus_client
// parser (Debian's python3-prometheus-client; a missing parser fails the test) and its counters
// are checked against the requests made, summed over both workers. The suite name starts with
// MultiWorker so it also runs under ThreadSanitizer (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "support/harness.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

// Parses the exposition text with prometheus_client and prints one line per sample,
// "name{label=value,…} value" (labels sorted), after checking each histogram's buckets are
// cumulative and end in +Inf = _count. Exits non-zero on any error.
constexpr const char* kParser = R"PY(
import sys
from prometheus_client.parser import text_string_to_metric_families
text = open(sys.argv[1]).read()
for fam in text_string_to_metric_families(text):
    print("#", fam.name, fam.type)
    if fam.type == "histogram":
        buckets = [s for s in fam.samples if s.name.endswith("_bucket")]
        values = [s.value for s in buckets]
        assert values == sorted(values), "buckets not cumulative"
        assert buckets[-1].labels["le"] == "+Inf", "no +Inf bucket"
        count = [s for s in fam.samples if s.name.endswith("_count")][0].value
        assert buckets[-1].value == count, "+Inf bucket != _count"
    for s in fam.samples:
        labels = ",".join("%s=%s" % (k, v) for k, v in sorted(s.labels.items()))
        print("%s{%s} %r" % (s.name, labels, s.value))
)PY";

struct Scrape {
  std::string text;                        // as served
  std::map<std::string, std::string> types;  // family → type, per the parser
  std::map<std::string, double> samples;     // "name{labels}" → value, per the parser

  double at(const std::string& key) const {
    auto it = samples.find(key);
    EXPECT_NE(it, samples.end()) << "no sample " << key << " in\n" << text;
    return it == samples.end() ? -1 : it->second;
  }
};

// Parses `text` with the official parser (ADD_FAILURE when it refuses it or is missing).
Scrape parse(const std::string& text) {
  Scrape s;
  s.text = text;
  TempDir dir;
  const std::string file = dir.file("metrics.txt");
  writeFile(file, text);
  const CommandResult r = runCommand({"/usr/bin/python3", "-c", kParser, file});
  EXPECT_EQ(r.status, 0) << "prometheus_client refused the text (or is not installed: "
                            "apt-get install python3-prometheus-client):\n"
                         << r.err << "\n" << text;
  std::istringstream in(r.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("# ")) {
      std::istringstream f(line.substr(2));
      std::string name, type;
      f >> name >> type;
      s.types[name] = type;
      continue;
    }
    const size_t sp = line.rfind(' ');
    if (sp == std::string::npos) continue;
    s.samples[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return s;
}

std::string req(const std::string& result, const std::string& cls) {
  return "edged_requests_total{result_type=" + result + ",status_class=" + cls + "}";
}

Json metricsConfig(const std::string& public_key_pem) {
  Json cfg = cachingConfig();
  cfg["Edge"]["AdminListen"] = "127.0.0.1:0";
  // /obj/*: Accept-Encoding gzip in the key and Compress on, so edged gzips the origin's body.
  cfg["CachePolicies"].push_back(
      {{"Id", "cp-gzip"},
       {"CachePolicyConfig",
        {{"Name", "cp-gzip"},
         {"MinTTL", 0},
         {"DefaultTTL", 60},
         {"MaxTTL", 3600},
         {"ParametersInCacheKeyAndForwardedToOrigin",
          {{"EnableAcceptEncodingGzip", true},
           {"EnableAcceptEncodingBrotli", false},
           {"HeadersConfig", {{"HeaderBehavior", "none"}}},
           {"CookiesConfig", {{"CookieBehavior", "none"}}},
           {"QueryStringsConfig", {{"QueryStringBehavior", "all"}}}}}}}});
  Json obj = makeBehavior("/obj/*", "o1");
  obj["CachePolicyId"] = "cp-gzip";
  obj.erase("OriginRequestPolicyId");
  obj["Compress"] = true;
  addBehavior(cfg, obj);
  // /private*: signed URLs required (a request without one is refused, MissingKey).
  cfg["PublicKeys"] = Json::array({Json{
      {"Id", "K2JCJMDEHXQW5F"},
      {"PublicKeyConfig",
       {{"CallerReference", "k"}, {"Name", "k"}, {"EncodedKey", public_key_pem}}}}});
  cfg["KeyGroups"] = Json::array(
      {Json{{"Id", "kg1"}, {"KeyGroupConfig", {{"Name", "kg1"}, {"Items", {"K2JCJMDEHXQW5F"}}}}}});
  Json priv = makeBehavior("/private*", "o1");
  priv["TrustedKeyGroups"] = {{"Enabled", true}, {"Quantity", 1}, {"Items", {"kg1"}}};
  addBehavior(cfg, priv);
  return cfg;
}

TEST(MultiWorkerMetrics, CountersMatchTheRequestsMadeSummedOverTwoWorkers) {
  TestOrigin origin;
  TempDir dir;
  const std::string pem = dir.file("key.pem");
  const CommandResult key = runCommand({"/usr/bin/openssl", "genrsa", "-out", pem, "2048"});
  const CommandResult pub = runCommand({"/usr/bin/openssl", "rsa", "-in", pem, "-pubout"});
  ASSERT_EQ(key.status, 0) << key.err;
  ASSERT_EQ(pub.status, 0) << pub.err;
  EdgedOptions options;
  options.workers = 2;
  Edged edged(metricsConfig(pub.out), origin.port(), options);
  const std::string metrics_url = "http://" + edged.adminAddress() + "/metrics";
  Http admin;

  // Before any viewer request: every counter is there, at zero.
  const HttpResponse first = admin.get(metrics_url);
  ASSERT_EQ(first.status, 200) << first;
  EXPECT_EQ(first.headers.get("Content-Type").value_or(""),
            "text/plain; version=0.0.4; charset=utf-8");
  const Scrape zero = parse(first.body);
  EXPECT_EQ(zero.at(req("Hit", "2xx")), 0);
  EXPECT_EQ(zero.at("edged_workers{}"), 2);

  ASSERT_EQ(admin.get(origin.url("/set/g?cc=max-age=300&len=5000")).status, 200);
  {
    // Several viewer connections, so that both workers are likely to serve some.
    std::vector<std::unique_ptr<Http>> viewers;
    for (int i = 0; i < 4; ++i) viewers.push_back(std::make_unique<Http>());
    Http& v = *viewers[0];
    EXPECT_EQ(v.get(edged.url("/size/100")).status, 200);            // Miss
    for (auto& c : viewers) {
      const HttpResponse hit = c->get(edged.url("/size/100"));        // Hit ×4
      EXPECT_EQ(hit.headers.get("X-Cache").value_or(""), "Hit from cloudfront") << hit;
    }
    EXPECT_EQ(v.get(edged.url("/status/404")).status, 404);          // Error 4xx
    EXPECT_EQ(v.get(edged.url("/bad-status")).status, 502);          // Error 5xx
    EXPECT_EQ(v.get(edged.url("/private/doc")).status, 403);         // Error 4xx, MissingKey
    const HttpResponse gz = v.get(edged.url("/obj/g"), {"Accept-Encoding: gzip"});  // Miss
    EXPECT_EQ(gz.headers.get("Content-Encoding").value_or(""), "gzip") << gz;
    const HttpResponse gz_hit = v.get(edged.url("/obj/g"), {"Accept-Encoding: gzip"});  // Hit
    EXPECT_EQ(gz_hit.headers.get("X-Cache").value_or(""), "Hit from cloudfront") << gz_hit;

    // An exchange is counted when the connection is done with it, just after the viewer has the
    // last byte: wait for the last request's count before reading the others.
    const std::string last = "\nedged_requests_total{result_type=\"Hit\",status_class=\"2xx\"} 5\n";
    EXPECT_TRUE(waitUntil(
        [&] { return admin.get(metrics_url).body.find(last) != std::string::npos; }, Ms(3000)));
    const Scrape s = parse(admin.get(metrics_url).body);
    EXPECT_EQ(s.types.at("edged_requests"), "counter");
    EXPECT_EQ(s.types.at("edged_origin_response_head_seconds"), "histogram");
    EXPECT_EQ(s.types.at("edged_connections_open"), "gauge");
    EXPECT_EQ(s.at(req("Miss", "2xx")), 2);
    EXPECT_EQ(s.at(req("Hit", "2xx")), 5);
    EXPECT_EQ(s.at(req("Error", "4xx")), 2);
    EXPECT_EQ(s.at(req("Error", "5xx")), 1);
    EXPECT_EQ(s.at(req("Error", "000")), 0);
    EXPECT_EQ(s.at(req("RefreshHit", "2xx")), 0);
    EXPECT_GT(s.at("edged_received_bytes_total{}"), 9 * 20);
    EXPECT_GT(s.at("edged_sent_bytes_total{}"), 100 * 5 + 1000);
    // The admin listener's own requests are not counted.
    EXPECT_EQ(s.at("edged_origin_fetches_total{outcome=Complete}"), 3);  // size, 404, obj/g
    EXPECT_EQ(s.at("edged_origin_fetches_total{outcome=InvalidResponse}"), 1);
    EXPECT_EQ(s.at("edged_origin_fetches_total{outcome=ConnectError}"), 0);
    EXPECT_GE(s.at("edged_origin_response_head_seconds_count{}"), 3);
    EXPECT_EQ(s.at("edged_origin_response_head_seconds_bucket{le=+Inf}"),
              s.at("edged_origin_response_head_seconds_count{}"));
    EXPECT_GT(s.at("edged_origin_response_head_seconds_sum{}"), 0);
    EXPECT_EQ(s.at("edged_compressed_responses_total{encoding=gzip}"), 1);
    EXPECT_EQ(s.at("edged_compressed_responses_total{encoding=br}"), 0);
    EXPECT_EQ(s.at("edged_signed_refusals_total{reason=MissingKey}"), 1);
    EXPECT_EQ(s.at("edged_signed_refusals_total{reason=AccessDenied}"), 0);
    EXPECT_EQ(s.at("edged_connections_open{}"), 4) << "one keep-alive connection per client";
    EXPECT_GE(s.at("edged_connections_accepted_total{}"), 4);
    EXPECT_GE(s.at("edged_cache_objects{}"), 2);
    EXPECT_GT(s.at("edged_cache_bytes{}"), 100);
    EXPECT_EQ(s.at("edged_cache_evictions_total{}"), 0);
    EXPECT_EQ(s.at("edged_cache_collapsed_total{}"), 0);
  }
  // The viewers hung up: the open gauge returns to zero once edged has closed their connections.
  EXPECT_TRUE(waitUntil(
      [&] {
        return admin.get(metrics_url).body.find("\nedged_connections_open 0\n") !=
               std::string::npos;
      },
      Ms(3000)));
  // HEAD works as on every admin path.
  const HttpResponse head = admin.head(metrics_url);
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST(MultiWorkerMetrics, ExchangeCutOffBeforeItsResponseCountsAsError000) {
  TestOrigin origin;
  EdgedOptions options;
  options.workers = 2;
  Json cfg = cachingConfig();
  cfg["Edge"]["AdminListen"] = "127.0.0.1:0";
  Edged edged(cfg, origin.port(), options);
  {
    RawClient c(edged.port());
    ASSERT_TRUE(c.send("GET /hang HTTP/1.1\r\nHost: a\r\n\r\n"));
    ASSERT_TRUE(waitUntil([&] { return origin.stats().path("/hang") == 1; }, Ms(3000)));
    // Reset, not FIN: edged still answers a viewer that only half-closed after its request.
    ASSERT_TRUE(c.resetOnClose());
  }  // closes
  Http admin;
  const std::string url = "http://" + edged.adminAddress() + "/metrics";
  const std::string cut = "edged_requests_total{result_type=\"Error\",status_class=\"000\"} 1\n";
  ASSERT_TRUE(waitUntil([&] { return admin.get(url).body.find(cut) != std::string::npos; },
                        Ms(3000)));
  const Scrape s = parse(admin.get(url).body);
  // The fill goes on without its viewer (the origin never answers): no fetch has ended.
  EXPECT_EQ(s.at("edged_origin_fetches_total{outcome=Complete}"), 0);
  EXPECT_EQ(s.at("edged_origin_fetches_total{outcome=Aborted}"), 0);
  EXPECT_EQ(s.at("edged_origin_response_head_seconds_count{}"), 0);
}

}  // namespace
}  // namespace edge::itest
