#include "sortie/git/snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <optional>
#include <set>
#include <system_error>

#include "sortie/git/handles.hpp"
#include "sortie/git/library.hpp"
#include "sortie/git/open.hpp"
#include "sortie/git/sha256.hpp"
#include "sortie/git/status.hpp"

namespace sortie::git {
namespace {

using core::ErrorCode;
namespace fs = std::filesystem;

constexpr std::size_t k_chunk_size = std::size_t{64} * 1024;
constexpr std::size_t k_largest_files_named = 5;

std::string human_size(std::uint64_t bytes) {
  const auto value = static_cast<double>(bytes);
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  if (bytes < (std::uint64_t{1} << 20)) return fmt::format("{:.1f} KiB", value / 1024.0);
  if (bytes < (std::uint64_t{1} << 30)) return fmt::format("{:.1f} MiB", value / 1048576.0);
  return fmt::format("{:.1f} GiB", value / 1073741824.0);
}

struct FileContent {
  std::uint64_t size = 0;
  std::string sha256;
};

// Reads `file` in chunks, handing each to `each_chunk`, and returns its size and SHA-256.
core::Result<FileContent> stream_file(
    const fs::path& file, const std::function<core::Result<void>(std::string_view)>& each_chunk) {
  std::ifstream input(file, std::ios::binary);
  if (!input) {
    return core::fail(ErrorCode::io_error,
                      fmt::format("could not read {}: it may have been removed or made "
                                  "unreadable; check it and try again",
                                  file.string()));
  }
  std::vector<char> buffer(k_chunk_size);
  Sha256 hash;
  FileContent content;
  while (input) {
    input.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    const auto count = static_cast<std::size_t>(input.gcount());
    if (count == 0) break;
    const std::string_view chunk(buffer.data(), count);
    hash.update(chunk);
    content.size += count;
    if (auto handled = each_chunk(chunk); !handled) return std::unexpected(handled.error());
  }
  if (input.bad()) {
    return core::fail(ErrorCode::io_error, fmt::format("could not read {}", file.string()));
  }
  content.sha256 = hash.finish_hex();
  return content;
}

struct Candidates {
  std::set<std::string> paths;  // bytewise order, no duplicates
  std::vector<std::string> skipped_submodules;
};

// Tracked paths come from the index (HEAD plus whatever was staged); untracked ones from status,
// which applies .gitignore, .git/info/exclude and core.excludesFile exactly as git does.
core::Result<Candidates> list_candidates(git_repository* repository, const fs::path& root) {
  Candidates candidates;
  git_index* raw_index = nullptr;
  if (git_repository_index(&raw_index, repository) != 0) {
    return git_failure(ErrorCode::io_error,
                       fmt::format("could not read the Git index of {}", root.string()));
  }
  const IndexPtr index(raw_index);
  const std::size_t entry_count = git_index_entrycount(index.get());
  for (std::size_t i = 0; i < entry_count; ++i) {
    const git_index_entry* entry = git_index_get_byindex(index.get(), i);
    if (entry == nullptr) continue;
    if (entry->mode == GIT_FILEMODE_COMMIT) {
      candidates.skipped_submodules.emplace_back(entry->path);
    } else {
      candidates.paths.emplace(entry->path);
    }
  }

  git_status_options options = GIT_STATUS_OPTIONS_INIT;
  options.show = GIT_STATUS_SHOW_WORKDIR_ONLY;
  options.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
                  GIT_STATUS_OPT_SORT_CASE_SENSITIVELY;
  git_status_list* raw_list = nullptr;
  if (git_status_list_new(&raw_list, repository, &options) != 0) {
    return git_failure(ErrorCode::io_error,
                       fmt::format("could not list the untracked files of {}", root.string()));
  }
  const StatusListPtr list(raw_list);
  const std::size_t status_count = git_status_list_entrycount(list.get());
  for (std::size_t i = 0; i < status_count; ++i) {
    const git_status_entry* entry = git_status_byindex(list.get(), i);
    if (entry == nullptr || (entry->status & GIT_STATUS_WT_NEW) == 0) continue;
    if (entry->index_to_workdir == nullptr || entry->index_to_workdir->new_file.path == nullptr) {
      continue;
    }
    std::string path = entry->index_to_workdir->new_file.path;
    // Status reports a folder holding its own repository as "folder/" without descending.
    if (!path.empty() && path.back() == '/') {
      path.pop_back();
      candidates.skipped_submodules.push_back(std::move(path));
    } else {
      candidates.paths.insert(std::move(path));
    }
  }
  std::ranges::sort(candidates.skipped_submodules);
  return candidates;
}

// What is on disk at `path` now: a regular file or a symlink, or nothing for a deleted file or
// anything else (a folder that replaced a file lists its own files as untracked).
core::Result<std::optional<SnapshotFile>> describe(const fs::path& root, const std::string& path) {
  const fs::path file = root / path;
  std::error_code error;
  const fs::file_status status = fs::symlink_status(file, error);
  // Gone, or a parent folder became a file: deleted from the tree.
  if (error == std::errc::no_such_file_or_directory || error == std::errc::not_a_directory) {
    return std::nullopt;
  }
  if (error) {
    return core::fail(ErrorCode::io_error,
                      fmt::format("could not look at {}: {}", file.string(), error.message()));
  }
  if (!fs::exists(status)) return std::nullopt;
  SnapshotFile described;
  described.path = path;
  if (fs::is_symlink(status)) {
    const fs::path target = fs::read_symlink(file, error);
    if (error) {
      return core::fail(ErrorCode::io_error, fmt::format("could not read the symlink {}: {}",
                                                         file.string(), error.message()));
    }
    described.mode = FileMode::symlink;
    described.link_target = target.string();
    described.size = described.link_target.size();
    described.sha256 = sha256_hex(described.link_target);
    return described;
  }
  if (!fs::is_regular_file(status)) return std::nullopt;
  // Like git: the owner's execute bit decides.
  const bool executable = (status.permissions() & fs::perms::owner_exec) != fs::perms::none;
  described.mode = executable ? FileMode::executable : FileMode::regular;
  described.size = fs::file_size(file, error);
  if (error) {
    return core::fail(ErrorCode::io_error, fmt::format("could not read the size of {}: {}",
                                                       file.string(), error.message()));
  }
  return described;
}

std::unexpected<core::Error> too_large(const fs::path& root, std::vector<SnapshotFile> files,
                                       std::uint64_t total, std::uint64_t limit) {
  const std::size_t named = std::min(files.size(), k_largest_files_named);
  std::ranges::partial_sort(files, files.begin() + static_cast<std::ptrdiff_t>(named),
                            std::ranges::greater{}, &SnapshotFile::size);
  std::string largest;
  for (std::size_t i = 0; i < named; ++i) {
    if (!largest.empty()) largest += ", ";
    largest += fmt::format("{} ({})", files[i].path, human_size(files[i].size));
  }
  return core::fail(
      ErrorCode::invalid_argument,
      fmt::format("the snapshot of {} would be {} in {} files, above the {} limit. "
                  "Largest files: {}. Add what the job does not need (data, "
                  "checkpoints, outputs) to .gitignore, or raise the snapshot limit",
                  root.string(), human_size(total), files.size(), human_size(limit), largest));
}

std::string canonical_hash(const std::vector<SnapshotFile>& files) {
  Sha256 hash;
  hash.update("sortie-snapshot-v1\n");
  for (const SnapshotFile& file : files) {
    hash.update(fmt::format("{} {} {} ", to_string(file.mode), file.sha256, file.size));
    hash.update(file.path);
    hash.update(std::string_view("\0", 1));
  }
  return hash.finish_hex();
}

std::vector<std::string> changed_paths(const std::vector<ChangedFile>& changes) {
  std::set<std::string> paths;
  for (const ChangedFile& change : changes) {
    paths.insert(change.path);
    if (!change.old_path.empty()) paths.insert(change.old_path);
  }
  return {paths.begin(), paths.end()};
}

}  // namespace

core::Result<Snapshot> snapshot(const fs::path& path, const SnapshotOptions& options) {
  const Library library;
  auto repository = open_work_tree(path);
  if (!repository) return std::unexpected(repository.error());
  git_repository* repo = repository->get();

  Snapshot result;
  result.root = work_tree_root(repo);
  auto candidates = list_candidates(repo, result.root);
  if (!candidates) return std::unexpected(candidates.error());
  result.skipped_submodules = std::move(candidates->skipped_submodules);

  // Sizes first, so an oversized tree is refused before anything is read.
  std::uint64_t listed_bytes = 0;
  for (const std::string& candidate : candidates->paths) {
    auto described = describe(result.root, candidate);
    if (!described) return std::unexpected(described.error());
    if (!*described) continue;
    listed_bytes += (*described)->size;
    result.files.push_back(std::move(**described));
  }
  if (listed_bytes > options.max_total_bytes) {
    return too_large(result.root, result.files, listed_bytes, options.max_total_bytes);
  }

  for (SnapshotFile& file : result.files) {
    if (file.mode != FileMode::symlink) {
      auto content = stream_file(result.root / file.path,
                                 [](std::string_view) -> core::Result<void> { return {}; });
      if (!content) return std::unexpected(content.error());
      file.size = content->size;
      file.sha256 = std::move(content->sha256);
    }
    result.total_bytes += file.size;
  }
  result.content_hash = canonical_hash(result.files);

  auto changes = read_changes(repo);
  if (!changes) return std::unexpected(changes.error());
  result.changed_files = changed_paths(*changes);
  return result;
}

core::Result<void> write_snapshot_tar(const Snapshot& snapshot, const ByteSink& sink,
                                      const TarOptions& options) {
  std::vector<TarEntry> entries;
  entries.reserve(snapshot.files.size());
  for (const SnapshotFile& file : snapshot.files) {
    entries.push_back({file.path, file.mode, file.size, file.link_target});
  }
  auto changed = [&](const std::string& path) {
    return core::fail(ErrorCode::io_error,
                      fmt::format("{} changed after the snapshot of {} was taken: take the "
                                  "snapshot again once nothing writes to the working tree",
                                  path, snapshot.root.string()));
  };
  const ContentWriter content = [&](const TarEntry& entry,
                                    const ByteSink& write) -> core::Result<void> {
    const auto file = std::ranges::lower_bound(snapshot.files, entry.path, {}, &SnapshotFile::path);
    auto streamed = stream_file(snapshot.root / entry.path, write);
    if (!streamed) return std::unexpected(streamed.error());
    if (file == snapshot.files.end() || file->path != entry.path ||
        streamed->sha256 != file->sha256) {
      return changed(entry.path);
    }
    return {};
  };
  return write_tar(std::move(entries), content, sink, options);
}

}  // namespace sortie::git
