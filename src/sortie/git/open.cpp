#include "sortie/git/open.hpp"

#include <fmt/format.h>

#include <system_error>

namespace sortie::git {

using core::ErrorCode;

namespace {

// The folder safe.directory wants for a discovered git folder: "/p/project/.git/" -> "/p/project".
std::string work_tree_or(std::string git_dir) {
  while (git_dir.size() > 1 && git_dir.back() == '/') git_dir.pop_back();
  constexpr std::string_view k_suffix = "/.git";
  if (git_dir.ends_with(k_suffix)) git_dir.resize(git_dir.size() - k_suffix.size());
  return git_dir;
}

}  // namespace

core::Result<RepositoryPtr> open_work_tree(const std::filesystem::path& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    return core::fail(ErrorCode::not_found,
                      fmt::format("{} does not exist: pick the project's folder", path.string()));
  }
  if (!std::filesystem::is_directory(status)) {
    return core::fail(ErrorCode::invalid_argument,
                      fmt::format("{} is not a folder: pick the project's folder (the one with "
                                  "the .git folder, or any folder inside it)",
                                  path.string()));
  }
  const auto absolute = std::filesystem::absolute(path, error);
  const std::string start = error ? path.string() : absolute.string();

  Buffer found;
  const int discovered = git_repository_discover(found.get(), start.c_str(), 0, nullptr);
  if (discovered == GIT_ENOTFOUND) {
    return core::fail(ErrorCode::not_found,
                      fmt::format("{} is not inside a Git repository: run `git init` there, or "
                                  "pick the project's folder",
                                  path.string()));
  }
  if (discovered != 0) {
    return git_failure(ErrorCode::io_error,
                       fmt::format("could not look for a Git repository at {}", path.string()));
  }

  git_repository* raw = nullptr;
  const std::string git_dir(found.view());
  const int opened = git_repository_open(&raw, git_dir.c_str());
  if (opened == GIT_EOWNER) {
    return core::fail(ErrorCode::invalid_argument,
                      fmt::format("the Git repository at {} belongs to another user, so Git "
                                  "refuses to use it: if you trust it, run `git config --global "
                                  "--add safe.directory {}`",
                                  git_dir, work_tree_or(git_dir)));
  }
  if (opened != 0) {
    return git_failure(ErrorCode::io_error,
                       fmt::format("could not open the Git repository at {}", git_dir));
  }
  RepositoryPtr repository(raw);
  if (git_repository_is_bare(repository.get()) ||
      git_repository_workdir(repository.get()) == nullptr) {
    return core::fail(ErrorCode::invalid_argument,
                      fmt::format("{} is a bare Git repository (it has no working tree): pick a "
                                  "clone of it with the project's files instead",
                                  path.string()));
  }
  return repository;
}

std::filesystem::path work_tree_root(git_repository* repository) {
  std::string workdir = git_repository_workdir(repository);
  while (workdir.size() > 1 && workdir.back() == '/') workdir.pop_back();
  return std::filesystem::path(workdir);
}

}  // namespace sortie::git
