#include "sortie/hydra/locate.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sortie/hydra/config_source.hpp"
#include "sortie/hydra/entry_script.hpp"
#include "sortie/hydra/grammar.hpp"
#include "sortie/hydra/sweep.hpp"

namespace sortie::hydra {
namespace {

core::Result<std::string> read_text(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream)
    return core::fail(core::ErrorCode::io_error, fmt::format("cannot read {}", file.string()));
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// "; " and what to do instead, when there is something.
std::string then(std::string_view instead) {
  return instead.empty() ? std::string() : fmt::format("; {}", instead);
}

}  // namespace

core::Result<ConfigLocation> locate_project_configs(const std::filesystem::path& root,
                                                    std::string_view entry,
                                                    std::string_view project_name,
                                                    std::string_view instead) {
  auto candidates = entry_script_candidates(std::string(entry));
  if (!candidates)
    return core::fail(candidates.error().code, fmt::format("project '{}': {}{}", project_name,
                                                           candidates.error().message, then(instead)));
  auto script = std::find_if(candidates->begin(), candidates->end(), [&](const std::string& path) {
    std::error_code ignored;
    return std::filesystem::is_regular_file(root / path, ignored);
  });
  if (script == candidates->end())
    return core::fail(
        core::ErrorCode::not_found,
        fmt::format("project '{}': the entry command `{}` runs {}, which is not in "
                    "{}{}",
                    project_name, entry, fmt::join(*candidates, " or "), root.string(),
                    then(instead)));
  auto text = read_text(root / *script);
  if (!text) return std::unexpected(text.error());
  auto main = find_hydra_main(*text, *script);
  if (!main)
    return core::fail(main.error().code,
                      fmt::format("project '{}' has no Hydra app sortie can read: {}{}",
                                  project_name, main.error().message, then(instead)));
  const auto config_path = main->resolved_config_path();
  if (!config_path)
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("project '{}': {}:{} has @hydra.main without a config "
                                  "directory (config_path=None){}",
                                  project_name, *script, main->line, then(instead)));
  if (config_path->starts_with("pkg://"))
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("project '{}': {}:{} reads configs from the Python package "
                                  "'{}', which sortie cannot list{}",
                                  project_name, *script, main->line, *config_path,
                                  then(instead)));
  ConfigLocation location;
  location.config_dir =
      (root / std::filesystem::path(*script).parent_path() / *config_path).lexically_normal();
  location.config_name = main->resolved_config_name().value_or("");
  location.version_base =
      main->uses_legacy_defaults() ? VersionBase::legacy_1_1 : VersionBase::current;
  return location;
}

core::Result<Composition> compose_at(const ConfigLocation& location,
                                     const std::vector<std::string>& inputs,
                                     const ParseYaml& parse) {
  auto overrides = parse_overrides(inputs);
  if (!overrides) return std::unexpected(overrides.error());
  if (auto single = check_single_run(*overrides); !single) return std::unexpected(single.error());
  FilesystemConfigSource source(location.config_dir);
  return compose(source, parse, location.config_name.value_or(""), *overrides,
                 location.version_base);
}

}  // namespace sortie::hydra
