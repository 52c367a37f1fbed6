#include "engine/admin/dashboard_assets.h"

namespace edge::engine {

const EmbeddedFile* findDashboardFile(std::string_view url_path) {
  for (const EmbeddedFile& f : dashboardFiles()) {
    if (f.url_path == url_path) return &f;
  }
  return nullptr;
}

std::string_view dashboardContentType(std::string_view file_name) {
  if (file_name.ends_with(".html")) return "text/html; charset=utf-8";
  if (file_name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (file_name.ends_with(".css")) return "text/css; charset=utf-8";
  if (file_name.ends_with(".svg")) return "image/svg+xml";
  return "text/plain; charset=utf-8";
}

}  // namespace edge::engine
