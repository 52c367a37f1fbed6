#include "policies/http_date.h"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string_view>
#include <cstring>
#include <ctime>

namespace edge::policies {

namespace {
constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int monthIndex(std::string_view m) {
  for (int i = 0; i < 12; ++i) {
    if (m == kMonths[i]) return i;
  }
  return -1;
}

bool twoOrFourDigits(std::string_view s, size_t pos, size_t n, int& out) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// The fast path for the one format senders must produce (RFC 9110 §5.6.7), exactly 29 bytes:
// "Sun, 06 Nov 1994 08:49:37 GMT". nullopt sends the caller to the general parser.
std::optional<int64_t> parseImfFixdate(std::string_view s) {
  if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
      s[16] != ' ' || s[19] != ':' || s[22] != ':' || s[25] != ' ' || s.substr(26) != "GMT") {
    return std::nullopt;
  }
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  const int m = monthIndex(s.substr(8, 3));
  if (m < 0 || !twoOrFourDigits(s, 5, 2, day) || !twoOrFourDigits(s, 12, 4, year) ||
      !twoOrFourDigits(s, 17, 2, hh) || !twoOrFourDigits(s, 20, 2, mm) ||
      !twoOrFourDigits(s, 23, 2, ss)) {
    return std::nullopt;
  }
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  return daysFromCivil(year, m + 1, day) * 86400 + hh * 3600 + mm * 60 + ss;
}
}  // namespace

std::string formatHttpDate(int64_t epoch_seconds) {
  const time_t t = static_cast<time_t>(epoch_seconds);
  struct tm tm {};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday], tm.tm_mday,
                kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::optional<int64_t> parseHttpDate(std::string_view text) {
  if (auto fast = parseImfFixdate(text)) return fast;
  const std::string s(text);
  struct tm tm {};
  char wday[16] = {0}, mon[4] = {0};
  int day = 0, year = 0, hh = 0, mm = 0, ss = 0;
  char tz[4] = {0};
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  if (std::sscanf(s.c_str(), "%3s, %2d %3s %4d %2d:%2d:%2d %3s", wday, &day, mon, &year, &hh, &mm, &ss,
                  tz) == 8 &&
      std::strcmp(tz, "GMT") == 0) {
  } else if (std::sscanf(s.c_str(), "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d %3s", wday, &day, mon, &year,
                         &hh, &mm, &ss, tz) == 8 &&
             std::strcmp(tz, "GMT") == 0) {
    year += year < 70 ? 2000 : 1900;  // RFC 850: two-digit year
  } else if (std::sscanf(s.c_str(), "%3s %3s %2d %2d:%2d:%2d %4d", wday, mon, &day, &hh, &mm, &ss,
                         &year) == 7) {
  } else {
    return std::nullopt;
  }
  const int m = monthIndex(mon);
  if (m < 0 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = m;
  tm.tm_mday = day;
  tm.tm_hour = hh;
  tm.tm_min = mm;
  tm.tm_sec = ss;
  return static_cast<int64_t>(timegm(&tm));
}

int64_t daysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace edge::policies
