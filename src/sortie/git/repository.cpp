#include "sortie/git/repository.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "sortie/git/handles.hpp"
#include "sortie/git/library.hpp"
#include "sortie/git/open.hpp"
#include "sortie/git/status.hpp"

namespace sortie::git {
namespace {

using core::ErrorCode;

std::string hex(const git_oid& oid) {
  std::array<char, GIT_OID_HEXSZ + 1> text{};
  git_oid_tostr(text.data(), text.size(), &oid);
  return text.data();
}

core::Result<std::vector<GitRemote>> read_remotes(git_repository* repository,
                                                  const std::filesystem::path& root) {
  StrArray names;
  if (git_remote_list(names.get(), repository) != 0) {
    return git_failure(ErrorCode::io_error,
                       fmt::format("could not list the remotes of {}", root.string()));
  }
  std::vector<GitRemote> remotes;
  for (std::size_t i = 0; i < (*names).count; ++i) {
    const char* name = (*names).strings[i];
    git_remote* raw = nullptr;
    if (git_remote_lookup(&raw, repository, name) != 0) {
      return git_failure(ErrorCode::io_error,
                         fmt::format("could not read remote '{}' of {}", name, root.string()));
    }
    const RemotePtr remote(raw);
    const char* url = git_remote_url(remote.get());
    remotes.push_back({name, url != nullptr ? url : ""});
  }
  std::ranges::stable_partition(remotes,
                                [](const GitRemote& remote) { return remote.name == "origin"; });
  return remotes;
}

// The commit a reference finally points at, following symbolic references.
core::Result<git_oid> target_commit(git_reference* reference) {
  git_object* raw = nullptr;
  if (git_reference_peel(&raw, reference, GIT_OBJECT_COMMIT) != 0) {
    return git_failure(ErrorCode::io_error,
                       fmt::format("could not resolve {}", git_reference_name(reference)));
  }
  const ObjectPtr object(raw);
  return *git_object_id(object.get());
}

// Whether `commit` is the target of, or an ancestor of, any `refs/remotes/*` ref.
core::Result<bool> reachable_from_any_remote(git_repository* repository, const git_oid& commit) {
  git_reference_iterator* raw = nullptr;
  if (git_reference_iterator_glob_new(&raw, repository, "refs/remotes/*") != 0) {
    return git_failure(ErrorCode::io_error, "could not list the remote-tracking branches");
  }
  const ReferenceIteratorPtr iterator(raw);
  git_reference* next = nullptr;
  while (git_reference_next(&next, iterator.get()) == 0) {
    const ReferencePtr reference(next);
    // Symbolic refs (refs/remotes/origin/HEAD) point at a branch that is listed on its own.
    if (git_reference_type(reference.get()) != GIT_REFERENCE_DIRECT) continue;
    auto target = target_commit(reference.get());
    if (!target) continue;  // e.g. a tracking ref to a tag object: not a branch we can clone
    if (git_oid_equal(&*target, &commit)) return true;
    if (git_graph_descendant_of(repository, &*target, &commit) == 1) return true;
  }
  return false;
}

// The submodules' paths, or nothing when .gitmodules cannot be read: they are informative only.
std::vector<std::string> read_submodules(git_repository* repository) {
  std::vector<std::string> paths;
  git_submodule_foreach(
      repository,
      [](git_submodule* submodule, const char*, void* payload) {
        const char* path = git_submodule_path(submodule);
        if (path != nullptr) static_cast<std::vector<std::string>*>(payload)->push_back(path);
        return 0;
      },
      &paths);
  std::ranges::sort(paths);
  return paths;
}

}  // namespace

std::string_view to_string(FileStatus status) {
  switch (status) {
    case FileStatus::modified:
      return "modified";
    case FileStatus::added:
      return "added";
    case FileStatus::deleted:
      return "deleted";
    case FileStatus::renamed:
      return "renamed";
    case FileStatus::untracked:
      return "untracked";
    case FileStatus::typechange:
      return "typechange";
  }
  return "unknown";
}

core::Result<RepoState> read_state(const std::filesystem::path& path) {
  const Library library;
  auto repository = open_work_tree(path);
  if (!repository) return std::unexpected(repository.error());
  git_repository* repo = repository->get();

  RepoState state;
  state.root = work_tree_root(repo);

  const int unborn = git_repository_head_unborn(repo);
  if (unborn == 1) {
    return core::fail(ErrorCode::invalid_argument,
                      fmt::format("{} has no commits yet: commit something first (jobs run a "
                                  "commit, plus any uncommitted changes)",
                                  state.root.string()));
  }
  if (unborn < 0) {
    return git_failure(ErrorCode::io_error,
                       fmt::format("could not read HEAD of {}", state.root.string()));
  }

  auto remotes = read_remotes(repo, state.root);
  if (!remotes) return std::unexpected(remotes.error());
  state.remotes = std::move(*remotes);

  git_reference* raw_head = nullptr;
  if (git_repository_head(&raw_head, repo) != 0) {
    return git_failure(ErrorCode::io_error,
                       fmt::format("could not read HEAD of {}", state.root.string()));
  }
  const ReferencePtr head(raw_head);
  state.detached = git_repository_head_detached(repo) == 1;
  if (!state.detached) state.branch = git_reference_shorthand(head.get());

  auto head_oid = target_commit(head.get());
  if (!head_oid) return std::unexpected(head_oid.error());
  state.head_commit = hex(*head_oid);
  git_commit* raw_commit = nullptr;
  if (git_commit_lookup(&raw_commit, repo, &*head_oid) != 0) {
    return git_failure(ErrorCode::io_error, fmt::format("could not read commit {} of {}",
                                                        state.head_commit, state.root.string()));
  }
  const CommitPtr commit(raw_commit);
  const char* summary = git_commit_summary(commit.get());
  state.head_summary = summary != nullptr ? summary : "";

  git_reference* raw_upstream = nullptr;
  const int upstream_found =
      state.detached ? GIT_ENOTFOUND : git_branch_upstream(&raw_upstream, head.get());
  if (upstream_found == 0) {
    const ReferencePtr upstream(raw_upstream);
    state.upstream = git_reference_shorthand(upstream.get());
    auto upstream_oid = target_commit(upstream.get());
    if (!upstream_oid) return std::unexpected(upstream_oid.error());
    std::size_t ahead = 0;
    std::size_t behind = 0;
    if (git_graph_ahead_behind(&ahead, &behind, repo, &*head_oid, &*upstream_oid) != 0) {
      return git_failure(ErrorCode::io_error,
                         fmt::format("could not compare {} with {}", state.branch, state.upstream));
    }
    state.ahead = ahead;
    state.behind = behind;
    state.pushed = ahead == 0;
  } else if (upstream_found == GIT_ENOTFOUND) {
    auto reachable = reachable_from_any_remote(repo, *head_oid);
    if (!reachable) return std::unexpected(reachable.error());
    state.pushed = *reachable;
  } else {
    return git_failure(ErrorCode::io_error,
                       fmt::format("could not read the upstream of branch {} in {}", state.branch,
                                   state.root.string()));
  }

  auto changes = read_changes(repo);
  if (!changes) return std::unexpected(changes.error());
  state.changed_files = std::move(*changes);
  state.submodules = read_submodules(repo);
  return state;
}

core::Result<void> require_remote(const RepoState& state) {
  if (!state.remotes.empty()) return {};
  return core::fail(ErrorCode::invalid_argument,
                    fmt::format("{} has no remote: sortie's jobs clone the code from a remote; add "
                                "one with `git remote add origin URL` (or send the working tree "
                                "as a snapshot instead)",
                                state.root.string()));
}

bool needs_snapshot(const RepoState& state) {
  return !state.changed_files.empty() || !state.pushed || state.remotes.empty();
}

}  // namespace sortie::git
