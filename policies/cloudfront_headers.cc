#include "policies/cloudfront_headers.h"

#include <initializer_list>

namespace edge::policies {

namespace {

bool containsAny(std::string_view haystack, std::initializer_list<std::string_view> needles) {
  for (std::string_view n : needles) {
    if (haystack.find(n) != std::string_view::npos) return true;
  }
  return false;
}

struct Device {
  bool mobile, tablet, smart_tv, android, ios;
  bool desktop() const { return !mobile && !tablet && !smart_tv; }
};

// AWS's classifier is unpublished; this is the substring set suggested in §13.3.
Device classify(std::string_view ua) {
  Device d{};
  d.tablet = containsAny(ua, {"iPad", "Tablet"});
  d.mobile = !d.tablet && containsAny(ua, {"Mobi", "Android", "iPhone"});
  d.smart_tv = containsAny(ua, {"SmartTV", "AppleTV"});
  d.android = ua.find("Android") != std::string_view::npos;
  d.ios = containsAny(ua, {"iPhone", "iPad", "iPod"});
  return d;
}

std::string flag(bool b) { return b ? "true" : "false"; }

}  // namespace

bool isCloudFrontGeneratedHeader(std::string_view name) {
  if (!istartsWith(name, "cloudfront-")) return false;  // the common case, no allocation
  return iequals(name, "cloudfront-forwarded-proto") || istartsWith(name, "cloudfront-viewer-") ||
         (istartsWith(name, "cloudfront-is-") && name.size() >= 7 &&
          iequals(name.substr(name.size() - 7), "-viewer"));
}

std::optional<std::string> cloudFrontGeneratedHeader(std::string_view name,
                                                     const ViewerRequest& viewer) {
  const std::string n = toLower(name);
  const std::string version =
      std::to_string(viewer.http_major) + "." + std::to_string(viewer.http_minor);
  if (n == "cloudfront-forwarded-proto") return "http";
  if (n == "cloudfront-viewer-http-version") return version;
  if (n == "cloudfront-viewer-address") {
    return viewer.client_ip + ":" + std::to_string(viewer.client_port);
  }
  if (n == "cloudfront-viewer-country") return "US";
  if (n == "cloudfront-viewer-header-count") return std::to_string(viewer.headers.size());
  if (n == "cloudfront-viewer-header-order") {
    std::string order;
    for (const Header& h : viewer.headers) {
      if (!order.empty()) order += ':';
      order += h.name;
    }
    if (order.size() > 7680) order.resize(7680);
    return order;
  }
  if (n.starts_with("cloudfront-is-")) {
    const Device d = classify(viewer.headers.get("user-agent").value_or(""));
    if (n == "cloudfront-is-mobile-viewer") return flag(d.mobile);
    if (n == "cloudfront-is-tablet-viewer") return flag(d.tablet);
    if (n == "cloudfront-is-smarttv-viewer") return flag(d.smart_tv);
    if (n == "cloudfront-is-desktop-viewer") return flag(d.desktop());
    if (n == "cloudfront-is-android-viewer") return flag(d.android);
    if (n == "cloudfront-is-ios-viewer") return flag(d.ios);
  }
  return std::nullopt;
}

}  // namespace edge::policies
