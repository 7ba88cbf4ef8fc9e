#pragma once

// Serving a folder of built files (the web UI): only files under the folder, whatever the
// path says ("..", encoded slashes, symlinks out), with a content type by extension.

#include <filesystem>
#include <optional>
#include <string_view>

#include "sortie/http/message.hpp"

namespace sortie::http {

// The file at `path` under `root` ("/" and directories: their index.html), or nullopt when
// there is no such file inside `root`. Files under assets/ (content-hashed names) may be
// cached for a year; others must be revalidated.
std::optional<Response> serve_file(const std::filesystem::path& root, std::string_view path);

// The content type for a file name, by extension; "application/octet-stream" when unknown.
std::string_view content_type_for(std::string_view file_name);

}  // namespace sortie::http
