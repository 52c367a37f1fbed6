// The admin dashboard (GET / on Edge.AdminListen) in a real browser: edged with a caching
// behaviour in front of the test origin, and tests/browser/dashboard.mjs driving Debian's
// chromium: the page loads with no console error, its three charts (request rate, hit ratio,
// origin offload) gain points while viewer load runs, the top keys and an invalidation show up
// in their tables, the explain form answers, and a screenshot is saved.
//
// Fails (never skips) when chromium, node or playwright-core are missing: scripts/setup.sh
// installs them. Screenshot: <build>/tests/output/dashboard_browser/dashboard.png.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/find_on_path.h"
#include "support/harness.h"

#ifndef EDGED_SOURCE_DIR
#error "EDGED_SOURCE_DIR must point at the source tree (tests/browser/)"
#endif
#ifndef EDGED_BINARY_DIR
#error "EDGED_BINARY_DIR must point at the build tree (the screenshot goes under tests/output/)"
#endif

namespace edge::itest {
namespace {

namespace fs = std::filesystem;

const std::string kSource = EDGED_SOURCE_DIR;
constexpr const char* kChromium = "/usr/bin/chromium";

TEST(DashboardBrowser, ChartsFollowTheLoadAndTheFormExplainsInChromium) {
  const std::string node = findOnPath("node");
  std::vector<std::string> missing;
  if (::access(kChromium, X_OK) != 0)
    missing.push_back(std::string(kChromium) + " (Debian's chromium)");
  if (node.empty()) missing.push_back("node on $PATH");
  const std::string playwright =
      kSource + "/tests/browser/node_modules/playwright-core/package.json";
  if (!fs::exists(playwright)) missing.push_back(playwright);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += "\n  " + m;
    FAIL() << "missing (scripts/setup.sh installs them):" << list;
  }

  TestOrigin origin;
  auto config = cachingConfig();
  config["Edge"]["AdminListen"] = "127.0.0.1:0";
  Edged edged(config, origin.port());

  const fs::path out = fs::path(EDGED_BINARY_DIR) / "tests" / "output" / "dashboard_browser";
  fs::remove_all(out);
  fs::create_directories(out);
  std::cout << "[ dashboard ] screenshot: " << (out / "dashboard.png").string() << "\n";
  const CommandResult browser =
      runCommand({node, kSource + "/tests/browser/dashboard.mjs", "http://" + edged.adminAddress(),
                  edged.url(""), out.string()},
                 Ms(90000));
  EXPECT_EQ(browser.status, 0) << "dashboard.mjs stdout:\n"
                               << browser.out << "\nstderr:\n"
                               << browser.err << "\nedged:\n"
                               << edged.stderrText();
  std::cout << browser.out;

  const fs::path shot = out / "dashboard.png";
  ASSERT_TRUE(fs::exists(shot)) << shot;
  EXPECT_GT(fs::file_size(shot), 20000u) << shot << " is too small to show a rendered page";
  EXPECT_EQ(readFile(shot.string()).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8)) << shot;
}

}  // namespace
}  // namespace edge::itest
