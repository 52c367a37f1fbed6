// IMF-fixdate formatting and parsing (RFC 9110 §5.6.7). Pure: the time is passed in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edge::policies {

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string formatHttpDate(int64_t epoch_seconds);
// Accepts IMF-fixdate (and the obsolete RFC 850 / asctime forms); nullopt when unparsable.
std::optional<int64_t> parseHttpDate(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12); a day past the month's end
// rolls into the next month, as timegm() normalises it. Shared by every date parser here
// (HTTP dates, SigV4's X-Amz-Date, signed-URL policy dates).
int64_t daysFromCivil(int64_t year, int month, int day);

}  // namespace edge::policies
