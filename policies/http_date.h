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

}  // namespace edge::policies
