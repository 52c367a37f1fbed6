// Fuzz target: configuration loading from JSON text (policies/config_load.h, parseConfig: the
// in-memory entry point loadConfigFile calls after reading the file). No file, no network.
//
// Input: the bytes are the configuration text. config_load.h documents every problem as a
// ConfigError value: an exception escaping parseConfig, a crash, UB or a leak is a finding.
// Asserted beyond that:
//  * an error names the file it was given and has a message; toString() starts with the file;
//  * parsing is deterministic (same verdict, same describeConfig text and warnings twice);
//  * what the loader promises to reject never reaches a Config: every behaviour targets an
//    origin or an origin group with members (request_fsm.cc: "the config loader rejects this;
//    never on a valid config"), its cache policy resolves (no UnknownCachePolicy), its TTLs
//    are 0 <= Min <= Default <= Max, its trusted key groups exist, and every public key parses
//    (signed_keys.h: "The loader already refuses such keys");
//  * behaviour matching works on the loaded behaviours (first match or the default).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "policies/behavior_match.h"
#include "policies/cache_settings.h"
#include "policies/config_load.h"
#include "policies/signed_keys.h"
#include "policies/ttl.h"
#include "tests/fuzz/fuzz_check.h"

using namespace edge::policies;

namespace {

constexpr std::string_view kFile = "conf/fuzz.json";

void checkBehavior(const Behavior& b, const Config& c) {
  const Origin* o = c.findOrigin(b.target_origin_id);
  if (o == nullptr) {
    bool group = false;
    for (const auto& g : c.distribution.origin_groups) {
      if (g.id == b.target_origin_id && !g.member_origin_ids.empty()) {
        group = true;
        for (const auto& m : g.member_origin_ids) FUZZ_CHECK(c.findOrigin(m) != nullptr);
      }
    }
    FUZZ_CHECK(group);
  }
  const BehaviorCacheSettings s = resolveBehaviorCacheSettings(b, c);
  FUZZ_CHECK(s.key.no_cache != NoCacheReason::UnknownCachePolicy);
  const TtlSettings t = ttlSettingsFor(b, c);
  FUZZ_CHECK(0 <= t.min_ttl && t.min_ttl <= t.default_ttl && t.default_ttl <= t.max_ttl);
  FUZZ_CHECK(s.ttl == t);
  if (b.trusted_key_groups_enabled) {
    for (const auto& g : b.trusted_key_groups) FUZZ_CHECK(c.key_groups.count(g) == 1);
    FUZZ_CHECK(TrustedKeys::resolve(b, c).has_value());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = parseConfig(text, kFile);
  const auto again = parseConfig(text, kFile);
  FUZZ_CHECK(r.has_value() == again.has_value());
  if (!r) {
    const ConfigError& e = r.error();
    FUZZ_CHECK(e.file == kFile && !e.message.empty());
    FUZZ_CHECK(e.toString().starts_with(std::string(kFile) + ": "));
    FUZZ_CHECK(e.toString() == again.error().toString());
    return 0;
  }
  const Config& c = *r;
  FUZZ_CHECK(describeConfig(c) == describeConfig(*again));
  FUZZ_CHECK(c.warnings == again->warnings);
  FUZZ_CHECK(PublicKeySet::parse(c).has_value());
  checkBehavior(c.distribution.default_behavior, c);
  for (const auto& b : c.distribution.behaviors) checkBehavior(b, c);
  for (const std::string_view path : {"/", "/index.html", "/a/b.jpg", "/images/x.png", ""}) {
    const Behavior& m = matchBehavior(c.distribution, path);
    bool known = &m == &c.distribution.default_behavior;
    for (const auto& b : c.distribution.behaviors) known = known || &m == &b;
    FUZZ_CHECK(known);
  }
  return 0;
}
