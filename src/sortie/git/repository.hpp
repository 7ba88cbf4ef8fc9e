#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"

namespace sortie::git {

// How a file in the working tree differs from HEAD.
enum class FileStatus {
  modified,    // content or mode changed (also: a merge conflict)
  added,       // staged, not in HEAD
  deleted,     // in HEAD, gone from the working tree or the index
  renamed,     // moved, possibly with edits; `old_path` says from where
  untracked,   // not in the index and not ignored
  typechange,  // e.g. a file became a symlink
};

// The stable snake_case name of a status, as shown in JSON and job records.
std::string_view to_string(FileStatus status);

// One uncommitted change. Paths are relative to the work tree's top, '/'-separated.
struct ChangedFile {
  std::string path;
  FileStatus status = FileStatus::modified;
  std::string old_path;  // renamed only: where the file was in HEAD

  bool operator==(const ChangedFile&) const = default;
};

struct GitRemote {
  std::string name;  // e.g. "origin"
  std::string url;   // the fetch URL as configured

  bool operator==(const GitRemote&) const = default;
};

// What sortie needs to know about a project's Git state to deliver its code to a cluster.
struct RepoState {
  std::filesystem::path root;      // absolute path of the working tree's top folder
  std::vector<GitRemote> remotes;  // in configuration order, `origin` first if present
  std::string branch;              // e.g. "main"; empty when `detached`
  bool detached = false;           // HEAD points at a commit, not a branch
  std::string head_commit;         // 40 hex digits
  std::string head_summary;        // first line of HEAD's commit message
  std::string upstream;            // e.g. "origin/main"; empty when the branch tracks nothing
  // HEAD is reachable from the upstream's remote-tracking ref, or, with no upstream, from any
  // `refs/remotes/*` ref: a clone of the remote can check out `head_commit`. Judged from the
  // local remote-tracking refs, i.e. as of the last fetch or push; nothing is fetched.
  bool pushed = false;
  std::size_t ahead = 0;   // commits on HEAD not on the upstream (0 without upstream)
  std::size_t behind = 0;  // commits on the upstream not on HEAD (0 without upstream)
  std::vector<ChangedFile> changed_files;  // uncommitted changes, sorted by path
  std::vector<std::string> submodules;     // paths of submodules declared in .gitmodules
};

// Reads the Git state of the repository containing `path` (the folder itself or any folder
// above it, like `git` does). Never fetches or touches the network.
// Fails with:
// - not_found: `path` does not exist, or is not inside a Git repository;
// - invalid_argument: `path` is not a folder, the repository is bare, or it has no commits yet;
// - io_error: libgit2 could not read the repository (its message is included).
// Every message names the path and says what to do. A repository without a remote is not an
// error here (snapshot delivery works without one): see require_remote.
core::Result<RepoState> read_state(const std::filesystem::path& path);

// Succeeds when `state` has at least one remote; otherwise invalid_argument explaining that jobs
// clone the code from a remote and how to add one.
core::Result<void> require_remote(const RepoState& state);

// True when a job cannot simply clone `head_commit` from a remote and must receive a snapshot of
// the working tree instead: there are uncommitted changes, HEAD is not pushed, or there is no
// remote.
bool needs_snapshot(const RepoState& state);

}  // namespace sortie::git
