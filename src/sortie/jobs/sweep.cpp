#include "sortie/jobs/sweep.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "sortie/config/yaml_values.hpp"
#include "sortie/hydra/config_source.hpp"
#include "sortie/hydra/entry_script.hpp"
#include "sortie/hydra/grammar.hpp"
#include "sortie/hydra/preview.hpp"
#include "sortie/hydra/sweep.hpp"

namespace sortie::jobs {
namespace {

core::Result<std::string> read_text(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  if (!stream) {
    return core::fail(core::ErrorCode::io_error, fmt::format("cannot read {}", file.string()));
  }
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

hydra::SweepMode hydra_mode(store::SweepMode mode) {
  return mode == store::SweepMode::paired ? hydra::SweepMode::paired : hydra::SweepMode::cartesian;
}

}  // namespace

core::Result<HydraApp> find_hydra_app(const store::Project& project) {
  const std::filesystem::path root = project.path;
  const std::string& entry = project.settings.entry_command;
  auto candidates = hydra::entry_script_candidates(entry);
  if (!candidates) {
    return core::fail(candidates.error().code,
                      fmt::format("project '{}': {}", project.name, candidates.error().message));
  }
  auto script = std::ranges::find_if(*candidates, [&](const std::string& path) {
    std::error_code ignored;
    return std::filesystem::is_regular_file(root / path, ignored);
  });
  if (script == candidates->end()) {
    return core::fail(
        core::ErrorCode::not_found,
        fmt::format("project '{}': the entry command `{}` runs {}, which is not in {}",
                    project.name, entry, fmt::join(*candidates, " or "), root.string()));
  }
  auto text = read_text(root / *script);
  if (!text) return std::unexpected(text.error());
  auto main = hydra::find_hydra_main(*text, *script);
  if (!main) {
    return core::fail(main.error().code,
                      fmt::format("project '{}' has no Hydra app sortie can read: {}", project.name,
                                  main.error().message));
  }
  const auto config_path = main->resolved_config_path();
  if (!config_path) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("project '{}': {}:{} has @hydra.main without a config "
                                  "directory (config_path=None)",
                                  project.name, *script, main->line));
  }
  if (config_path->starts_with("pkg://")) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("project '{}': {}:{} reads configs from the Python package "
                                  "'{}', which sortie cannot list",
                                  project.name, *script, main->line, *config_path));
  }
  HydraApp app;
  app.script = root / *script;
  app.decorator_line = main->line;
  app.config_dir =
      (root / std::filesystem::path(*script).parent_path() / *config_path).lexically_normal();
  // Not given and None are the same to Hydra: no primary config.
  app.config_name = main->resolved_config_name().value_or("");
  app.version_base =
      main->uses_legacy_defaults() ? hydra::VersionBase::legacy_1_1 : hydra::VersionBase::current;
  return app;
}

core::Result<ExpandedSweep> expand_sweep(const store::Project& project,
                                         const std::vector<std::string>& overrides,
                                         store::SweepMode mode, std::size_t max_tasks) {
  // Every word must be an override: a sweep is Hydra's multirun, whatever the app.
  for (const auto& input : overrides) {
    if (auto parsed = hydra::parse_override(input); !parsed) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("a sweep (-m) takes Hydra overrides (key=value, "
                                    "key=a,b, +key=v, ~key); '{}' is not one: {}",
                                    input, parsed.error().message));
    }
  }
  auto parsed = hydra::parse_overrides(overrides);
  if (!parsed) return std::unexpected(parsed.error());

  ExpandedSweep expanded;
  auto app = find_hydra_app(project);
  std::error_code ec;
  if (app && std::filesystem::is_directory(app->config_dir, ec)) {
    // Every combination composed, glob() over the real groups: a bad one fails here, not as a
    // failed task on the cluster.
    hydra::PreviewOptions options;
    options.mode = hydra_mode(mode);
    options.max_jobs = max_tasks;
    options.version_base = app->version_base;
    hydra::FilesystemConfigSource source(app->config_dir);
    auto jobs =
        hydra::preview_sweep(source, config::parse_yaml_value, app->config_name, *parsed, options);
    if (!jobs) return std::unexpected(jobs.error());
    expanded.combinations = std::move(*jobs);
    expanded.composed = true;
    return expanded;
  }
  expanded.note = app ? fmt::format("not composed: the config directory {} does not exist",
                                    app->config_dir.string())
                      : fmt::format("not composed: {}", app.error().message);
  if (auto ok = hydra::check_multirun(*parsed); !ok) return std::unexpected(ok.error());
  hydra::SweepOptions options;
  options.max_jobs = max_tasks;
  auto jobs = hydra::expand_jobs(*parsed, hydra_mode(mode), options);
  if (!jobs) return std::unexpected(jobs.error());
  expanded.combinations = std::move(*jobs);
  return expanded;
}

core::Result<void> check_single_run_arguments(const store::Project& project,
                                              const std::vector<std::string>& arguments) {
  // Not a Hydra app: its arguments mean what its own parser says (`--lr 0.1,0.2` is fine).
  if (!find_hydra_app(project)) return {};
  std::vector<hydra::Override> overrides;
  for (const auto& argument : arguments) {
    if (argument.starts_with('-')) continue;
    if (auto parsed = hydra::parse_override(argument)) overrides.push_back(std::move(*parsed));
  }
  return hydra::check_single_run(overrides);
}

}  // namespace sortie::jobs
