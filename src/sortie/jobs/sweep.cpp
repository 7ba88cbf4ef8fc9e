#include "sortie/jobs/sweep.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "sortie/config/yaml_values.hpp"
#include "sortie/hydra/config_source.hpp"
#include "sortie/hydra/grammar.hpp"
#include "sortie/hydra/locate.hpp"
#include "sortie/hydra/preview.hpp"
#include "sortie/hydra/sweep.hpp"

namespace sortie::jobs {
namespace {

hydra::SweepMode hydra_mode(store::SweepMode mode) {
  return mode == store::SweepMode::paired ? hydra::SweepMode::paired : hydra::SweepMode::cartesian;
}

}  // namespace

core::Result<HydraApp> find_hydra_app(const store::Project& project) {
  auto location = hydra::locate_project_configs(project.path, project.settings.entry_command,
                                                project.name, "");
  if (!location) return std::unexpected(location.error());
  HydraApp app;
  app.config_dir = location->config_dir;
  // Not given and None are the same to Hydra: no primary config.
  app.config_name = location->config_name.value_or("");
  app.version_base = location->version_base;
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
