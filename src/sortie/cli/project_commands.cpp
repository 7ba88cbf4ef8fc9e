#include <CLI/CLI.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sortie/cli/context.hpp"
#include "sortie/git/repository.hpp"
#include "sortie/json/projects.hpp"
#include "sortie/projects/registry.hpp"
#include "sortie/store/store.hpp"

namespace sortie::cli {
namespace {

struct ProjectOptions {
  std::string project;  // name or id
  std::string path;
  std::string name;
  std::string entry_command;
  std::vector<std::string> setup;
  bool clear_setup = false;
  std::string for_cluster;
  std::string default_cluster;
  std::string template_file;
  bool clear_template = false;
  bool json = false;
};

// What a researcher must know before launching: which code a job would run and why.
void print_git_state(const git::RepoState& state) {
  fmt::print("  remote:   {}\n", state.remotes.empty()
                                     ? std::string("(none)")
                                     : fmt::format("{} {}", state.remotes.front().name,
                                                   state.remotes.front().url));
  fmt::print("  branch:   {}\n", state.detached ? std::string("(detached HEAD)") : state.branch);
  fmt::print("  commit:   {} {}\n", state.head_commit.substr(0, 12), state.head_summary);
  if (!state.upstream.empty())
    fmt::print("  upstream: {} ({} ahead, {} behind)\n", state.upstream, state.ahead, state.behind);
  if (!state.changed_files.empty()) {
    fmt::print("  warning:  {} uncommitted change{}:\n", state.changed_files.size(),
               state.changed_files.size() == 1 ? "" : "s");
    for (const auto& file : state.changed_files)
      fmt::print("              {:<10} {}\n", git::to_string(file.status), file.path);
  }
  if (!state.pushed)
    fmt::print("  warning:  commit {} is not on the remote (push it, or jobs use a snapshot)\n",
               state.head_commit.substr(0, 12));
  fmt::print("  delivery: {}\n",
             git::needs_snapshot(state)
                 ? "snapshot (the exact working tree is uploaded, since it differs from the remote)"
                 : "git (jobs clone the pushed commit on the cluster)");
}

void print_settings(const store::Project& project) {
  fmt::print("  entry:    {}\n", project.settings.entry_command);
  for (const auto& line : project.settings.setup) fmt::print("  setup:    {}\n", line);
  for (const auto& [cluster, settings] : project.settings.cluster_overrides) {
    if (settings.entry_command) fmt::print("  on {}: entry {}\n", cluster, *settings.entry_command);
    if (settings.setup)
      for (const auto& line : *settings.setup) fmt::print("  on {}: setup {}\n", cluster, line);
  }
  if (project.settings.default_cluster)
    fmt::print("  default cluster: {}\n", project.settings.default_cluster->value);
  if (project.settings.template_path)
    fmt::print("  template: {}\n", *project.settings.template_path);
}

int add(Context& context, const ProjectOptions& options) {
  if (!options.default_cluster.empty())
    if (auto cluster = context.cluster(options.default_cluster); !cluster)
      return report(cluster.error());
  auto opened = context.store();
  if (!opened) return report(opened.error());
  projects::Registration registration;
  registration.path = options.path;
  registration.name = options.name;
  registration.entry_command = options.entry_command;
  registration.setup = options.setup;
  if (!options.default_cluster.empty()) registration.default_cluster = options.default_cluster;
  auto registered = projects::register_project(**opened, registration);
  if (!registered) return report(registered.error());
  const auto* saved = &registered->project;
  const auto* state = &registered->git;
  if (options.json) {
    fmt::print("{}\n", json::to_json(*saved, *state));
    return 0;
  }
  fmt::print("Added project {} '{}' at {}\n", saved->id.value, saved->name, saved->path);
  print_settings(*saved);
  print_git_state(*state);
  return 0;
}

int list(Context& context, const ProjectOptions& options) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  auto projects = store.projects();
  if (!projects) return report(projects.error());
  if (options.json) {
    fmt::print("{}\n", json::to_json(*projects));
    return 0;
  }
  if (projects->empty()) {
    fmt::print("No projects yet: add one with `sortie projects add PATH`.\n");
    return 0;
  }
  fmt::print("{:>4}  {:<20} {:<14} {:<12} {:<8} {}\n", "ID", "NAME", "BRANCH", "COMMIT", "STATE",
             "PATH");
  for (const auto& project : *projects) {
    std::string branch = "-", commit = "-", state = "-";
    if (project.git) {
      branch = project.git->branch.empty() ? "(detached)" : project.git->branch;
      commit = project.git->commit.substr(0, 12);
      state = project.git->dirty ? "dirty" : project.git->pushed ? "pushed" : "unpushed";
    }
    fmt::print("{:>4}  {:<20} {:<14} {:<12} {:<8} {}\n", project.id.value, project.name, branch,
               commit, state, project.path);
  }
  return 0;
}

int show(Context& context, const ProjectOptions& options, bool sync) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  auto project = find_project(store, options.project);
  if (!project) return report(project.error());
  std::optional<git::RepoState> state;
  if (sync) {
    auto synced = projects::sync_project(store, project->id);
    if (!synced) return report(synced.error());
    *project = std::move(synced->project);
    state = std::move(synced->git);
  } else {
    auto read = git::read_state(project->path);
    if (!read) return report(read.error());
    state = std::move(*read);
  }
  if (options.json) {
    fmt::print("{}\n", json::to_json(*project, *state));
    return 0;
  }
  fmt::print("Project {} '{}' at {}\n", project->id.value, project->name, project->path);
  print_settings(*project);
  print_git_state(*state);
  return 0;
}

int set(Context& context, const ProjectOptions& options) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  auto project = find_project(store, options.project);
  if (!project) return report(project.error());
  store::ProjectSettings settings = project->settings;
  const bool setup_given = !options.setup.empty() || options.clear_setup;
  if (!options.for_cluster.empty()) {
    if (auto cluster = context.cluster(options.for_cluster); !cluster) return report(cluster.error());
    auto& override_settings = settings.cluster_overrides[options.for_cluster];
    if (!options.entry_command.empty()) override_settings.entry_command = options.entry_command;
    if (setup_given) override_settings.setup = options.setup;
  } else {
    if (!options.entry_command.empty()) settings.entry_command = options.entry_command;
    if (setup_given) settings.setup = options.setup;
  }
  if (!options.default_cluster.empty()) {
    if (auto cluster = context.cluster(options.default_cluster); !cluster)
      return report(cluster.error());
    settings.default_cluster = store::ClusterName{options.default_cluster};
  }
  if (options.clear_template) settings.template_path.reset();
  if (!options.template_file.empty()) {
    // Stored absolute, so it means the same file whatever folder sortie later runs in; it must
    // be readable now (a typo is caught here, not at the next submit).
    std::error_code ec;
    const auto path = std::filesystem::absolute(config::expand_home(options.template_file), ec)
                          .lexically_normal();
    if (ec || !std::filesystem::is_regular_file(path, ec)) {
      return report({core::ErrorCode::not_found,
                     fmt::format("--template {}: no such file (the sbatch template must exist "
                                 "on this machine)",
                                 path.string())});
    }
    settings.template_path = path.string();
  }
  if (auto updated = store.update_settings(project->id, settings); !updated)
    return report(updated.error());
  auto saved = store.project(project->id);
  if (!saved) return report(saved.error());
  fmt::print("Project {} '{}':\n", saved->id.value, saved->name);
  print_settings(*saved);
  return 0;
}

int remove(Context& context, const ProjectOptions& options) {
  auto opened = context.store();
  if (!opened) return report(opened.error());
  store::Store& store = **opened;
  auto project = find_project(store, options.project);
  if (!project) return report(project.error());
  if (auto removed = store.delete_project(project->id); !removed) return report(removed.error());
  fmt::print("Removed project {} '{}' (its files at {} are untouched)\n", project->id.value,
             project->name, project->path);
  return 0;
}

}  // namespace

void add_project_commands(CLI::App& app, Context& context) {
  auto options = std::make_shared<ProjectOptions>();
  auto* projects = app.add_subcommand("projects", "Register local Git projects and their settings");
  projects->require_subcommand(1);

  auto* add_command = projects->add_subcommand("add", "Register the Git repository at PATH");
  add_command->add_option("path", options->path, "The project's folder (or any folder inside it)")
      ->required();
  add_command->add_option("--name", options->name, "Name (default: the folder's name)");
  add_command->add_option("--entry", options->entry_command,
                          "How to start training (default: python train.py)");
  add_command->add_option("--setup", options->setup,
                          "A shell line run before the entry command (repeatable), e.g. "
                          "'module load cuda'");
  add_command->add_option("--default-cluster", options->default_cluster, "Cluster to use by default");
  add_command->add_flag("--json", options->json, "Print JSON");
  add_command->callback([&context, options] { context.status = add(context, *options); });

  auto* list_command = projects->add_subcommand("list", "List registered projects");
  list_command->add_flag("--json", options->json, "Print JSON");
  list_command->callback([&context, options] { context.status = list(context, *options); });

  auto* show_command =
      projects->add_subcommand("show", "Show a project's settings and its Git state now");
  show_command->add_option("project", options->project, "Name or id")->required();
  show_command->add_flag("--json", options->json, "Print JSON");
  show_command->callback([&context, options] { context.status = show(context, *options, false); });

  auto* sync_command =
      projects->add_subcommand("sync", "Read the project's Git state again and record it");
  sync_command->add_option("project", options->project, "Name or id")->required();
  sync_command->add_flag("--json", options->json, "Print JSON");
  sync_command->callback([&context, options] { context.status = show(context, *options, true); });

  auto* set_command = projects->add_subcommand(
      "set", "Change the entry command, setup lines or default cluster");
  set_command->add_option("project", options->project, "Name or id")->required();
  set_command->add_option("--entry", options->entry_command, "How to start training");
  set_command->add_option("--setup", options->setup, "Setup line (repeatable; replaces the list)");
  set_command->add_flag("--clear-setup", options->clear_setup, "Remove all setup lines");
  set_command->add_option("--for-cluster", options->for_cluster,
                          "Set --entry/--setup for this cluster only");
  set_command->add_option("--default-cluster", options->default_cluster, "Cluster to use by default");
  set_command->add_option("--template", options->template_file,
                          "The project's own sbatch Mustache template (beats the cluster's)");
  set_command->add_flag("--clear-template", options->clear_template,
                        "Use the cluster's template, or the built-in one, again");
  set_command->callback([&context, options] { context.status = set(context, *options); });

  auto* remove_command = projects->add_subcommand(
      "rm", "Forget a project (refused while it has recorded jobs; files are untouched)");
  remove_command->add_option("project", options->project, "Name or id")->required();
  remove_command->callback([&context, options] { context.status = remove(context, *options); });
}

}  // namespace sortie::cli
