#include "support/botocore_sigv4.h"

#include "support/harness.h"

#ifndef EDGED_SOURCE_DIR
#error "EDGED_SOURCE_DIR must point at the source tree (tests/interop holds the botocore wrapper)"
#endif

namespace edge::itest {

nlohmann::json runBotocoreSigv4(std::string_view mode, const nlohmann::json& cases) {
  TempDir dir;
  const std::string path = dir.file("cases.json");
  writeFile(path, cases.dump());
  const CommandResult r = runCommand(
      {"/usr/bin/python3", std::string(EDGED_SOURCE_DIR) + "/tests/interop/sigv4_botocore.py",
       std::string(mode), path},
      Ms(60000));
  const nlohmann::json out = nlohmann::json::parse(r.out, nullptr, false);
  if (r.status != 0 || !out.is_array() || out.size() != cases.size()) {
    ADD_FAILURE() << "sigv4_botocore.py " << mode << ": exit status " << r.status
                  << "\n  stdout: " << r.out << "\n  stderr: " << r.err
                  << "\n  It needs Debian's /usr/bin/python3 with python3-botocore "
                     "(scripts/setup.sh installs it).";
    return nlohmann::json::array();
  }
  return out;
}

}  // namespace edge::itest
