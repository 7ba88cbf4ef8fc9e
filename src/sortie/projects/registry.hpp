#pragma once

// Registering a local checkout as a project and refreshing what sortie knows of its Git state.
// Shared by `sortie projects ...` and the API, so both check the same things.

#include <optional>
#include <string>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/git/repository.hpp"
#include "sortie/store/store.hpp"

namespace sortie::projects {

struct Registration {
  std::string path;           // any path inside the checkout; relative to the working directory
  std::string name;           // empty: the checkout's folder name
  std::string entry_command;  // empty: the default ("python train.py")
  std::vector<std::string> setup;
  std::optional<std::string> default_cluster;  // checked by the caller against clusters.yaml
};

// A project with the Git state read just now.
struct ProjectState {
  store::Project project;
  git::RepoState git;
};

// What the store records of a Git state, stamped now.
store::GitSnapshot snapshot_of(const git::RepoState& state);

// Reads the checkout's Git state (it must be a repository with a remote), records the project
// and that state. Fails with invalid_argument for a path that is no Git checkout or has no
// remote (saying how to add one), and when the name or path is already registered.
core::Result<ProjectState> register_project(store::Store& store, const Registration& registration);

// Reads the project's checkout again and records its state.
core::Result<ProjectState> sync_project(store::Store& store, store::ProjectId id);

}  // namespace sortie::projects
