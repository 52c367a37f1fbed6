// A hostile origin (test_origin's faults): resets mid-head and mid-body, a byte-a-second drip,
// short and long Content-Length, broken chunking, floods of 1xx responses, oversized heads, an
// origin that never answers or closes right after accepting. For each: the viewer outcome of
// cloudfront-behavior.md §1.8, §1.9, §7.3, §7.4 (the generated 502 / 504 page, or a viewer
// connection cut where the response had already started), the stale copy where §3.4 / §3.7
// allow it, the same outcome for collapsed followers (§9.3), and never a truncated or corrupt
// object in the cache (asserted by fixing the origin and fetching again: a Miss).
//
// The origin's OriginReadTimeout is 1 s and ConnectionAttempts 1, so every case ends within a
// few seconds.
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "support/harness.h"

namespace edge::itest {
namespace {

using Json = nlohmann::json;

constexpr const char* kClosedReason = "The origin closed the connection.";
constexpr int kFollowers = 5;

// Default behaviour cached (TTLs 0 / 60 / 3600, keyed on path and query, nothing forwarded, so
// requests collapse), the origin with 1 attempt, 1 s connect and read timeouts; test clock.
Json faultConfig() {
  Json cfg = cachingConfig();
  auto& o = firstOrigin(cfg);
  o["ConnectionAttempts"] = 1;
  o["ConnectionTimeout"] = 1;
  o["CustomOriginConfig"]["OriginReadTimeout"] = 1;
  cfg["Edge"]["AdminListen"] = "127.0.0.1:0";
  cfg["Edge"]["TestClock"] = true;
  cfg["Edge"]["DebugHeaders"] = true;
  return cfg;
}

std::string xcache(const HttpResponse& r) { return r.headers.get("X-Cache").value_or("(none)"); }

// The viewer saw the response start and then the connection end early: curl reports a partial
// transfer (Content-Length not reached, or no last chunk), never a complete response.
::testing::AssertionResult isCut(const HttpResponse& r, size_t full_length) {
  if (r.ok()) {
    return ::testing::AssertionFailure()
           << "a broken origin response ended as a complete one (" << r.body.size() << " of "
           << full_length << " bytes)\n"
           << r;
  }
  if (r.curl_code != 18 /*PARTIAL_FILE*/ && r.curl_code != 56 /*RECV_ERROR*/) {
    return ::testing::AssertionFailure() << "unexpected curl error\n" << r;
  }
  if (r.status != 200) return ::testing::AssertionFailure() << "status\n" << r;
  // (A chunked body may hold every byte and still be cut: its last chunk is missing.)
  if (r.body_bytes > full_length) {
    return ::testing::AssertionFailure() << "more bytes than the origin's body\n" << r;
  }
  return ::testing::AssertionSuccess();
}

// Either the edge noticed before answering (the generated 502) or the viewer sees the cut.
::testing::AssertionResult isBadGatewayOrCut(const HttpResponse& r, size_t full_length) {
  if (r.ok()) return isGeneratedError(r, 502, kClosedReason);
  return isCut(r, full_length);
}

class OriginFaults : public ::testing::Test {
 protected:
  OriginFaults() : edged_(faultConfig(), origin_.port()), admin_("http://" + edged_.adminAddress()) {}

  // Defines /obj/NAME on the origin (see test_origin.cc).
  void define(const std::string& name, const std::string& query) {
    HttpResponse r = http_.get(origin_.url("/set/" + name + "?" + query));
    ASSERT_EQ(r.status, 200) << r;
  }
  HttpResponse get(const std::string& path) {
    return http_.get(edged_.url(path), {}, RequestOptions{Ms(15000)});
  }
  // `n` viewers asking for `path` at once, each on its own connection.
  std::vector<HttpResponse> getConcurrently(const std::string& path, int n) {
    std::vector<std::future<HttpResponse>> futures;
    for (int i = 0; i < n; ++i) {
      futures.push_back(std::async(std::launch::async, [this, path] {
        Http http;
        return http.get(edged_.url(path), {}, RequestOptions{Ms(15000)});
      }));
    }
    std::vector<HttpResponse> out;
    for (auto& f : futures) out.push_back(f.get());
    return out;
  }
  void advance(int seconds) {
    HttpResponse r =
        http_.post(admin_ + "/clock/advance?seconds=" + std::to_string(seconds), {}, "");
    ASSERT_EQ(r.status, 200) << r;
  }
  uint64_t originCount(const std::string& path) { return origin_.stats().path(path); }

  // The origin behaves again: the next request must go to it (a Miss) and get the whole object,
  // which then is a Hit — nothing of the failed fetch was kept. The clock moves past
  // ErrorCachingMinTTL first, so that a cached error page cannot stand in for the object.
  void expectRefetchedWhole(const std::string& name, size_t len) {
    define(name, "cc=max-age=600&len=" + std::to_string(len));
    advance(11);
    const uint64_t before = originCount("/obj/" + name);
    HttpResponse r = get("/obj/" + name);
    ASSERT_EQ(r.status, 200) << r;
    EXPECT_EQ(xcache(r), "Miss from cloudfront") << "a partial object was kept:\n" << r;
    EXPECT_TRUE(r.body == patternBody(len)) << "body of " << r.body.size() << " bytes differs";
    EXPECT_EQ(originCount("/obj/" + name), before + 1);
    HttpResponse hit = get("/obj/" + name);
    EXPECT_EQ(xcache(hit), "Hit from cloudfront") << hit;
    EXPECT_TRUE(hit.body == patternBody(len));
  }

  // A cached copy (version 1, `len` bytes, max-age=10) that has expired, then the origin turns
  // to `fault_query`.
  void cacheThenExpire(const std::string& name, size_t len, const std::string& fault_query) {
    define(name, "cc=max-age=10&len=" + std::to_string(len));
    HttpResponse first = get("/obj/" + name);
    ASSERT_EQ(first.status, 200) << first;
    ASSERT_EQ(xcache(first), "Miss from cloudfront");
    define(name, "cc=max-age=10&len=" + std::to_string(len) + "&" + fault_query);
    advance(11);
  }

  // The expired copy is what the viewer gets (§3.4): whole, version 1, not an error.
  static ::testing::AssertionResult isStaleCopy(const HttpResponse& r, size_t len) {
    if (!r.ok() || r.status != 200) return ::testing::AssertionFailure() << "not a 200\n" << r;
    if (r.headers.get("X-Version").value_or("") != "1") {
      return ::testing::AssertionFailure() << "not the stored copy\n" << r;
    }
    if (r.body != patternBody(len)) return ::testing::AssertionFailure() << "body differs\n" << r;
    if (xcache(r) == "Error from cloudfront" || xcache(r) == "Miss from cloudfront") {
      return ::testing::AssertionFailure() << "X-Cache\n" << r;
    }
    return ::testing::AssertionSuccess();
  }

  TestOrigin origin_;
  Edged edged_;
  std::string admin_;
  Http http_;
};

// ---- failures before the response head: the generated page, the same for every follower ---------

TEST_F(OriginFaults, ResetMidHeadersGives502ToEveryCollapsedViewer) {
  define("rh", "cc=max-age=600&len=5000&fault=reset-head&delay_ms=600");
  for (const HttpResponse& r : getConcurrently("/obj/rh", kFollowers)) {
    EXPECT_TRUE(isGeneratedError(r, 502, kClosedReason));
  }
  EXPECT_EQ(originCount("/obj/rh"), 1u) << "followers must share the leader's failure";
  expectRefetchedWhole("rh", 5000);
}

TEST_F(OriginFaults, DripFedHeadersTimeOutWith504) {
  // One byte every 2 s against a 1 s read timeout.
  define("dh", "cc=max-age=600&fault=drip-head&drip_ms=2000&delay_ms=300");
  const auto t0 = Clock::now();
  for (const HttpResponse& r : getConcurrently("/obj/dh", kFollowers)) {
    EXPECT_TRUE(isGeneratedError(r, 504));
  }
  EXPECT_LT(elapsedMs(t0), 6000) << "OriginReadTimeout (1 s) not enforced between head bytes";
  EXPECT_EQ(originCount("/obj/dh"), 1u);
  expectRefetchedWhole("dh", 100);
}

TEST_F(OriginFaults, NeverAnsweringOriginGives504) {
  define("h", "cc=max-age=600&fault=hang&delay_ms=300");
  const auto t0 = Clock::now();
  for (const HttpResponse& r : getConcurrently("/obj/h", kFollowers)) {
    EXPECT_TRUE(isGeneratedError(r, 504));
  }
  EXPECT_LT(elapsedMs(t0), 6000);
  EXPECT_EQ(originCount("/obj/h"), 1u);
  expectRefetchedWhole("h", 100);
}

TEST_F(OriginFaults, OversizedResponseHeadGives502) {
  // 100 KiB of header lines, then one 100 KiB header (§7.4 OriginHeaderTooBigError).
  for (const std::string name : {"big0", "big1"}) {
    SCOPED_TRACE(name);
    define(name, "cc=max-age=600&fault=big-head&head_bytes=102400&delay_ms=300" +
                     std::string(name == "big1" ? "&one=1" : ""));
    for (const HttpResponse& r : getConcurrently("/obj/" + name, kFollowers)) {
      EXPECT_TRUE(isGeneratedError(r, 502));
    }
    EXPECT_EQ(originCount("/obj/" + name), 1u);
    expectRefetchedWhole(name, 100);
  }
}

TEST_F(OriginFaults, InterimResponseFloodGives502) {
  // §1.9: only one 100 Continue is allowed; thousands of interim responses are not a response.
  define("fl", "cc=max-age=600&fault=interim-flood&count=5000&delay_ms=300");
  for (const HttpResponse& r : getConcurrently("/obj/fl", kFollowers)) {
    EXPECT_TRUE(isGeneratedError(r, 502));
  }
  EXPECT_EQ(originCount("/obj/fl"), 1u);
  expectRefetchedWhole("fl", 100);
}

TEST_F(OriginFaults, EndlessInterimResponsesDoNotHoldTheViewerForever) {
  // Every interim response is progress on the wire, so a read timeout alone never fires.
  for (const char* kind : {"100", "103"}) {
    SCOPED_TRACE(kind);
    const auto t0 = Clock::now();
    HttpResponse r = get(std::string("/fault/interim-flood?count=0&interim_gap_ms=5&interim=") + kind);
    EXPECT_TRUE(isGeneratedError(r, 502));
    EXPECT_LT(elapsedMs(t0), 5000);
  }
  // A single 103 and a single 100 before the final response are fine.
  HttpResponse ok = get("/fault/interim-flood?count=2&len=10");
  EXPECT_EQ(ok.status, 200) << ok;
  EXPECT_EQ(ok.body, patternBody(10));
}

TEST_F(OriginFaults, OriginClosingRightAfterAcceptGives502) {
  for (const char* rst : {"0", "1"}) {
    SCOPED_TRACE(std::string("rst=") + rst);
    // Fresh object and no idle origin connection to reuse: close=1 on every answer.
    define("ca", "cc=max-age=600&close=1");
    ASSERT_EQ(http_.get(origin_.url(std::string("/close-accepts?n=1&rst=") + rst)).status, 200);
    HttpResponse r = get(std::string("/obj/ca?rst=") + rst);
    // A FIN is "closed"; a RST may beat the edge's connect callback (then it is a failed
    // connect). Either way a 502 (§7.4), at once.
    EXPECT_TRUE(isGeneratedError(r, 502, kClosedReason) ||
                isGeneratedError(r, 502, "CloudFront wasn't able to connect to the origin."))
        << r;
    if (std::string(rst) == "0") {
      EXPECT_TRUE(isGeneratedError(r, 502, kClosedReason));
    }
    HttpResponse again = get(std::string("/obj/ca?rst=") + rst);
    EXPECT_EQ(again.status, 200) << again;
    EXPECT_EQ(xcache(again), "Miss from cloudfront") << again;
  }
}

// ---- failures after the response head: the viewer sees the cut, nothing is stored ----------------

TEST_F(OriginFaults, ResetMidBodyCutsEveryCollapsedViewer) {
  // The head and 10,000 of 20,000 bytes, then (300 ms later) RST: every viewer has its head.
  define("rb", "cc=max-age=600&len=20000&at=10000&fault=reset-body&rst_after_ms=300&delay_ms=600");
  for (const HttpResponse& r : getConcurrently("/obj/rb", kFollowers)) {
    EXPECT_TRUE(isCut(r, 20000));
  }
  EXPECT_EQ(originCount("/obj/rb"), 1u);
  expectRefetchedWhole("rb", 20000);
}

TEST_F(OriginFaults, ResetMidChunkedBodyCutsTheViewer) {
  define("rc", "cc=max-age=600&len=20000&chunked=1&fault=reset-body&rst_after_ms=300");
  EXPECT_TRUE(isCut(get("/obj/rc"), 20000));
  expectRefetchedWhole("rc", 20000);
}

TEST_F(OriginFaults, DripFedBodyTimesOutAndCutsTheViewer) {
  define("db", "cc=max-age=600&len=1000&fault=drip-body&drip_ms=2000&delay_ms=300");
  const auto t0 = Clock::now();
  for (const HttpResponse& r : getConcurrently("/obj/db", kFollowers)) {
    EXPECT_TRUE(isCut(r, 1000));
  }
  EXPECT_LT(elapsedMs(t0), 6000) << "OriginReadTimeout (1 s) not enforced between body bytes";
  EXPECT_EQ(originCount("/obj/db"), 1u);
  expectRefetchedWhole("db", 1000);
}

TEST_F(OriginFaults, ShortContentLengthCutsTheViewer) {
  define("sc", "cc=max-age=600&len=10000&at=4000&fault=short-cl&delay_ms=300");
  for (const HttpResponse& r : getConcurrently("/obj/sc", kFollowers)) {
    EXPECT_TRUE(isCut(r, 10000));
  }
  EXPECT_EQ(originCount("/obj/sc"), 1u);
  // On the wire: Content-Length 10000 announced, fewer bytes, then the close.
  RawClient c(edged_.port());
  ASSERT_TRUE(c.send("GET /obj/sc?raw=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ReadResult rr = c.readUntilClosed(Ms(8000));
  EXPECT_TRUE(rr.closed) << "the viewer connection stayed open after a truncated body";
  ParseOutcome parsed = parseResponse(rr.data, false, /*at_eof=*/false);
  EXPECT_EQ(parsed.status, ParseStatus::Incomplete) << rr.data.substr(0, 400);
  EXPECT_NE(rr.data.find("Content-Length: 10000"), std::string::npos) << rr.data.substr(0, 400);
  expectRefetchedWhole("sc", 10000);
}

TEST_F(OriginFaults, LongContentLengthServesOnlyTheAnnouncedBytes) {
  // 1000 bytes announced, followed in the same write by a complete smuggled response.
  define("lc", "cc=max-age=600&len=1000&fault=long-cl");
  HttpResponse r = get("/obj/lc");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_TRUE(r.body == patternBody(1000)) << r.body.size() << " bytes";
  EXPECT_FALSE(r.headers.has("X-Smuggled"));
  // The surplus is not the answer to the next request on that origin connection.
  for (int i = 1; i <= 5; ++i) {
    HttpResponse next = get("/size/" + std::to_string(i));
    EXPECT_EQ(next.status, 200) << next;
    EXPECT_EQ(next.body, patternBody(static_cast<size_t>(i))) << next;
    EXPECT_FALSE(next.headers.has("X-Smuggled")) << next;
  }
  HttpResponse hit = get("/obj/lc");
  EXPECT_EQ(xcache(hit), "Hit from cloudfront");
  EXPECT_TRUE(hit.body == patternBody(1000));
}

TEST_F(OriginFaults, LateSurplusOnAnIdleOriginConnectionIsNotTheNextResponse) {
  // The surplus arrives 200 ms after the response, while the connection waits in the pool.
  HttpResponse r = get("/fault/long-cl?len=500&surplus_delay_ms=200");
  ASSERT_EQ(r.status, 200) << r;
  EXPECT_TRUE(r.body == patternBody(500));
  std::this_thread::sleep_for(Ms(500));
  for (int i = 1; i <= 5; ++i) {
    HttpResponse next = get("/size/" + std::to_string(i));
    EXPECT_EQ(next.status, 200) << next;
    EXPECT_EQ(next.body, patternBody(static_cast<size_t>(i))) << next;
    EXPECT_FALSE(next.headers.has("X-Smuggled")) << next;
  }
}

// The head, 8,000 bytes and a bad chunk-size line in one write, 300 ms after the request: the
// five viewers are collapsed on one fill, which breaks before any of them answered. Each gets
// the leader's outcome (the 502 page, or a cut if its head went out) and nobody asks the origin
// again; followers used to rejoin and refetch up to 3 times.
TEST_F(OriginFaults, BrokenBodyBeforeAnyAnswerGivesFollowersTheLeadersError) {
  define("cb", "cc=max-age=600&len=20000&at=8000&chunked=1&fault=bad-chunk-size&delay_ms=300");
  int generated = 0;
  for (const HttpResponse& r : getConcurrently("/obj/cb", kFollowers)) {
    EXPECT_TRUE(isBadGatewayOrCut(r, 20000));
    if (r.ok()) ++generated;
  }
  EXPECT_EQ(originCount("/obj/cb"), 1u) << generated << " viewer(s) got the generated 502";
  expectRefetchedWhole("cb", 20000);
}

class OriginFaultsChunking : public OriginFaults,
                             public ::testing::WithParamInterface<const char*> {};

TEST_P(OriginFaultsChunking, BrokenChunkingIsNeverDeliveredOrStoredWhole) {
  const std::string fault = GetParam();
  define("ck", "cc=max-age=600&len=20000&at=8000&chunked=1&fault=" + fault);
  EXPECT_TRUE(isBadGatewayOrCut(get("/obj/ck"), 20000));
  for (const HttpResponse& r : getConcurrently("/obj/ck", kFollowers)) {
    EXPECT_TRUE(isBadGatewayOrCut(r, 20000));
  }
  // The edge's raw answer: if a response started, it has no last chunk / is short.
  RawClient c(edged_.port());
  ASSERT_TRUE(c.send("GET /obj/ck?raw=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  ReadResult rr = c.readResponses(1, Ms(8000));
  ParseOutcome parsed = parseResponse(rr.data, false, /*at_eof=*/false);
  if (parsed.status == ParseStatus::Complete) {
    EXPECT_EQ(parsed.response.status, 502) << parsed.response;
  } else {
    EXPECT_TRUE(rr.closed) << "the viewer connection stayed open after a broken body";
  }
  expectRefetchedWhole("ck", 20000);
}

INSTANTIATE_TEST_SUITE_P(Faults, OriginFaultsChunking,
                         ::testing::Values("bad-chunk-size", "chunk-no-crlf", "chunk-too-long",
                                           "chunk-no-end"),
                         [](const auto& info) {
                           std::string name;
                           for (char ch : std::string(info.param)) {
                             if (ch != '-') name.push_back(ch);
                           }
                           return name;
                         });

// ---- an expired copy in the cache: served instead of the failure (§3.4, §3.7) --------------------

class OriginFaultsStale : public OriginFaults,
                          public ::testing::WithParamInterface<const char*> {};

TEST_P(OriginFaultsStale, ExpiredCopyIsServedToEveryViewer) {
  cacheThenExpire("st", 3000, std::string(GetParam()) + "&delay_ms=300");
  const uint64_t before = originCount("/obj/st");
  const auto t0 = Clock::now();
  for (const HttpResponse& r : getConcurrently("/obj/st", kFollowers)) {
    EXPECT_TRUE(isStaleCopy(r, 3000));
  }
  EXPECT_LT(elapsedMs(t0), 6000);
  EXPECT_EQ(originCount("/obj/st"), before + 1) << "one refetch for all viewers";
  // §3.4: held for ErrorCachingMinTTL (10 s) without asking the origin again.
  EXPECT_TRUE(isStaleCopy(get("/obj/st"), 3000));
  EXPECT_EQ(originCount("/obj/st"), before + 1);
  // Then the origin is asked again, and once it behaves the new object replaces the copy.
  expectRefetchedWhole("st", 3000);
}

INSTANTIATE_TEST_SUITE_P(
    Faults, OriginFaultsStale,
    ::testing::Values("fault=reset-head", "fault=drip-head&drip_ms=2000", "fault=hang",
                      "fault=big-head", "fault=interim-flood&count=5000"),
    [](const auto& info) {
      std::string name;
      bool upper = true;
      for (char ch : std::string(info.param).substr(6)) {
        if (ch == '&') break;
        if (ch == '-') {
          upper = true;
          continue;
        }
        name.push_back(upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch);
        upper = false;
      }
      return name;
    });

TEST_F(OriginFaults, ExpiredCopyIsServedWhenTheOriginClosesRightAfterAccept) {
  // close=1: the first fill leaves no idle connection for the refetch to reuse.
  define("sa", "cc=max-age=10&len=700&close=1");
  ASSERT_EQ(get("/obj/sa").status, 200);
  advance(11);
  ASSERT_EQ(http_.get(origin_.url("/close-accepts?n=1")).status, 200);
  EXPECT_TRUE(isStaleCopy(get("/obj/sa"), 700));
  EXPECT_EQ(originCount("/obj/sa"), 1u) << "the refetch was not the request that got closed";
}

TEST_F(OriginFaults, BodyFailureAfterExpiryCutsTheViewerButKeepsTheStoredCopy) {
  // The refetch's head is already out when the body breaks: too late for the stale copy, but
  // the broken response must not replace it.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"sb0", "fault=reset-body&rst_after_ms=200"},
      {"sb1", "fault=short-cl"},
      {"sb2", "fault=chunk-no-end&chunked=1"}};
  for (const auto& [name, fault] : cases) {
    SCOPED_TRACE(fault);
    cacheThenExpire(name, 20000, fault);
    EXPECT_TRUE(isCut(get("/obj/" + name), 20000));
    // The origin now fails before its head: the old copy is still there to be served.
    define(name, "cc=max-age=10&len=20000&status=503");
    EXPECT_TRUE(isStaleCopy(get("/obj/" + name), 20000));
  }
}

}  // namespace
}  // namespace edge::itest
