#pragma once

// Internal to git/: the uncommitted changes of a working tree, shared by read_state and snapshot.

#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/git/handles.hpp"
#include "sortie/git/repository.hpp"

namespace sortie::git {

// Every difference between HEAD and the working tree (through the index), with renames detected
// and untracked, non-ignored files listed one by one. Sorted by path. A change staged and then
// undone in the working tree (e.g. added, then deleted from disk) is not a change.
core::Result<std::vector<ChangedFile>> read_changes(git_repository* repository);

}  // namespace sortie::git
