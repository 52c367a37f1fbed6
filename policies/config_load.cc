// Entry points of the config loader. The sections live in config_load_{resources,edge,
// distribution,behavior}.cc; this file owns the top level and turns every failure into a value.
#include "policies/config_load.h"

#include <fstream>
#include <sstream>

#include "policies/config_load_internal.h"

namespace edge::policies {

using config_detail::Json;
using config_detail::LoadContext;
using config_detail::LoadFailure;
using config_detail::ObjectReader;

std::string ConfigError::toString() const {
  if (field.empty()) return file + ": " + message;
  return file + ": " + field + ": " + message;
}

namespace {

void loadRoot(LoadContext& ctx, const Json& doc) {
  ObjectReader root(ctx, doc, "");
  Config& config = ctx.config();
  config.etag = root.string("ETag");
  // Resources first: behaviours refer to them by Id.
  config_detail::loadResources(root);
  if (const Json* edge = root.find("Edge")) config_detail::loadEdge(ctx, *edge, "Edge");
  config_detail::loadDistribution(ctx, root.require("DistributionConfig"), "DistributionConfig");
  root.finish();
}

}  // namespace

tl::expected<Config, ConfigError> parseConfig(std::string_view json_text,
                                              std::string_view file_name) {
  const std::string file(file_name);
  Config config;
  config.source_path = file;
  try {
    const Json doc = Json::parse(json_text.begin(), json_text.end());
    if (!doc.is_object()) {
      return tl::unexpected(ConfigError{file, "", "top level must be a JSON object"});
    }
    LoadContext ctx(file, config);
    loadRoot(ctx, doc);
  } catch (const LoadFailure& f) {
    return tl::unexpected(ConfigError{file, f.field, f.message});
  } catch (const Json::parse_error& e) {
    return tl::unexpected(ConfigError{file, "", std::string("invalid JSON: ") + e.what()});
  } catch (const std::exception& e) {
    return tl::unexpected(ConfigError{file, "", std::string("cannot load: ") + e.what()});
  } catch (...) {
    return tl::unexpected(ConfigError{file, "", "cannot load: unknown error"});
  }
  return config;
}

tl::expected<Config, ConfigError> loadConfigFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(ConfigError{path, "", "cannot open file"});
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return tl::unexpected(ConfigError{path, "", "read error"});
  return parseConfig(text.str(), path);
}

}  // namespace edge::policies
