#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sortie/git/repository.hpp"
#include "sortie/store/model.hpp"

namespace sortie::json {

// A project as JSON: {"id", "name", "path", "created_at", "entry_command", "setup",
// "cluster_overrides": {CLUSTER: {"entry_command", "setup"}}, "default_cluster",
// "git": {recorded state at "synced_at"} or null, and, when `live` is given,
// "live_git": {"root", "remotes", "branch", "detached", "commit", "summary", "upstream",
// "pushed", "ahead", "behind", "changed_files": [{"path", "status", "old_path"}],
// "submodules", "delivery": "git"|"snapshot"}}.
std::string to_json(const store::Project& project,
                    const std::optional<git::RepoState>& live = std::nullopt);

// A list of projects: [project, ...] in the shape above, without "live_git".
std::string to_json(const std::vector<store::Project>& projects);

}  // namespace sortie::json
