#include "sortie/git/status.hpp"

#include <algorithm>

namespace sortie::git {
namespace {

bool has(unsigned int flags, git_status_t flag) {
  return (flags & static_cast<unsigned>(flag)) != 0;
}

// One status entry as a change against HEAD, or false when the entry is no change at all.
bool classify(const git_status_entry& entry, ChangedFile& change) {
  const unsigned int flags = entry.status;
  const git_diff_delta* head_to_index = entry.head_to_index;
  const git_diff_delta* index_to_workdir = entry.index_to_workdir;
  if (flags == GIT_STATUS_CURRENT || has(flags, GIT_STATUS_IGNORED)) return false;
  // Staged as new and then removed from disk: HEAD and the working tree agree.
  if (has(flags, GIT_STATUS_INDEX_NEW) && has(flags, GIT_STATUS_WT_DELETED)) return false;

  const git_diff_delta* latest = index_to_workdir != nullptr ? index_to_workdir : head_to_index;
  if (latest == nullptr || latest->new_file.path == nullptr) return false;
  change.path = latest->new_file.path;
  change.old_path.clear();

  if (has(flags, GIT_STATUS_INDEX_RENAMED) && head_to_index != nullptr) {
    change.status = FileStatus::renamed;
    change.old_path = head_to_index->old_file.path;
  } else if (has(flags, GIT_STATUS_WT_RENAMED) && !has(flags, GIT_STATUS_INDEX_NEW) &&
             index_to_workdir != nullptr) {
    change.status = FileStatus::renamed;
    change.old_path = index_to_workdir->old_file.path;
  } else if (has(flags, GIT_STATUS_WT_NEW)) {
    // Also a file removed from the index with `git rm --cached` but still on disk: the working
    // tree has it, untracked.
    change.status = FileStatus::untracked;
  } else if (has(flags, GIT_STATUS_INDEX_DELETED) || has(flags, GIT_STATUS_WT_DELETED)) {
    change.status = FileStatus::deleted;
  } else if (has(flags, GIT_STATUS_INDEX_TYPECHANGE) || has(flags, GIT_STATUS_WT_TYPECHANGE)) {
    change.status = FileStatus::typechange;
  } else if (has(flags, GIT_STATUS_INDEX_NEW) || has(flags, GIT_STATUS_WT_RENAMED)) {
    change.status = FileStatus::added;
  } else {
    change.status = FileStatus::modified;
  }
  return true;
}

}  // namespace

core::Result<std::vector<ChangedFile>> read_changes(git_repository* repository) {
  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                  GIT_STATUS_OPT_RENAMES_HEAD_TO_INDEX | GIT_STATUS_OPT_RENAMES_INDEX_TO_WORKDIR |
                  GIT_STATUS_OPT_SORT_CASE_SENSITIVELY;
  git_status_list* raw = nullptr;
  if (git_status_list_new(&raw, repository, &options) != 0) {
    return git_failure(core::ErrorCode::io_error,
                       "could not list the uncommitted changes of " +
                           std::string(git_repository_workdir(repository)));
  }
  const StatusListPtr list(raw);

  std::vector<ChangedFile> changes;
  const std::size_t count = git_status_list_entrycount(list.get());
  changes.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const git_status_entry* entry = git_status_byindex(list.get(), i);
    ChangedFile change;
    if (entry != nullptr && classify(*entry, change)) changes.push_back(std::move(change));
  }
  std::ranges::sort(changes, {}, &ChangedFile::path);
  return changes;
}

}  // namespace sortie::git
