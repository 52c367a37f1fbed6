// `edged explain`: parses the flags, loads the config, prints policies::formatExplanation. The
// decisions themselves are in policies/explain.cc.
#include <charconv>
#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "engine/cli/commands.h"
#include "policies/config_load.h"
#include "policies/explain.h"

namespace edge::engine::cli {

namespace {

int usage(const std::string& msg) {
  std::fprintf(stderr, "edged explain: %s\nusage:\n%s", msg.c_str(), kExplainUsage);
  return 2;
}

bool parseInt(std::string_view s, int64_t& out) {
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

int runExplain(int argc, char** argv) {
  std::string config_path;
  policies::ExplainArgs args;
  bool have_url = false;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = argv[i];
    const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
    auto needs = [&](const char* what) { return usage(std::string(a) + " needs " + what); };
    if (a == "--config") {
      if (v == nullptr) return needs("a FILE");
      config_path = v;
      ++i;
    } else if (a == "-X" || a == "--request") {
      if (v == nullptr) return needs("a METHOD");
      args.method = v;
      ++i;
    } else if (a == "-H" || a == "--header") {
      if (v == nullptr) return needs("'Name: value'");
      args.headers.emplace_back(v);
      ++i;
    } else if (a == "--origin-header") {
      if (v == nullptr) return needs("'Name: value'");
      args.origin_headers.emplace_back(v);
      ++i;
    } else if (a == "--origin-status") {
      int64_t n = 0;
      if (v == nullptr || !parseInt(v, n) || n < 100 || n > 599) return needs("a status 100..599");
      args.origin_status = static_cast<int>(n);
      ++i;
    } else if (a == "--now") {
      if (v == nullptr || !parseInt(v, now) || now < 0) return needs("epoch seconds");
      ++i;
    } else if (a.starts_with('-') && a.size() > 1) {
      return usage("unknown flag: " + std::string(a));
    } else {
      if (have_url) return usage("only one URL, got a second: " + std::string(a));
      args.url = std::string(a);
      have_url = true;
    }
  }
  if (config_path.empty()) return usage("--config FILE is required");
  if (!have_url) return usage("a URL (http://HOST/PATH or /PATH) is required");

  auto cfg = policies::loadConfigFile(config_path);
  if (!cfg) {
    std::fprintf(stderr, "edged: %s\n", cfg.error().toString().c_str());
    return 2;
  }
  auto request = policies::buildExplainRequest(args, cfg->edge.domain_name, now);
  if (!request) return usage(request.error());
  const policies::Explanation e = policies::explainRequest(*cfg, *request);
  std::fputs(policies::formatExplanation(e, request->viewer).c_str(), stdout);
  return 0;
}

}  // namespace edge::engine::cli
