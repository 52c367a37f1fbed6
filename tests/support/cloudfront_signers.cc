#include "support/cloudfront_signers.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/harness.h"

#ifndef EDGED_SOURCE_DIR
#error "EDGED_SOURCE_DIR must point at the source tree (tests/interop holds the signers)"
#endif

namespace edge::itest {

std::string_view toString(Signer s) {
  switch (s) {
    case Signer::AwsCli:
      return "awscli";
    case Signer::JsSdk:
      return "jssdk";
    case Signer::Botocore:
      return "botocore";
  }
  return "?";
}

std::ostream& operator<<(std::ostream& os, Signer s) { return os << toString(s); }

std::vector<std::string> SignRequest::argv() const {
  const std::string dir = std::string(EDGED_SOURCE_DIR) + "/tests/interop/";
  // Each wrapper runs under the interpreter its header names: bash, node through /usr/bin/env
  // (wherever the machine's Node.js is), and Debian's python3 (pyenv's has another botocore).
  std::vector<std::string> a;
  switch (signer) {
    case Signer::AwsCli:
      a = {"/bin/bash", dir + "sign_awscli.sh"};
      break;
    case Signer::JsSdk:
      a = {"/usr/bin/env", "node", dir + "sign_jssdk.mjs"};
      break;
    case Signer::Botocore:
      a = {"/usr/bin/python3", dir + "sign_botocore.py"};
      break;
  }
  const auto opt = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    a.emplace_back(name);
    a.push_back(value);
  };
  opt("--url", url);
  opt("--key-pair-id", key_pair_id);
  opt("--private-key", private_key);
  opt("--date-less-than", std::to_string(date_less_than));
  if (date_greater_than) opt("--date-greater-than", std::to_string(*date_greater_than));
  opt("--ip-address", ip_address);
  opt("--resource", resource);
  opt("--mode", cookies ? "cookies" : "url");
  opt("--hash-algorithm", hash_algorithm);
  return a;
}

std::ostream& operator<<(std::ostream& os, const SignRequest& r) {
  os << r.signer;
  const std::vector<std::string> a = r.argv();
  const size_t first_option = r.signer == Signer::JsSdk ? 3 : 2;
  for (size_t i = first_option; i < a.size(); ++i) os << ' ' << a[i];
  return os;
}

std::string SignOutput::cookieHeader(std::string_view extra) const {
  std::string h = "Cookie: ";
  for (const auto& [name, value] : cookies) {
    if (h.size() > 8) h += "; ";
    h += name + "=" + value;
  }
  if (!extra.empty()) h += (h.size() > 8 ? "; " : "") + std::string(extra);
  return h;
}

namespace {

std::string memoKey(const SignRequest& r) {
  std::string key;
  for (const std::string& a : r.argv()) key += a + '\n';
  return key;
}

// The wrapper's one JSON object, or nullopt.
std::optional<SignOutput> parseOutput(const std::string& text, bool cookies) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  SignOutput out;
  if (!cookies) {
    if (!j.contains("url") || !j["url"].is_string()) return std::nullopt;
    out.url = j["url"].get<std::string>();
    return out;
  }
  if (!j.contains("cookies") || !j["cookies"].is_object()) return std::nullopt;
  for (const auto& [name, value] : j["cookies"].items()) {
    if (!value.is_string()) return std::nullopt;
    out.cookies[name] = value.get<std::string>();
  }
  return out;
}

}  // namespace

std::vector<SignOutput> SignerPool::sign(const std::vector<SignRequest>& requests) {
  struct Running {
    std::string key;
    const SignRequest* request;
    std::string out_path, err_path;
    ChildProcess proc;
  };
  TempDir dir;
  std::vector<Running> running;
  for (const SignRequest& r : requests) {
    std::string key = memoKey(r);
    bool started = memo_.count(key) != 0;
    for (const Running& p : running) started = started || p.key == key;
    if (started) continue;
    const std::string n = std::to_string(running.size());
    Running p{key, &r, dir.file(n + ".out"), dir.file(n + ".err"), {}};
    p.proc = ChildProcess(r.argv(), p.out_path, p.err_path);
    running.push_back(std::move(p));
  }
  for (Running& p : running) {
    const std::optional<int> status = p.proc.wait(Ms(60000));
    if (!status) p.proc.kill();
    const std::string out = readFile(p.out_path);
    const std::optional<SignOutput> parsed = parseOutput(out, p.request->cookies);
    if (status == 0 && parsed) {
      memo_[p.key] = *parsed;
      continue;
    }
    ADD_FAILURE() << "signer " << *p.request << "\n  "
                  << (status ? "exit status " + std::to_string(*status) : std::string("timed out"))
                  << ", stdout: " << out << "\n  stderr: " << readFile(p.err_path)
                  << "\n  The signers (awscli, python3-botocore, @aws-sdk/cloudfront-signer in "
                     "tests/interop) are installed by scripts/setup.sh: run it.";
  }
  std::vector<SignOutput> results;
  for (const SignRequest& r : requests) {
    const auto it = memo_.find(memoKey(r));
    results.push_back(it == memo_.end() ? SignOutput{} : it->second);
  }
  return results;
}

// ---------------------------------------------------------------------------------------------

QueryUrl QueryUrl::parse(std::string_view url) {
  QueryUrl q;
  const size_t mark = url.find('?');
  q.base = std::string(url.substr(0, mark));
  if (mark == std::string_view::npos) return q;
  std::string_view rest = url.substr(mark + 1);
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const size_t eq = pair.find('=');
    q.params.emplace_back(std::string(pair.substr(0, eq)),
                          eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
  }
  return q;
}

std::string QueryUrl::str() const {
  std::string s = base;
  for (size_t i = 0; i < params.size(); ++i) {
    s += (i == 0 ? "?" : "&") + params[i].first + "=" + params[i].second;
  }
  return s;
}

std::optional<std::string> QueryUrl::get(std::string_view name) const {
  for (const auto& [n, v] : params) {
    if (n == name) return v;
  }
  return std::nullopt;
}

QueryUrl& QueryUrl::set(std::string_view name, std::string value) {
  for (auto& [n, v] : params) {
    if (n == name) {
      v = std::move(value);
      return *this;
    }
  }
  return add(std::string(name), std::move(value));
}

QueryUrl& QueryUrl::remove(std::string_view name) {
  std::erase_if(params, [&](const auto& p) { return p.first == name; });
  return *this;
}

QueryUrl& QueryUrl::add(std::string name, std::string value) {
  params.emplace_back(std::move(name), std::move(value));
  return *this;
}

// ---------------------------------------------------------------------------------------------

namespace {
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-~";  // 62 → '-', 63 → '~'
constexpr char kPad = '_';
}  // namespace

std::string cloudFrontBase64(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t v = 0;
    for (size_t k = 0; k < 3; ++k) {
      v = (v << 8) | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
    }
    for (size_t k = 0; k < 4; ++k) {
      out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : kPad;
    }
  }
  return out;
}

std::optional<std::string> fromCloudFrontBase64(std::string_view text) {
  while (!text.empty() && text.back() == kPad) text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  uint32_t v = 0;
  int bits = 0;
  for (char c : text) {
    const size_t d = kAlphabet.find(c);
    if (d == std::string_view::npos) return std::nullopt;
    v = (v << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xff);
    }
  }
  return out;
}

}  // namespace edge::itest
