// edged-registration's config file (README.md, "Config"): loaded and checked up front; errors
// name the file and the field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <tl/expected.hpp>

namespace edge::registration {

struct Session {
  std::string id;
  std::string title;
};

struct CertificateTarget {
  std::string endpoint;  // "host:port" of the S3 API (plain HTTP, path-style)
  std::string bucket;
  std::string key_prefix = "certificates/";
  std::string region = "us-east-1";
  std::string access_key_id;
  std::string secret_access_key;
  std::string url_prefix = "/certificates/";

  std::string objectKey(const std::string& registration_id) const {
    return key_prefix + registration_id + ".svg";
  }
  std::string url(const std::string& registration_id) const {
    return url_prefix + registration_id + ".svg";
  }
};

struct SignedCookieSettings {
  std::string key_pair_id;
  std::string private_key_file;
  int64_t ttl_seconds = 3600;
};

struct OriginVerifyHeader {
  std::string name;
  std::string value;
};

struct RegistrationConfig {
  std::string listen = "127.0.0.1:8082";
  std::string database;
  std::vector<std::string> allowed_origins;
  std::string conference_name;
  std::vector<Session> sessions;
  CertificateTarget certificates;
  std::optional<SignedCookieSettings> signed_cookies;
  std::optional<OriginVerifyHeader> origin_verify;

  const Session* findSession(const std::string& id) const {
    for (const auto& s : sessions)
      if (s.id == id) return &s;
    return nullptr;
  }
};

// Reads and checks `path`. Error text: "<path>: <Field.Path>: <problem>".
tl::expected<RegistrationConfig, std::string> loadRegistrationConfig(const std::string& path);
// The same from JSON text (`origin` names it in errors).
tl::expected<RegistrationConfig, std::string> parseRegistrationConfig(const std::string& json_text,
                                                                      const std::string& origin);

}  // namespace edge::registration
