#include "sortie/jobs/code.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <memory>

#include "sortie/git/repository.hpp"
#include "sortie/git/snapshot.hpp"

namespace sortie::jobs {

core::Result<CodeToDeliver> resolve_code(const std::filesystem::path& project_path,
                                         std::optional<store::DeliveryMode> requested) {
  auto state = git::read_state(project_path);
  if (!state) return std::unexpected(state.error());

  const auto mode = requested.value_or(git::needs_snapshot(*state) ? store::DeliveryMode::snapshot
                                                                   : store::DeliveryMode::git);
  CodeToDeliver code;
  code.record.mode = mode;
  code.record.commit = state->head_commit;

  if (mode == store::DeliveryMode::git) {
    // The job clones on the cluster: the exact commit must be reachable there and be the tree.
    if (auto ok = git::require_remote(*state); !ok) return std::unexpected(ok.error());
    if (!state->pushed) {
      return core::fail(
          core::ErrorCode::invalid_argument,
          fmt::format("commit {} is not pushed: push it, or submit with --mode snapshot",
                      state->head_commit.substr(0, 12)));
    }
    if (!state->changed_files.empty()) {
      std::vector<std::string> paths;
      for (const auto& file : state->changed_files) paths.push_back(file.path);
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("uncommitted changes ({}) would not reach the cluster in git "
                                    "mode: commit and push them, or submit with --mode snapshot",
                                    fmt::join(paths, ", ")));
    }
    code.repository_url = state->remotes.front().url;
    return code;
  }

  // Snapshot: hash now (the record names the exact tree), archive only when uploading.
  auto snapshot = git::snapshot(state->root);
  if (!snapshot) return std::unexpected(snapshot.error());
  code.record.snapshot_hash = snapshot->content_hash;
  code.record.changed_files = snapshot->changed_files;
  auto shared = std::make_shared<git::Snapshot>(std::move(*snapshot));
  code.archive = [shared]() -> core::Result<std::string> {
    std::string archive;
    auto written = git::write_snapshot_tar(*shared, [&archive](std::string_view bytes) {
      archive.append(bytes);
      return core::Result<void>{};
    });
    if (!written) return std::unexpected(written.error());
    return archive;
  };
  return code;
}

}  // namespace sortie::jobs
