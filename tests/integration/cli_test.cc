// The edged command line: check-config (exit 0 / exit 2 with "FILE: field.path: message"),
// --version, --help, and serve refusing a bad configuration.
#include <gtest/gtest.h>

#include "support/harness.h"

namespace edge::itest {
namespace {

// A configuration that is valid on its own (no ${ORIGIN_PORT} placeholder left).
nlohmann::json validConfig() {
  auto cfg = baseConfig();
  cfg["Edge"]["OriginAddressOverrides"]["origin.test"] = "127.0.0.1:9";
  addOrigin(cfg, makeOrigin("o2", "api.test", "/v2"), "127.0.0.1:9");
  addBehavior(cfg, makeBehavior("/api/*", "o2"));
  addBehavior(cfg, makeBehavior("*.jpg", "o1"));
  return cfg;
}

class Cli : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text) {
    std::string path = dir_.file(name);
    writeFile(path, text);
    return path;
  }
  TempDir dir_;
};

TEST_F(Cli, CheckConfigAcceptsValidFileAndListsBehaviours) {
  std::string path = write("good.json", validConfig().dump(2));
  CommandResult r = runCommand({EDGED_BIN, "check-config", path});
  EXPECT_EQ(r.status, 0) << r.err;
  size_t api = r.out.find("/api/*");
  size_t jpg = r.out.find("*.jpg");
  EXPECT_NE(api, std::string::npos) << r.out;
  EXPECT_NE(jpg, std::string::npos) << r.out;
  EXPECT_LT(api, jpg) << "behaviours not listed in evaluation order:\n" << r.out;
  EXPECT_NE(r.out.find("o2"), std::string::npos) << r.out;
}

TEST_F(Cli, CheckConfigNamesFileAndFieldOfAnEmptyPathPattern) {
  auto cfg = validConfig();
  cfg["DistributionConfig"]["CacheBehaviors"]["Items"][1]["PathPattern"] = "";
  std::string path = write("bad-pattern.json", cfg.dump(2));
  CommandResult r = runCommand({EDGED_BIN, "check-config", path});
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(path + ": DistributionConfig.CacheBehaviors.Items[1].PathPattern:"),
            std::string::npos)
      << r.err;
}

TEST_F(Cli, CheckConfigReportsJsonSyntaxErrorWithFileName) {
  std::string text = validConfig().dump(2);
  text.resize(text.size() / 2);  // cut in the middle
  std::string path = write("truncated.json", text);
  CommandResult r = runCommand({EDGED_BIN, "check-config", path});
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
}

TEST_F(Cli, CheckConfigReportsMissingFile) {
  std::string path = dir_.file("does-not-exist.json");
  CommandResult r = runCommand({EDGED_BIN, "check-config", path});
  EXPECT_GT(r.status, 0) << r.out;
  EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
}

TEST_F(Cli, VersionAndHelp) {
  CommandResult v = runCommand({EDGED_BIN, "--version"});
  EXPECT_EQ(v.status, 0) << v.err;
  EXPECT_NE(v.out.find(EDGED_VERSION), std::string::npos) << v.out;
  CommandResult h = runCommand({EDGED_BIN, "--help"});
  EXPECT_EQ(h.status, 0) << h.err;
  std::string text = h.out + h.err;
  EXPECT_NE(text.find("serve"), std::string::npos) << text;
  EXPECT_NE(text.find("check-config"), std::string::npos) << text;
}

TEST_F(Cli, UnknownCommandFails) {
  CommandResult r = runCommand({EDGED_BIN, "frobnicate"});
  EXPECT_GT(r.status, 0);
  EXPECT_FALSE(r.err.empty());
}

TEST_F(Cli, ServeRefusesInvalidConfig) {
  auto cfg = validConfig();
  cfg["DistributionConfig"]["CacheBehaviors"]["Items"][1]["PathPattern"] = "";
  std::string path = write("bad-serve.json", cfg.dump(2));
  CommandResult r = runCommand({EDGED_BIN, "serve", "--config", path, "--listen", "127.0.0.1:0",
                                "--ready-file", dir_.file("ready")},
                               Ms(5000));
  EXPECT_GT(r.status, 0) << "serve with an invalid config did not fail (status " << r.status << ")";
  EXPECT_NE(r.err.find("DistributionConfig.CacheBehaviors.Items[1].PathPattern"), std::string::npos)
      << r.err;
  EXPECT_TRUE(readFile(dir_.file("ready")).empty());
}

}  // namespace
}  // namespace edge::itest
