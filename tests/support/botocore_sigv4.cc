#include "support/botocore_sigv4.h"

#include <openssl/evp.h>

#include <algorithm>

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

// EVP_DecodeBlock counts the '=' padding as zero bytes: dropped here.
std::string base64Decode(const std::string& text) {
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  EXPECT_GE(n, 0) << text;
  out.resize(static_cast<size_t>(std::max(n, 0)));
  const size_t last = text.find_last_not_of('=');
  const size_t pad = last == std::string::npos ? 0 : text.size() - 1 - last;
  out.resize(out.size() - std::min(pad, out.size()));
  return out;
}

}  // namespace edge::itest
