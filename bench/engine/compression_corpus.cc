#include "bench/engine/compression_corpus.h"

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <string_view>

namespace edge::bench {
namespace {

// splitmix64: small, fast and the same everywhere (std:: distributions are not specified
// bit-for-bit across standard libraries, so they are not used).
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  uint64_t s_;
};

// clang-format off
constexpr std::string_view kWords[] = {
    "the", "and", "for", "with", "your", "this", "from", "our", "new", "all", "more", "free",
    "shipping", "order", "today", "best", "price", "quality", "design", "classic", "modern",
    "lightweight", "durable", "cotton", "leather", "steel", "wooden", "organic", "recycled",
    "premium", "comfort", "outdoor", "kitchen", "garden", "travel", "office", "running", "hiking",
    "winter", "summer", "spring", "autumn", "black", "white", "navy", "olive", "charcoal", "sand",
    "crimson", "teal", "jacket", "backpack", "lamp", "chair", "table", "kettle", "blender",
    "notebook", "pen", "mug", "bottle", "blanket", "pillow", "sofa", "shelf", "rug", "mirror",
    "clock", "speaker", "headphones", "charger", "cable", "keyboard", "monitor", "camera", "lens",
    "tripod", "tent", "stove", "lantern", "boots", "sneakers", "socks", "scarf", "gloves", "hat",
    "sunglasses", "watch", "wallet", "belt", "umbrella", "towel", "soap", "candle", "vase",
    "planter", "seeds", "soil", "hose", "rake", "shovel", "drill", "hammer", "wrench", "tape",
    "glue", "paint", "brush", "canvas", "easel", "guitar", "strings", "drum", "violin", "piano",
    "is", "are", "was", "made", "built", "designed", "crafted", "tested", "loved", "rated", "by",
    "in", "on", "at", "to", "of", "a", "an", "it", "you", "we", "they", "every", "each", "day",
    "week", "year", "home", "city", "trail", "beach", "mountain", "river", "forest", "easy",
    "simple", "fast", "quiet", "strong", "soft", "warm", "cool", "dry", "waterproof", "breathable",
    "adjustable", "portable", "foldable", "stackable", "washable", "reusable", "compact",
    "spacious", "elegant", "rustic", "minimal", "bold", "bright", "subtle", "natural", "handmade",
    "imported", "local", "sustainable", "certified", "warranty", "returns", "size", "fit", "color",
    "material", "weight", "dimensions", "care", "instructions", "reviews", "customers",
    "bestseller", "limited", "edition", "collection", "exclusive", "online", "store", "pickup",
    "delivery", "express", "standard", "gift", "wrap", "card", "members", "save", "percent", "off",
    "sale", "clearance", "bundle", "set", "pack", "pair", "piece", "kit", "refill", "replacement",
    "accessory", "compatible", "includes", "features", "perfect", "ideal", "great", "favorite",
    "essential", "everyday", "weekend", "family", "kids", "adults", "pets", "beginners",
    "professionals", "gardeners", "cooks", "readers", "makers", "climbers", "cyclists", "runners",
    "campers", "artists"};
// clang-format on

constexpr std::array<std::string_view, 12> kCategories = {
    "Outdoor", "Kitchen", "Home",  "Garden",  "Office",   "Travel",
    "Audio",   "Photo",   "Music", "Apparel", "Footwear", "Tools"};
constexpr std::array<std::string_view, 16> kCities = {
    "Lisbon", "Oslo",  "Kyoto", "Austin", "Dublin",  "Lyon",    "Porto", "Denver",
    "Zurich", "Osaka", "Malmo", "Leeds",  "Seattle", "Bristol", "Turin", "Ghent"};

// A skewed pick: common words are much more frequent than rare ones, as in real text.
std::string_view word(Rng& r) {
  const double u = r.unit();
  return kWords[static_cast<size_t>(u * u * std::size(kWords))];
}

void words(Rng& r, std::string& out, int n, bool sentence) {
  for (int i = 0; i < n; ++i) {
    std::string_view w = word(r);
    if (i > 0) out += ' ';
    if (sentence && i == 0) {
      out += static_cast<char>(w[0] - 'a' + 'A');
      out.append(w.substr(1));
    } else {
      out.append(w);
    }
  }
  if (sentence) out += '.';
}

void paragraph(Rng& r, std::string& out, int sentences) {
  for (int s = 0; s < sentences; ++s) {
    if (s > 0) out += ' ';
    words(r, out, 6 + static_cast<int>(r.below(12)), true);
  }
}

std::string slug(Rng& r, int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    if (i > 0) s += '-';
    s.append(word(r));
  }
  return s;
}

__attribute__((format(printf, 2, 3))) void appendf(std::string& out, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  const int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0) out.append(buf, std::min(static_cast<size_t>(n), sizeof buf - 1));
}

void htmlProductCard(Rng& r, std::string& out, int i) {
  const uint64_t id = 100'000 + r.below(900'000);
  const std::string name = slug(r, 3);
  const unsigned cents = static_cast<unsigned>(499 + r.below(49'500));
  const bool sale = r.below(4) == 0;
  appendf(out,
          "      <li class=\"product-card%s\" data-product-id=\"%llu\" data-position=\"%d\">\n",
          sale ? " product-card--sale" : "", static_cast<unsigned long long>(id), i);
  appendf(out, "        <a href=\"/p/%s-%llu\" class=\"product-card__link\">\n", name.c_str(),
          static_cast<unsigned long long>(id));
  appendf(out, "          <img src=\"https://img.example.com/%llx/%s_%dx%d.webp\" alt=\"",
          static_cast<unsigned long long>(r.next() & 0xffffffffffull), name.c_str(), 320, 240);
  words(r, out, 4 + static_cast<int>(r.below(5)), false);
  out += "\" loading=\"lazy\" width=\"320\" height=\"240\">\n";
  out += "          <h3 class=\"product-card__title\">";
  words(r, out, 3 + static_cast<int>(r.below(4)), true);
  out += "</h3>\n        </a>\n        <p class=\"product-card__desc\">";
  paragraph(r, out, 1 + static_cast<int>(r.below(2)));
  out += "</p>\n";
  appendf(out, "        <div class=\"price\"><span class=\"price__now\">$%u.%02u</span>",
          cents / 100, cents % 100);
  if (sale) {
    const unsigned was = cents + cents / (2 + static_cast<unsigned>(r.below(4)));
    appendf(out, "<s class=\"price__was\">$%u.%02u</s>", was / 100, was % 100);
  }
  out += "</div>\n";
  appendf(out,
          "        <div class=\"rating\" aria-label=\"Rated %u.%u out of 5\"><span "
          "style=\"width:%u%%\">"
          "</span> (%llu reviews)</div>\n",
          static_cast<unsigned>(2 + r.below(3)), static_cast<unsigned>(r.below(10)),
          static_cast<unsigned>(40 + r.below(61)), static_cast<unsigned long long>(r.below(4000)));
  appendf(out,
          "        <button type=\"button\" class=\"btn btn--add\" data-sku=\"%c%c-%04llu\">Add to "
          "cart</button>\n      </li>\n",
          static_cast<char>('A' + r.below(26)), static_cast<char>('A' + r.below(26)),
          static_cast<unsigned long long>(r.below(10'000)));
}

}  // namespace

std::string makeHtmlPage(size_t min_bytes) {
  Rng r(0x5eed'4a7e'0001ull);
  std::string out;
  out.reserve(min_bytes + 8192);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>";
  words(r, out, 5, true);
  out += " | Example Store</title>\n<meta name=\"description\" content=\"";
  paragraph(r, out, 2);
  out += "\">\n";
  for (int i = 0; i < 4; ++i) {
    appendf(out, "<link rel=\"stylesheet\" href=\"/static/css/%s.%08llx.css\">\n",
            slug(r, 1).c_str(), static_cast<unsigned long long>(r.next() & 0xffffffffull));
  }
  appendf(out,
          "<script type=\"application/ld+json\">{\"@context\":\"https://schema.org\",\"@type\":"
          "\"WebSite\",\"url\":\"https://www.example.com/\",\"potentialAction\":{\"@type\":"
          "\"SearchAction\",\"target\":\"https://www.example.com/search?q={q}\"}}</script>\n");
  out +=
      "</head>\n<body class=\"page page--listing\">\n<header class=\"site-header\">\n"
      "  <nav class=\"nav\" aria-label=\"Main\">\n    <ul class=\"nav__list\">\n";
  for (std::string_view c : kCategories) {
    appendf(out, "      <li class=\"nav__item\"><a href=\"/c/%.*s?ref=nav\">%.*s</a></li>\n",
            static_cast<int>(c.size()), c.data(), static_cast<int>(c.size()), c.data());
  }
  out += "    </ul>\n  </nav>\n</header>\n<main id=\"content\">\n";
  int section = 0;
  int position = 0;
  // Sections of product cards with an editorial paragraph, until the size is reached; the
  // footer and closing tags follow.
  while (out.size() + 1500 < min_bytes) {
    const std::string_view cat = kCategories[r.below(kCategories.size())];
    appendf(out, "  <section class=\"listing\" id=\"section-%d\">\n    <h2>%.*s: ", section++,
            static_cast<int>(cat.size()), cat.data());
    words(r, out, 3 + static_cast<int>(r.below(3)), true);
    out += "</h2>\n    <p class=\"listing__intro\">";
    paragraph(r, out, 2 + static_cast<int>(r.below(3)));
    out += "</p>\n    <ul class=\"listing__grid\">\n";
    const int cards = 4 + static_cast<int>(r.below(5));
    for (int c = 0; c < cards && out.size() + 1500 < min_bytes; ++c) {
      htmlProductCard(r, out, position++);
    }
    out += "    </ul>\n  </section>\n";
  }
  out += "</main>\n<footer class=\"site-footer\">\n  <p>";
  paragraph(r, out, 2);
  out += "</p>\n  <ul class=\"stores\">\n";
  while (out.size() < min_bytes) {
    const std::string_view city = kCities[r.below(kCities.size())];
    appendf(out, "    <li><a href=\"/stores/%.*s-%llu\">%.*s, open %u:00-%u:00</a></li>\n",
            static_cast<int>(city.size()), city.data(),
            static_cast<unsigned long long>(r.below(100)), static_cast<int>(city.size()),
            city.data(), static_cast<unsigned>(7 + r.below(4)),
            static_cast<unsigned>(17 + r.below(6)));
  }
  out +=
      "  </ul>\n</footer>\n<script src=\"/static/js/app.js\" defer></script>\n</body>\n</html>\n";
  return out;
}

std::string makeJsonDocument(size_t min_bytes) {
  Rng r(0x5eed'4a7e'0002ull);
  std::string out;
  out.reserve(min_bytes + 4096);
  out += "{\"api_version\":\"2026-03-01\",\"request_id\":\"";
  appendf(out, "%016llx", static_cast<unsigned long long>(r.next()));
  out += "\",\"items\":[";
  uint64_t id = 4'000'000 + r.below(1'000'000);
  for (int i = 0; out.size() < min_bytes; ++i) {
    if (i > 0) out += ',';
    id += 1 + r.below(40);
    const std::string_view cat = kCategories[r.below(kCategories.size())];
    const std::string_view city = kCities[r.below(kCities.size())];
    appendf(out, "{\"id\":%llu,\"sku\":\"%c%c-%05llu\",\"name\":\"",
            static_cast<unsigned long long>(id), static_cast<char>('A' + r.below(26)),
            static_cast<char>('A' + r.below(26)),
            static_cast<unsigned long long>(r.below(100'000)));
    words(r, out, 2 + static_cast<int>(r.below(4)), false);
    appendf(out, "\",\"category\":\"%.*s\",\"price\":{\"amount\":%llu.%02llu,\"currency\":\"%s\"},",
            static_cast<int>(cat.size()), cat.data(),
            static_cast<unsigned long long>(1 + r.below(900)),
            static_cast<unsigned long long>(r.below(100)), r.below(5) == 0 ? "EUR" : "USD");
    appendf(out, "\"stock\":%llu,\"rating\":%llu.%llu,\"reviews\":%llu,\"active\":%s,",
            static_cast<unsigned long long>(r.below(500)),
            static_cast<unsigned long long>(1 + r.below(4)),
            static_cast<unsigned long long>(r.below(10)),
            static_cast<unsigned long long>(r.below(5000)), r.below(10) == 0 ? "false" : "true");
    appendf(out, "\"created_at\":\"2026-%02llu-%02lluT%02llu:%02llu:%02lluZ\",",
            static_cast<unsigned long long>(1 + r.below(12)),
            static_cast<unsigned long long>(1 + r.below(28)),
            static_cast<unsigned long long>(r.below(24)),
            static_cast<unsigned long long>(r.below(60)),
            static_cast<unsigned long long>(r.below(60)));
    out += "\"tags\":[";
    const int tags = static_cast<int>(r.below(5));
    for (int t = 0; t < tags; ++t) {
      if (t > 0) out += ',';
      out += '"';
      out.append(word(r));
      out += '"';
    }
    out += "],\"description\":\"";
    paragraph(r, out, 1 + static_cast<int>(r.below(3)));
    appendf(out,
            "\",\"warehouse\":{\"city\":\"%.*s\",\"lat\":%.5f,\"lon\":%.5f},\"image\":"
            "\"https://img.example.com/%llx.jpg\"}",
            static_cast<int>(city.size()), city.data(), -60 + 120 * r.unit(), -180 + 360 * r.unit(),
            static_cast<unsigned long long>(r.next() & 0xffffffffffull));
  }
  appendf(out, "],\"next_cursor\":\"%016llx\"}\n", static_cast<unsigned long long>(r.next()));
  return out;
}

}  // namespace edge::bench
