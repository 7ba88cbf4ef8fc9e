#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/git/tar.hpp"

namespace sortie::git {

// One file of a snapshot. Paths are relative to the work tree's top, '/'-separated.
struct SnapshotFile {
  std::string path;
  FileMode mode = FileMode::regular;
  std::uint64_t size = 0;   // content bytes; for a symlink, the length of its target
  std::string sha256;       // 64 hex digits: SHA-256 of the content (of the target, for a symlink)
  std::string link_target;  // symlinks only

  bool operator==(const SnapshotFile&) const = default;
};

// The exact tree a job runs when its code is delivered as a snapshot: HEAD's files with the
// working tree's changes applied (tracked files as they are on disk, deleted ones gone, untracked
// files that .gitignore does not exclude added).
struct Snapshot {
  std::filesystem::path root;       // absolute top folder of the working tree
  std::vector<SnapshotFile> files;  // sorted by path, bytewise
  // SHA-256 (64 hex digits) of the canonical encoding: "sortie-snapshot-v1\n", then for each
  // file in `files` order "<mode> <sha256> <size> <path>\0" with the mode as Git spells it
  // (to_string(FileMode)) and the size in decimal. It depends only on paths, modes and contents:
  // not on mtimes, owners, the order files were created or the folder the tree lives in.
  std::string content_hash;
  std::uint64_t total_bytes = 0;           // sum of `size` over `files`
  std::vector<std::string> changed_files;  // paths that differ from HEAD (both ends of a rename)
  // Submodules and nested repositories inside the tree: their contents are not included.
  std::vector<std::string> skipped_submodules;
};

// 512 MiB.
inline constexpr std::uint64_t k_default_snapshot_limit = std::uint64_t{512} << 20;

struct SnapshotOptions {
  std::uint64_t max_total_bytes = k_default_snapshot_limit;
};

// Lists and hashes the tree a job should run for the repository containing `path` (usually
// RepoState::root). Files are read from disk one at a time in chunks, never held whole. Works
// without a remote and without commits.
// Fails like read_state for a path that is missing, not a folder, not in a repository or bare;
// with invalid_argument, naming the largest files and suggesting .gitignore, when the files add
// up to more than `options.max_total_bytes`; with io_error when a file cannot be read or changes
// while it is being read.
core::Result<Snapshot> snapshot(const std::filesystem::path& path,
                                const SnapshotOptions& options = {});

// Writes `snapshot` as a tar archive (see write_tar) to `sink`, streaming each file from
// `snapshot.root` and checking that its content still has the recorded SHA-256, so the archive
// is exactly the tree `content_hash` names. Fails with io_error naming the file when one changed
// or vanished since the snapshot was taken (the bytes already sent to `sink` must then be
// discarded), or with whatever `sink` fails with.
core::Result<void> write_snapshot_tar(const Snapshot& snapshot, const ByteSink& sink,
                                      const TarOptions& options = {});

}  // namespace sortie::git
