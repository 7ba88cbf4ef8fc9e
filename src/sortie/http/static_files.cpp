#include "sortie/http/static_files.hpp"

#include <fstream>
#include <sstream>

namespace sortie::http {

std::string_view content_type_for(std::string_view name) {
  auto dot = name.rfind('.');
  const std::string_view extension = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (extension == "html") return "text/html; charset=utf-8";
  if (extension == "js" || extension == "mjs") return "text/javascript; charset=utf-8";
  if (extension == "css") return "text/css; charset=utf-8";
  if (extension == "json" || extension == "map") return "application/json";
  if (extension == "svg") return "image/svg+xml";
  if (extension == "png") return "image/png";
  if (extension == "ico") return "image/x-icon";
  if (extension == "woff2") return "font/woff2";
  if (extension == "txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

std::optional<Response> serve_file(const std::filesystem::path& root, std::string_view path) {
  namespace fs = std::filesystem;
  if (root.empty() || path.find('\0') != std::string_view::npos) return std::nullopt;
  std::error_code ec;
  const fs::path base = fs::canonical(root, ec);
  if (ec) return std::nullopt;
  fs::path relative = fs::path(std::string(path)).relative_path().lexically_normal();
  if (!relative.empty() && *relative.begin() == "..") return std::nullopt;
  fs::path candidate = base / relative;
  if (fs::is_directory(candidate, ec)) candidate /= "index.html";
  const fs::path resolved = fs::canonical(candidate, ec);
  if (ec || !fs::is_regular_file(resolved, ec)) return std::nullopt;
  // Symlinks and ".." must not lead out of the folder.
  auto [root_end, ignored] = std::mismatch(base.begin(), base.end(), resolved.begin(), resolved.end());
  if (root_end != base.end()) return std::nullopt;

  std::ifstream file(resolved, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream content;
  content << file.rdbuf();
  Response response;
  response.content_type = std::string(content_type_for(resolved.filename().string()));
  response.body = std::move(content).str();
  const bool hashed = relative.begin() != relative.end() && *relative.begin() == "assets";
  response.headers.emplace_back("Cache-Control",
                                hashed ? "public, max-age=31536000, immutable" : "no-cache");
  return response;
}

}  // namespace sortie::http
