// The admin dashboard's files (GET / on the admin listener): the page in engine/admin/dashboard/
// and uPlot, the chart library vendored from npm into conf/dashboard-vendor by scripts/setup.sh.
// They are embedded into the binary at build time (cmake/embed_files.cmake writes the table
// into the build tree), so `edged serve` stays one self-contained file that needs no asset
// directory at run time; the build fails with a message naming scripts/setup.sh when the
// vendored files are missing. Immutable data, any thread.
#pragma once

#include <span>
#include <string_view>

namespace edge::engine {

struct EmbeddedFile {
  std::string_view url_path;   // what GET asks for: "/", "/dashboard.js", "/vendor/uplot/…"
  std::string_view file_name;  // the source file's name: its extension gives the content type
  std::string_view bytes;
};

// Every embedded file (generated: <build>/generated/dashboard_files.cc).
std::span<const EmbeddedFile> dashboardFiles();

// The file served at `url_path`, or null.
const EmbeddedFile* findDashboardFile(std::string_view url_path);

// The Content-Type for a file name, by extension: .html, .js, .css, .svg; text/plain otherwise.
std::string_view dashboardContentType(std::string_view file_name);

}  // namespace edge::engine
