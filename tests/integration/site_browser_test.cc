// The demo site end to end in a real browser: edged-s3 holding the site, edged-registration and
// edged in front of both, configured as scripts/demo.sh runs them (scripts/demo_prepare.sh makes
// the key pair, the site with Material Design Lite and the rendered configs), and
// tests/browser/site.mjs driving Debian's chromium through the edge: register, wait for the
// certificate behind signed cookies, find it in the history, screenshot the three pages, check
// static files are cache hits on a second load and that no page logged a console error.
//
// Fails (never skips) when chromium, node or the npm packages are missing: scripts/setup.sh
// installs them. Screenshots: <build>/tests/output/site_browser/.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/awscli.h"
#include "support/find_on_path.h"
#include "support/harness.h"
#include "support/s3_server.h"

#ifndef EDGED_SOURCE_DIR
#error "EDGED_SOURCE_DIR must point at the source tree (conf/, scripts/, tests/browser/)"
#endif
#ifndef EDGED_BINARY_DIR
#error "EDGED_BINARY_DIR must point at the build tree (screenshots go under tests/output/)"
#endif

namespace edge::itest {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const std::string kSource = EDGED_SOURCE_DIR;
constexpr const char* kChromium = "/usr/bin/chromium";
// The demo key of conf/s3-origin.json, which conf/registration.json and conf/example.json use.
constexpr const char* kDemoAccessKey = "EDGEDDEMOACCESSKEY";
constexpr const char* kDemoSecret = "edged-demo-secret-loopback-only";

// What the browser run needs besides our own programs; each missing piece is a failure.
std::vector<std::string> missingPrerequisites(const std::string& node) {
  std::vector<std::string> missing;
  if (::access(kChromium, X_OK) != 0) missing.push_back(std::string(kChromium) + " (Debian's chromium)");
  if (node.empty()) missing.push_back("node on $PATH");
  for (const char* p : {"/tests/browser/node_modules/playwright-core/package.json",
                        "/conf/site-vendor/node_modules/material-design-lite/material.min.css"}) {
    if (!fs::exists(kSource + p)) missing.push_back(kSource + p);
  }
  if (!AwsCli::available()) missing.push_back(kAwsCliBin);
  return missing;
}

// edged-registration on the rendered config, the certificate target moved to `s3_address`, on
// 127.0.0.1:0. Started here rather than through support/registration_server.h, which writes a
// config of its own: this test runs the demo's.
class Registration {
 public:
  Registration(const std::string& rendered_config, const std::string& s3_address, const TempDir& dir) {
#ifndef EDGED_REGISTRATION_BIN
    (void)rendered_config, (void)s3_address, (void)dir;
    throw std::runtime_error("this build has no edged-registration (origin/registration/registration_main.cc)");
#else
    Json config = Json::parse(readFile(rendered_config));
    config["Certificates"]["Endpoint"] = s3_address;
    const std::string config_path = dir.file("registration.json");
    writeFile(config_path, config.dump(2));
    ready_ = dir.file("registration.ready");
    stderr_ = dir.file("registration.err");
    proc_ = ChildProcess({EDGED_REGISTRATION_BIN, "--config", config_path, "--listen", "127.0.0.1:0",
                          "--ready-file", ready_},
                         dir.file("registration.out"), stderr_);
    waitUntil([&] { return !readFile(ready_).empty() || !proc_.running(); },
              Ms(10000), Ms(50));
    const std::string ready = readFile(ready_);
    const std::string line = ready.substr(0, ready.find('\n'));
    if (line.empty()) {
      throw std::runtime_error("edged-registration did not start: " + readFile(stderr_));
    }
    address_ = line;
#endif
  }
  ~Registration() {
    if (proc_.running()) {
      proc_.signal(SIGTERM);
      EXPECT_EQ(proc_.wait(Ms(10000)), 0) << readFile(stderr_);
    }
  }
  const std::string& address() const { return address_; }
  std::string stderrText() const { return readFile(stderr_); }

 private:
  ChildProcess proc_;
  std::string ready_;
  std::string stderr_;
  std::string address_;
};

TEST(SiteBrowser, RegisterSeeCertificateAndHistoryInChromium) {
  const std::string node = findOnPath("node");
  const std::vector<std::string> missing = missingPrerequisites(node);
  if (!missing.empty()) {
    std::string list;
    for (const auto& m : missing) list += "\n  " + m;
    FAIL() << "missing (scripts/setup.sh installs them):" << list;
  }

  // The demo's own preparation: key pair, site + MDL, rendered configs.
  TempDir prep;
  const CommandResult prepared =
      runCommand({"/bin/bash", kSource + "/scripts/demo_prepare.sh", prep.path()}, Ms(60000));
  ASSERT_EQ(prepared.status, 0) << prepared.out << prepared.err;
  ASSERT_TRUE(fs::exists(prep.file("site/vendor/mdl/material.min.css")));

  S3ServerOptions s3_options;
  s3_options.access_key_id = kDemoAccessKey;
  s3_options.secret_access_key = kDemoSecret;
  s3_options.buckets = {{"site", "private", "Enabled"}};  // as conf/s3-origin.json
  S3Server s3(s3_options);
  const std::string s3_address = "127.0.0.1:" + std::to_string(s3.port());
  const AwsCli aws(s3.endpoint(), kDemoAccessKey, kDemoSecret);
  const AwsCliResult synced = aws.run({"s3", "sync", "--no-progress", prep.file("site"), "s3://site/"});
  ASSERT_TRUE(synced.ok()) << synced;

  TempDir run;
  Registration api(prep.file("registration.json"), s3_address, run);

  // The rendered edge config with the test's addresses: the harness adds --listen 127.0.0.1:0,
  // and the admin listener is dropped so that a running demo (127.0.0.1:8090) does not clash.
  Json edge_config = Json::parse(readFile(prep.file("edge.json")));
  edge_config["Edge"].erase("AdminListen");
  edge_config["Edge"]["OriginAddressOverrides"] = {{"site.s3.us-east-1.amazonaws.com", s3_address},
                                                   {"api.origin.test", api.address()}};
  Edged edged(edge_config, 0);

  const fs::path out = fs::path(EDGED_BINARY_DIR) / "tests" / "output" / "site_browser";
  fs::remove_all(out);
  fs::create_directories(out);
  std::cout << "[ site     ] screenshots: " << out.string() << "\n";
  const CommandResult browser = runCommand(
      {node, kSource + "/tests/browser/site.mjs", edged.url(""), out.string()}, Ms(90000));
  EXPECT_EQ(browser.status, 0) << "site.mjs stdout:\n" << browser.out << "\nstderr:\n" << browser.err
                               << "\nedged-registration:\n" << api.stderrText();
  std::cout << browser.out;

  for (const char* png : {"form.png", "history.png", "result.png"}) {
    const fs::path shot = out / png;
    ASSERT_TRUE(fs::exists(shot)) << shot;
    EXPECT_GT(fs::file_size(shot), 20000u) << shot << " is too small to show a rendered page";
    const std::string head = readFile(shot.string()).substr(0, 8);
    EXPECT_EQ(head, std::string("\x89PNG\r\n\x1a\n", 8)) << shot;
  }
}

}  // namespace
}  // namespace edge::itest
