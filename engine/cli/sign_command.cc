// `edged sign`: `aws cloudfront sign` without Python. Reads the private key file, then lets
// policies/url_signer.h build and sign the policy and the URL (or the signed cookies).
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "engine/cli/commands.h"
#include "policies/url_signer.h"

namespace edge::engine::cli {

namespace {

int usage(const std::string& msg) {
  std::fprintf(stderr, "edged sign: %s\nusage:\n%s", msg.c_str(), kSignUsage);
  return 2;
}

// "file://PATH", "fileb://PATH" (the AWS CLI's forms) or a plain PATH.
std::optional<std::string> readKeyFile(std::string_view arg) {
  for (std::string_view prefix : {"fileb://", "file://"}) {
    if (arg.starts_with(prefix)) {
      arg.remove_prefix(prefix.size());
      break;
    }
  }
  std::ifstream in{std::string(arg), std::ios::binary};
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

int runSign(int argc, char** argv) {
  policies::UrlSignRequest req;
  std::optional<std::string> key_arg, dlt_arg, dgt_arg;
  bool cookies = false;
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--cookies") {
      cookies = true;
      continue;
    }
    if (!a.starts_with("--")) return usage("unexpected argument: " + std::string(a));
    if (i + 1 >= argc) return usage(std::string(a) + " needs a value");
    const char* v = argv[++i];
    if (a == "--url") {
      req.url = v;
    } else if (a == "--policy-resource") {
      req.policy_resource = v;
    } else if (a == "--key-pair-id") {
      req.key_pair_id = v;
    } else if (a == "--private-key") {
      key_arg = v;
    } else if (a == "--date-less-than") {
      dlt_arg = v;
    } else if (a == "--date-greater-than") {
      dgt_arg = v;
    } else if (a == "--ip-address") {
      req.ip_address = v;
    } else if (a == "--hash-algorithm") {
      const std::string_view h = v;
      if (h != "SHA1" && h != "SHA256") return usage("--hash-algorithm must be SHA1 or SHA256");
      req.hash = h == "SHA1" ? policies::SignatureHash::Sha1 : policies::SignatureHash::Sha256;
    } else {
      return usage("unknown argument: " + std::string(a));
    }
  }
  if (req.url.empty()) return usage("--url is required");
  if (req.key_pair_id.empty()) return usage("--key-pair-id is required");
  if (!key_arg) return usage("--private-key is required");
  if (!dlt_arg) return usage("--date-less-than is required");
  auto date = [](const std::string& text, const char* flag) {
    const auto t = policies::parseSigningDate(text);
    if (!t) {
      std::fprintf(stderr,
                   "edged sign: invalid value for %s: \"%s\" is not a date (YYYY-MM-DD, "
                   "YYYY-MM-DDThh:mm:ss[Z|+hh:mm|-hh:mm] or epoch seconds)\n",
                   flag, text.c_str());
    }
    return t;
  };
  const auto dlt = date(*dlt_arg, "--date-less-than");
  if (!dlt) return 2;
  req.date_less_than = *dlt;
  if (dgt_arg) {
    req.date_greater_than = date(*dgt_arg, "--date-greater-than");
    if (!req.date_greater_than) return 2;
  }

  const auto pem = readKeyFile(*key_arg);
  if (!pem) {
    std::fprintf(stderr, "edged sign: cannot read the private key file %s\n", key_arg->c_str());
    return 1;
  }
  const auto key = policies::parsePrivateKeyPem(*pem);
  if (!key) {
    std::fprintf(stderr, "edged sign: %s: %s\n", key_arg->c_str(), key.error().c_str());
    return 1;
  }
  const auto out = policies::signUrl(req, *key);
  if (!out) {
    std::fprintf(stderr, "edged sign: %s\n", out.error().c_str());
    return 2;
  }
  if (cookies) {
    for (const auto& [name, value] : out->cookies)
      std::printf("%s=%s\n", name.c_str(), value.c_str());
  } else {
    // Like `aws cloudfront sign`: the URL and no newline.
    std::fputs(out->url.c_str(), stdout);
  }
  return 0;
}

}  // namespace edge::engine::cli
