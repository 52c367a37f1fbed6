// The origin response's Cache-Control, parsed once into a value (RFC 9111 §5.2, RFC 5861).
// Pure and allocation-free for the common directives (field-name lists of the qualified
// no-cache / private forms are the only owned text, and short lists fit the small-string buffer).
//
// Robustness choices (RFC 9111 §4.2.1 and §5.2, documented once here):
//  * Directive names are case-insensitive; unknown directives are ignored (RFC 9111 §5.2.3).
//  * Arguments may use token or quoted-string form ("recipients ought to accept both forms",
//    RFC 9111 §5.2); commas inside a quoted string do not split directives; `\` escapes the next
//    character inside quotes.
//  * Duplicated valued directives (max-age, s-maxage, stale-while-revalidate, stale-if-error):
//    the FIRST occurrence wins (RFC 9111 §4.2.1 "either the first occurrence should be used…").
//  * An invalid delta-seconds argument (missing, empty, negative, non-digits, a fraction) makes
//    the directive count as present with value 0, i.e. stale / no stale window: the most
//    restrictive reading, as RFC 9111 §4.2.1 encourages ("consider responses that have invalid
//    freshness information … to be stale"). `malformed` records that this happened.
//  * Values beyond kMaxDeltaSeconds saturate to it (RFC 9111 §1.2.2 lets a cache cap at the
//    greatest value it represents conveniently; CloudFront honours max-age up to 100 years, §3.1).
//  * Flag directives are idempotent; an argument on one (`no-store=1`) is ignored. The bare and
//    the qualified form of no-cache / private may both appear: the bare form wins for
//    cacheability and the qualified field names are merged (most restrictive).
// Multiple Cache-Control field lines are parsed line by line (parseResponseCacheControl on the
// HeaderList, or each line fed to parseResponseCacheControlInto): that is the reference reading,
// and an unterminated quoted-string ends at the end of its own line. Joining the lines with ", "
// first (HeaderList::getJoined) gives the same result only when no line ends inside an
// unterminated quoted-string; otherwise the open quote would swallow the following lines and
// directives such as a later line's no-cache would be lost (found by tests/fuzz).
//
// No request-side parser: CloudFront ignores the viewer's Cache-Control and Pragma for cache
// decisions (§3.1), so nothing in edged would consume one.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "policies/http_types.h"

namespace edge::policies {

// 100 years in seconds: the largest max-age CloudFront honours (§3.1) and the TTL settings' cap.
inline constexpr int64_t kMaxDeltaSeconds = 3'153'600'000;

struct ResponseCacheControl {
  std::optional<int64_t> max_age;  // RFC 9111 §5.2.2.1 max-age=delta-seconds
  std::optional<int64_t>
      s_maxage;           // RFC 9111 §5.2.2.10 s-maxage (shared caches: wins over max-age)
  bool no_store = false;  // RFC 9111 §5.2.2.5
  bool no_cache = false;  // RFC 9111 §5.2.2.4, unqualified form only
  // RFC 9111 §5.2.2.4 qualified form no-cache="a, b": lower-cased field names joined by ','
  // (no spaces); "" when absent. Does not make the response uncacheable (§3.2 notes).
  std::string no_cache_fields;
  bool is_private = false;        // RFC 9111 §5.2.2.7 private, unqualified form only
  std::string private_fields;     // qualified private="…", same format as no_cache_fields
  bool is_public = false;         // RFC 9111 §5.2.2.9 public (no TTL effect in CloudFront)
  bool must_revalidate = false;   // RFC 9111 §5.2.2.2
  bool proxy_revalidate = false;  // RFC 9111 §5.2.2.8
  bool no_transform = false;      // RFC 9111 §5.2.2.6
  bool immutable = false;         // RFC 8246 §2
  std::optional<int64_t> stale_while_revalidate;  // RFC 5861 §3
  std::optional<int64_t> stale_if_error;          // RFC 5861 §4
  bool malformed = false;  // some directive had an invalid argument (read as 0, see above)

  // True when the qualified no-cache or private form names `field` (case-insensitive).
  bool namesNoCacheField(std::string_view field) const;
  bool namesPrivateField(std::string_view field) const;
  // True when the qualified forms keep `field` out of a shared cache's stored copy (§3.10
  // no-cache="Set-Cookie"; private="Set-Cookie" read the same way, inf).
  bool excludesFieldFromStore(std::string_view field) const {
    return namesNoCacheField(field) || namesPrivateField(field);
  }

  bool operator==(const ResponseCacheControl&) const = default;
};
// Canonical directive list, e.g. `max-age=60, no-cache="set-cookie", public` ("<empty>" if none).
std::ostream& operator<<(std::ostream& os, const ResponseCacheControl& cc);

// One field value (or several lines already joined, see above).
ResponseCacheControl parseResponseCacheControl(std::string_view header_value);
// Every Cache-Control field line of `headers` (case-insensitive name), line by line.
ResponseCacheControl parseResponseCacheControl(const HeaderList& headers);
// Adds the directives of one more field line to `cc` with the rules above (first valued
// occurrence wins, flags accumulate). Lets callers avoid joining multiple lines.
void parseResponseCacheControlInto(std::string_view header_value, ResponseCacheControl& cc);

// delta-seconds (RFC 9111 §1.2.2): 1*DIGIT, saturating at kMaxDeltaSeconds; nullopt otherwise.
// Also used for the Age header (RFC 9111 §5.1).
std::optional<int64_t> parseDeltaSeconds(std::string_view text);

}  // namespace edge::policies
