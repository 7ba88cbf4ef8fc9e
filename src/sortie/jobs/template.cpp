#include "sortie/jobs/template.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sortie/script/default_template.hpp"

namespace sortie::jobs {
namespace {

core::Result<std::string> read_text(const std::string& path, const std::string& named_by,
                                    const std::string& to_change) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return core::fail(core::ErrorCode::not_found,
                      fmt::format("the sbatch template {} named by {} does not exist ({})", path,
                                  named_by, to_change));
  }
  if (std::filesystem::is_directory(path, error)) {
    return core::fail(core::ErrorCode::io_error,
                      fmt::format("the sbatch template {} named by {} is a directory, not a file "
                                  "({})",
                                  path, named_by, to_change));
  }
  std::ifstream stream(path, std::ios::binary);
  if (!stream) {
    return core::fail(core::ErrorCode::io_error,
                      fmt::format("cannot read the sbatch template {} named by {}: {} ({})", path,
                                  named_by, std::strerror(errno), to_change));
  }
  std::stringstream text;
  text << stream.rdbuf();
  if (stream.bad()) {
    return core::fail(core::ErrorCode::io_error,
                      fmt::format("cannot read the sbatch template {} named by {} ({})", path,
                                  named_by, to_change));
  }
  return text.str();
}

}  // namespace

core::Result<ChosenTemplate> choose_template(const store::Project& project,
                                             const config::Cluster& cluster) {
  std::string path;
  std::string named_by;
  std::string to_change;
  if (project.settings.template_path) {
    path = *project.settings.template_path;
    named_by = fmt::format("project '{}'", project.name);
    to_change = fmt::format(
        "change it with `sortie projects set {} --template FILE` or "
        "`--clear-template`",
        project.name);
  } else if (cluster.template_path) {
    path = *cluster.template_path;
    named_by = fmt::format("cluster '{}' (`template:` in clusters.yaml)", cluster.name);
    to_change = "fix or remove the cluster's `template:` in clusters.yaml";
  } else {
    return ChosenTemplate{script::default_template(), "built in"};
  }
  auto text = read_text(path, named_by, to_change);
  if (!text) return std::unexpected(text.error());
  return ChosenTemplate{script::Template{std::move(*text), path}, named_by};
}

}  // namespace sortie::jobs
