#pragma once

// Internal to git/: opening a project's repository with the checks and messages read_state and
// snapshot share.

#include <filesystem>

#include "sortie/core/error.hpp"
#include "sortie/git/handles.hpp"

namespace sortie::git {

// The non-bare repository containing `path` (discovered upwards). Fails like read_state does for
// a missing path, a non-folder, a folder outside any repository and a bare repository.
core::Result<RepositoryPtr> open_work_tree(const std::filesystem::path& path);

// The absolute top folder of `repository`'s working tree, without a trailing separator.
std::filesystem::path work_tree_root(git_repository* repository);

}  // namespace sortie::git
