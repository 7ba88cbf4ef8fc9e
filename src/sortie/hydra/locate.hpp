#pragma once

// Where a project's Hydra configs are, read from the `@hydra.main(...)` of the script its entry
// command runs, and composing there. Reads files; shared by the CLI and the API.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/hydra/compose.hpp"
#include "sortie/hydra/config_repository.hpp"

namespace sortie::hydra {

struct ConfigLocation {
  std::filesystem::path config_dir;
  std::optional<std::string> config_name;  // "" when @hydra.main names none
  VersionBase version_base = VersionBase::current;
};

// Finds the entry script of `entry_command` under `root`, reads its @hydra.main and resolves
// config_path and config_name. Errors name the project and end with `instead` (what the user
// can do otherwise): not_found when the script is missing, invalid_argument or parse_error when
// it has no usable @hydra.main (none, config_path=None, a pkg:// path).
core::Result<ConfigLocation> locate_project_configs(const std::filesystem::path& root,
                                                    std::string_view entry_command,
                                                    std::string_view project_name,
                                                    std::string_view instead);

// Composes the config at `location` with `inputs` (overrides as typed), refusing sweeps; YAML
// files are read with `parse` (config::parse_yaml_value, the yaml-cpp home).
core::Result<Composition> compose_at(const ConfigLocation& location,
                                     const std::vector<std::string>& inputs,
                                     const ParseYaml& parse);

}  // namespace sortie::hydra
