#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sortie/cli/context.hpp"
#include "sortie/cli/exit_codes.hpp"
#include "sortie/config/yaml_values.hpp"
#include "sortie/hydra/compose.hpp"
#include "sortie/hydra/config_tree.hpp"
#include "sortie/hydra/entry_script.hpp"
#include "sortie/hydra/grammar.hpp"
#include "sortie/hydra/locate.hpp"
#include "sortie/hydra/preview.hpp"
#include "sortie/hydra/render.hpp"
#include "sortie/hydra/sweep.hpp"
#include "sortie/jobs/sweep.hpp"
#include "sortie/json/hydra_config.hpp"
#include "sortie/json/hydra_overrides.hpp"
#include "sortie/json/hydra_sweep.hpp"

namespace sortie::cli {
namespace {

using hydra::ConfigLocation;

core::Result<hydra::Composition> compose_at(const ConfigLocation& location,
                                            const std::vector<std::string>& inputs) {
  return hydra::compose_at(location, inputs, config::parse_yaml_value);
}

struct HydraOptions {
  bool json = false;
  std::vector<std::string> overrides;
};

std::string join_rendered(const std::vector<hydra::Value>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += hydra::render_value(values[i]);
  }
  return out;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += (i > 0 ? "," : "") + words[i];
  return out;
}

// The value in override syntax, so that what is shown could be pasted back.
std::string describe(const hydra::OverrideValue& value) {
  std::string text;
  std::vector<std::string> tags;
  bool shuffled = false;
  if (const auto* element = std::get_if<hydra::Value>(&value)) {
    return hydra::render_value(*element);
  } else if (const auto* choice = std::get_if<hydra::ChoiceSweep>(&value)) {
    text = choice->simple_form ? join_rendered(choice->choices)
                               : fmt::format("choice({})", join_rendered(choice->choices));
    tags = choice->tags;
    shuffled = choice->shuffle;
  } else if (const auto* range = std::get_if<hydra::RangeSweep>(&value)) {
    text = fmt::format("range({},{},{})", hydra::render_value(range->start),
                       hydra::render_value(range->stop), hydra::render_value(range->step));
    tags = range->tags;
    shuffled = range->shuffle;
  } else if (const auto* interval = std::get_if<hydra::IntervalSweep>(&value)) {
    text = fmt::format("interval({},{})", hydra::render_float(interval->start),
                       hydra::render_float(interval->end));
    tags = interval->tags;
  } else {
    const auto& glob = std::get<hydra::GlobSweep>(value);
    text =
        fmt::format("glob([{}],exclude=[{}])", join_words(glob.include), join_words(glob.exclude));
  }
  if (shuffled) text = fmt::format("shuffle({})", text);
  if (!tags.empty()) text = fmt::format("tag({},{})", join_words(tags), text);
  return text;
}

int hydra_parse(const HydraOptions& options) {
  std::vector<core::Result<hydra::Override>> overrides;
  bool all_parsed = true;
  for (const auto& input : options.overrides) {
    overrides.push_back(hydra::parse_override(input));
    all_parsed = all_parsed && overrides.back().has_value();
  }
  auto sweeps = hydra::expand_overrides(overrides);
  std::vector<json::HydraOverrideReport> reports;
  for (std::size_t i = 0; i < overrides.size(); ++i)
    reports.push_back({options.overrides[i], std::move(overrides[i]), std::move(sweeps[i])});
  if (options.json) {
    fmt::print("{}\n", json::to_json(reports));
  } else {
    for (const auto& report : reports) {
      if (!report.parsed) {
        fmt::print("{}\terror: {}\n", report.input, report.parsed.error().message);
        continue;
      }
      const auto& parsed = *report.parsed;
      fmt::print("{}\t{} key={} package={} type={} value={}\n", report.input,
                 hydra::to_string(parsed.kind), parsed.key,
                 parsed.package ? (parsed.package->empty() ? "''" : *parsed.package) : "-",
                 hydra::to_string(hydra::value_type(parsed)),
                 parsed.value ? describe(*parsed.value) : "-");
    }
  }
  return all_parsed ? 0 : exit_code_for(core::ErrorCode::invalid_argument);
}

// The options of the commands that read a project's config tree: compose, groups, preview.
struct ConfigOptions {
  std::string config_dir;
  std::string project;
  std::string config_name;
  std::string version_base;
  bool paired = false;
  std::size_t max_jobs = hydra::k_max_jobs;
  bool json = false;
  std::vector<std::string> overrides;
};

// Where a command reads configs from, and how Hydra would read them.
core::Result<hydra::VersionBase> version_base_from(const std::string& text) {
  hydra::HydraMain main;
  if (text == "None") {
    main.version_base.state = hydra::MainArgument::State::none;
  } else if (!text.empty() && std::isdigit(static_cast<unsigned char>(text.front())) != 0) {
    main.version_base = {hydra::MainArgument::State::text, text};
  } else {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("--version-base takes a Hydra version such as 1.1 or 1.3, or "
                                  "None; got '{}'",
                                  text));
  }
  return main.uses_legacy_defaults() ? hydra::VersionBase::legacy_1_1 : hydra::VersionBase::current;
}

// The config directory of a registered project, found as Hydra finds it: the script the entry
// command runs, its @hydra.main(config_path=...) relative to the script's directory.
core::Result<ConfigLocation> locate_project_configs(Context& context,
                                                    const std::string& project_name) {
  auto opened = context.store();
  if (!opened) return std::unexpected(opened.error());
  auto project = find_project(**opened, project_name);
  if (!project) return std::unexpected(project.error());
  auto app = jobs::find_hydra_app(*project);
  if (!app) {
    return core::fail(app.error().code,
                      fmt::format("{}; pass --config-dir DIR (and --config-name NAME) instead of "
                                  "--project",
                                  app.error().message));
  }
  ConfigLocation location;
  location.config_dir = app->config_dir;
  location.config_name = app->config_name;
  location.version_base = app->version_base;
  return location;
}

core::Result<ConfigLocation> locate_configs(Context& context, const ConfigOptions& options) {
  ConfigLocation location;
  if (!options.project.empty()) {
    auto found = locate_project_configs(context, options.project);
    if (!found) return std::unexpected(found.error());
    location = std::move(*found);
  } else if (!options.config_dir.empty()) {
    location.config_dir = options.config_dir;
  } else {
    return core::fail(core::ErrorCode::invalid_argument,
                      "say where the configs are: --config-dir DIR, or --project NAME for a "
                      "registered project whose entry script has @hydra.main");
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(location.config_dir, ec))
    return core::fail(
        core::ErrorCode::not_found,
        fmt::format("the config directory {} does not exist", location.config_dir.string()));
  if (!options.config_name.empty()) {
    std::string name = options.config_name;
    if (name.ends_with(".yaml")) name.resize(name.size() - 5);
    location.config_name = std::move(name);
  }
  if (!options.version_base.empty()) {
    auto version_base = version_base_from(options.version_base);
    if (!version_base) return std::unexpected(version_base.error());
    location.version_base = *version_base;
  }
  return location;
}

core::Result<ConfigLocation> locate_named_config(Context& context, const ConfigOptions& options) {
  auto location = locate_configs(context, options);
  if (location && !location->config_name)
    return core::fail(core::ErrorCode::invalid_argument,
                      "name the primary config with --config-name NAME (e.g. `config` for "
                      "config.yaml)");
  return location;
}

std::string choices_line(const std::vector<hydra::Choice>& choices) {
  std::vector<std::string> parts;
  for (const auto& choice : choices)
    parts.push_back(fmt::format("{}={}", choice.key, choice.option.value_or("null")));
  return fmt::format("{}", fmt::join(parts, " "));
}

int hydra_compose(Context& context, const ConfigOptions& options) {
  auto location = locate_named_config(context, options);
  if (!location) return report(location.error());
  auto composition = compose_at(*location, options.overrides);
  if (!composition) return report(composition.error());
  for (const auto& warning : composition->warnings)
    fmt::print(stderr, "sortie: warning: {}\n", warning);
  if (options.json) {
    fmt::print("{}\n", json::to_json(*composition));
    return 0;
  }
  // Comments, so that the whole output stays YAML a job could read back.
  if (!composition->choices.empty())
    fmt::print("# choices: {}\n", choices_line(composition->choices));
  if (!composition->hydra_overrides.empty())
    fmt::print("# passed on to Hydra, not applied here: {}\n",
               fmt::join(composition->hydra_overrides, " "));
  fmt::print("{}", config::to_yaml(composition->config));
  return 0;
}

int hydra_groups(Context& context, const ConfigOptions& options) {
  auto location = locate_configs(context, options);
  if (!location) return report(location.error());
  hydra::FilesystemConfigSource source(location->config_dir);
  const hydra::ConfigTree tree = hydra::read_config_tree(source);
  std::vector<hydra::Choice> choices;
  if (location->config_name) {
    auto composition = compose_at(*location, {});
    if (!composition) return report(composition.error());
    choices = std::move(composition->choices);
  }
  if (options.json) {
    fmt::print("{}\n", json::to_json(tree, choices));
    return 0;
  }
  fmt::print("Config directory: {}\n", location->config_dir.string());
  fmt::print("Primary configs:  {}\n",
             tree.primary_configs.empty()
                 ? std::string("(none)")
                 : fmt::format("{}", fmt::join(tree.primary_configs, ", ")));
  if (tree.groups.empty()) {
    fmt::print("No config groups.\n");
  } else {
    std::size_t width = 0;
    for (const auto& group : tree.groups) width = std::max(width, group.path.size());
    fmt::print("Groups:\n");
    for (const auto& group : tree.groups)
      fmt::print("  {:<{}}  {}\n", group.path, width,
                 group.options.empty() ? std::string("(only sub-groups)")
                                       : fmt::format("{}", fmt::join(group.options, ", ")));
  }
  if (location->config_name) {
    fmt::print("Default choices of {}:\n", location->config_name->empty()
                                               ? std::string("the app (no primary config)")
                                               : fmt::format("'{}'", *location->config_name));
    if (choices.empty()) fmt::print("  (none)\n");
    for (const auto& choice : choices)
      fmt::print("  {}: {}\n", choice.key, choice.option.value_or("null"));
  }
  return 0;
}

int sweep_preview(Context& context, const ConfigOptions& options) {
  auto location = locate_named_config(context, options);
  if (!location) return report(location.error());
  auto overrides = hydra::parse_overrides(options.overrides);
  if (!overrides) return report(overrides.error());
  hydra::PreviewOptions preview_options;
  preview_options.mode = options.paired ? hydra::SweepMode::paired : hydra::SweepMode::cartesian;
  preview_options.max_jobs = options.max_jobs;
  preview_options.version_base = location->version_base;
  hydra::FilesystemConfigSource source(location->config_dir);
  auto jobs = hydra::preview_sweep(source, config::parse_yaml_value, *location->config_name,
                                   *overrides, preview_options);
  if (!jobs) return report(jobs.error());
  if (options.json) {
    json::SweepPreviewReport preview;
    preview.config_dir = location->config_dir.string();
    preview.config_name = *location->config_name;
    preview.mode = preview_options.mode;
    preview.jobs = std::move(*jobs);
    fmt::print("{}\n", json::to_json(preview));
    return 0;
  }
  // As Hydra lists the jobs it launches: `#0 : a=1 b=2`.
  for (std::size_t index = 0; index < jobs->size(); ++index)
    fmt::print("#{} : {}\n", index, fmt::join((*jobs)[index], " "));
  fmt::print("{} job{} ({}), each composed without errors\n", jobs->size(),
             jobs->size() == 1 ? "" : "s", options.paired ? "paired" : "cartesian");
  return 0;
}

// The options shared by compose, groups and preview.
void add_location_options(CLI::App& command, ConfigOptions& options) {
  auto* config_dir = command.add_option("--config-dir", options.config_dir,
                                        "The Hydra config directory (holding e.g. config.yaml)");
  auto* project = command.add_option(
      "--project", options.project,
      "A registered project (name or id): its configs are found from the entry script's "
      "@hydra.main");
  config_dir->excludes(project);
  command.add_option("--version-base", options.version_base,
                     "Hydra's version_base (default: the project's @hydra.main, else 1.3); "
                     "below 1.2 reads `_group_`/`_name_` in package headers as Hydra 1.1");
  command.add_flag("--json", options.json, "Print JSON (shapes in docs/hydra/cli.md)");
}
}  // namespace

void add_hydra_commands(CLI::App& app, Context& context) {
  auto options = std::make_shared<HydraOptions>();
  auto* hydra = app.add_subcommand("hydra", "Hydra overrides as sortie understands them");
  hydra->require_subcommand(1);
  auto* parse = hydra->add_subcommand(
      "parse",
      "Parse Hydra 1.3 command-line overrides and show how each is read and swept "
      "(put `--` before overrides that start with `-` or `+`)");
  parse->add_flag("--json", options->json, "Print JSON (shape in docs/hydra/overrides.md)");
  parse->add_option("overrides", options->overrides, "Overrides, e.g. db=mysql lr=0.1,0.01")
      ->required();
  parse->callback([&context, options] { context.status = hydra_parse(*options); });

  auto config_options = std::make_shared<ConfigOptions>();
  auto* compose = hydra->add_subcommand(
      "compose",
      "Compose the config one run gets, as `python app.py OVERRIDE...` would (put `--` before "
      "the overrides)");
  add_location_options(*compose, *config_options);
  compose->add_option("--config-name", config_options->config_name,
                      "The primary config, e.g. config (default: the project's @hydra.main)");
  compose->add_flag("--paired", config_options->paired,
                    "Accepted so that compose takes sweep preview's options; one run has no "
                    "sweeps to pair");
  compose->add_option("overrides", config_options->overrides, "Overrides, e.g. model=large lr=0.1");
  compose->callback(
      [&context, config_options] { context.status = hydra_compose(context, *config_options); });

  auto* groups = hydra->add_subcommand(
      "groups", "List the config groups and their options, and the default choices of a config");
  add_location_options(*groups, *config_options);
  groups->add_option("--config-name", config_options->config_name,
                     "Also show this primary config's default choices");
  groups->callback(
      [&context, config_options] { context.status = hydra_groups(context, *config_options); });

  auto* sweep = app.add_subcommand("sweep", "Hydra multiruns as sortie would launch them");
  sweep->require_subcommand(1);
  auto* preview = sweep->add_subcommand(
      "preview",
      "List the jobs of a multirun in Hydra's order, each composed to check it (put `--` "
      "before the overrides)");
  add_location_options(*preview, *config_options);
  preview->add_option("--config-name", config_options->config_name,
                      "The primary config, e.g. config (default: the project's @hydra.main)");
  preview->add_flag("--paired", config_options->paired,
                    "Job i takes value i of every sweep (all sweeps the same length) instead of "
                    "every combination");
  preview->add_option("--max-jobs", config_options->max_jobs,
                      fmt::format("Refuse sweeps with more jobs (at most {}, the limit of every "
                                  "multirun)",
                                  hydra::k_max_jobs))
      ->check(CLI::Range(std::size_t{1}, hydra::k_max_jobs))
      ->capture_default_str();
  preview->add_option("overrides", config_options->overrides,
                      "Overrides, e.g. optimizer.lr=0.1,0.01 'model=glob(*)'");
  preview->callback(
      [&context, config_options] { context.status = sweep_preview(context, *config_options); });
}

}  // namespace sortie::cli
