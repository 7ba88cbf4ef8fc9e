#include "sortie/projects/registry.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace sortie::projects {

store::GitSnapshot snapshot_of(const git::RepoState& state) {
  store::GitSnapshot git;
  git.remote_url = state.remotes.empty() ? std::string() : state.remotes.front().url;
  git.branch = state.detached ? std::string() : state.branch;
  git.commit = state.head_commit;
  git.dirty = !state.changed_files.empty();
  git.pushed = state.pushed;
  git.synced_at =
      std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  return git;
}

core::Result<ProjectState> register_project(store::Store& store,
                                            const Registration& registration) {
  if (registration.path.empty()) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "path is empty: give the path of a Git checkout on this machine");
  }
  std::error_code ec;
  auto path = std::filesystem::absolute(registration.path, ec);
  if (ec) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("path '{}' cannot be resolved: {}", registration.path,
                                  ec.message()));
  }
  auto state = git::read_state(path);
  if (!state) return std::unexpected(state.error());
  if (auto remote = git::require_remote(*state); !remote) return std::unexpected(remote.error());

  store::NewProject spec;
  spec.path = std::filesystem::weakly_canonical(state->root, ec).string();
  if (ec) spec.path = state->root.string();
  spec.name = registration.name.empty() ? state->root.filename().string() : registration.name;
  if (!registration.entry_command.empty()) spec.settings.entry_command = registration.entry_command;
  spec.settings.setup = registration.setup;
  if (registration.default_cluster) {
    spec.settings.default_cluster = store::ClusterName{*registration.default_cluster};
  }
  auto project = store.create_project(spec);
  if (!project) return std::unexpected(project.error());
  if (auto recorded = store.record_git_state(project->id, snapshot_of(*state)); !recorded) {
    return std::unexpected(recorded.error());
  }
  auto saved = store.project(project->id);
  if (!saved) return std::unexpected(saved.error());
  return ProjectState{std::move(*saved), std::move(*state)};
}

core::Result<ProjectState> sync_project(store::Store& store, store::ProjectId id) {
  auto project = store.project(id);
  if (!project) return std::unexpected(project.error());
  auto state = git::read_state(project->path);
  if (!state) return std::unexpected(state.error());
  if (auto recorded = store.record_git_state(id, snapshot_of(*state)); !recorded) {
    return std::unexpected(recorded.error());
  }
  auto refreshed = store.project(id);
  if (!refreshed) return std::unexpected(refreshed.error());
  return ProjectState{std::move(*refreshed), std::move(*state)};
}

}  // namespace sortie::projects
