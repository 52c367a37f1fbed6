#include "engine/metrics/metrics_format.h"

#include <algorithm>

namespace edge::engine {

namespace {

// le values of kOriginLatencyBoundsUs, in seconds as the exposition writes them.
constexpr std::array<std::string_view, kOriginLatencyBoundsUs.size()> kLatencyLe = {
    "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30"};

// Builds the text one family at a time.
class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP edged_";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE edged_";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  // `labels`: pairs of name and (unescaped) value.
  void sample(std::string_view name, std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
              std::string_view value) {
    out_ += "edged_";
    out_ += name;
    if (labels.size() != 0) {
      out_ += '{';
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first) out_ += ',';
        first = false;
        out_ += k;
        out_ += "=\"";
        out_ += escapeLabelValue(v);
        out_ += '"';
      }
      out_ += '}';
    }
    out_ += ' ';
    out_ += value;
    out_ += '\n';
  }
  void sample(std::string_view name,
              std::initializer_list<std::pair<std::string_view, std::string_view>> labels,
              uint64_t value) {
    sample(name, labels, std::to_string(value));
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// A counter family with one label whose values are an enum's [first, N), named by its toString
// (found by argument-dependent lookup in the enum's namespace).
template <class Enum, size_t N>
void enumCounter(Exposition& e, std::string_view name, std::string_view help,
                 std::string_view label, const std::array<uint64_t, N>& values, size_t first = 0) {
  e.family(name, "counter", help);
  for (size_t i = first; i < N; ++i) {
    e.sample(name, {{label, toString(static_cast<Enum>(i))}}, values[i]);
  }
}

// Microseconds as decimal seconds, exactly ("1.250000").
std::string microsAsSeconds(uint64_t us) {
  std::string frac = std::to_string(us % 1'000'000);
  return std::to_string(us / 1'000'000) + "." + std::string(6 - frac.size(), '0') + frac;
}

void renderRequests(Exposition& e, const MetricsSnapshot& s) {
  e.family("requests_total", "counter",
           "Viewer exchanges ended, by x-edge-result-type (the X-Cache word; Error also for "
           "exchanges cut off) and status class (000: no response sent).");
  for (size_t t = 0; t < policies::kResultTypeCount; ++t) {
    for (size_t c = 0; c < kStatusClassCount; ++c) {
      e.sample("requests_total",
               {{"result_type", policies::toString(static_cast<policies::ResultType>(t))},
                {"status_class", statusClassLabel(c)}},
               s.requests[t][c]);
    }
  }
  e.family("received_bytes_total", "counter", "Viewer request bytes read (heads and bodies).");
  e.sample("received_bytes_total", {}, s.bytes_received);
  e.family("sent_bytes_total", "counter",
           "Viewer response bytes queued for sending (heads, bodies, chunk framing); bytes of a "
           "connection that closed early may not have reached the viewer.");
  e.sample("sent_bytes_total", {}, s.bytes_sent);
}

void renderOrigin(Exposition& e, const MetricsSnapshot& s) {
  enumCounter<origin::FetchOutcome>(
      e, "origin_fetches_total",
      "Origin fetches ended, by outcome (Aborted: cancelled by the edge; ConnectError also for a "
      "fetch that could not start).",
      "outcome", s.origin_fetches);
  e.family("origin_response_head_seconds", "histogram",
           "Time from an origin fetch's start to its response head (retries included); fetches "
           "that got no head are not observed.");
  uint64_t cumulative = 0;
  for (size_t b = 0; b < kLatencyLe.size(); ++b) {
    cumulative += s.origin_latency[b];
    e.sample("origin_response_head_seconds_bucket", {{"le", kLatencyLe[b]}}, cumulative);
  }
  cumulative += s.origin_latency[kLatencyLe.size()];
  e.sample("origin_response_head_seconds_bucket", {{"le", "+Inf"}}, cumulative);
  e.sample("origin_response_head_seconds_sum", {}, microsAsSeconds(s.origin_latency_sum_us));
  e.sample("origin_response_head_seconds_count", {}, cumulative);
}

void renderEdge(Exposition& e, const MetricsSnapshot& s) {
  enumCounter<policies::ContentCoding>(
      e, "compressed_responses_total",
      "Origin responses the edge compressed, by Content-Encoding (a cached compressed copy is "
      "compressed once; its hits are not counted here).",
      "encoding", s.compressed, /*first=*/1);  // Identity is no compression
  enumCounter<policies::SignedFailure>(
      e, "signed_refusals_total",
      "Requests refused for a missing or invalid signed URL or cookie, by the <Code> sent.",
      "reason", s.signed_refusals);
  e.family("connections_open", "gauge", "Viewer connections open (the admin listener's excluded).");
  e.sample("connections_open", {},
           s.connections_opened - std::min(s.connections_closed, s.connections_opened));
  e.family("connections_accepted_total", "counter", "Viewer connections accepted.");
  e.sample("connections_accepted_total", {}, s.connections_opened);
  e.family("workers", "gauge", "Worker loops serving viewers.");
  e.sample("workers", {}, s.workers);
}

void renderCache(Exposition& e, const MetricsSnapshot& s) {
  if (!s.has_cache) return;
  e.family("cache_objects", "gauge", "Objects in the shared cache.");
  e.sample("cache_objects", {}, s.cache_objects);
  e.family("cache_bytes", "gauge", "Bytes the shared cache's objects are charged.");
  e.sample("cache_bytes", {}, s.cache_bytes);
  e.family("cache_evictions_total", "counter",
           "Objects the eviction policy removed to make room (invalidations not counted).");
  e.sample("cache_evictions_total", {}, s.cache_evictions);
  e.family("cache_collapsed_total", "counter",
           "Requests that waited for another request's origin fill instead of fetching.");
  e.sample("cache_collapsed_total", {}, s.cache_collapsed);
}

}  // namespace

std::string_view statusClassLabel(size_t index) {
  static constexpr std::array<std::string_view, kStatusClassCount> kLabels = {
      "000", "1xx", "2xx", "3xx", "4xx", "5xx"};
  return index < kLabels.size() ? kLabels[index] : "000";
}

size_t originLatencySlot(uint64_t micros) {
  const auto it =
      std::lower_bound(kOriginLatencyBoundsUs.begin(), kOriginLatencyBoundsUs.end(), micros);
  return static_cast<size_t>(it - kOriginLatencyBoundsUs.begin());
}

std::string escapeLabelValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string renderMetrics(const MetricsSnapshot& s) {
  Exposition e;
  renderRequests(e, s);
  renderOrigin(e, s);
  renderEdge(e, s);
  renderCache(e, s);
  return e.take();
}

}  // namespace edge::engine
