#include "sortie/git/repository.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "fixtures/git_fixture.hpp"

namespace sortie::git {
namespace {

using fixtures::git;
using fixtures::git_line;
using fixtures::PushedProject;
using fixtures::shell_quote;
using fixtures::TempDir;
using fixtures::write_file;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

ChangedFile change(std::string path, FileStatus status, std::string old_path = "") {
  return {std::move(path), status, std::move(old_path)};
}

TEST(GitRepository, CleanPushedProjectIsPushedWithNoChanges) {
  PushedProject project;
  auto state = read_state(project.work());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_EQ(state->root, project.work());
  EXPECT_THAT(state->remotes, ElementsAre(GitRemote{"origin", project.remote().string()}));
  EXPECT_EQ(state->branch, "main");
  EXPECT_FALSE(state->detached);
  EXPECT_EQ(state->head_commit, git_line(project.work(), "rev-parse HEAD"));
  EXPECT_EQ(state->head_commit.size(), 40u);
  EXPECT_EQ(state->head_summary, "First commit");
  EXPECT_EQ(state->upstream, "origin/main");
  EXPECT_TRUE(state->pushed);
  EXPECT_EQ(state->ahead, 0u);
  EXPECT_EQ(state->behind, 0u);
  EXPECT_THAT(state->changed_files, IsEmpty());
  EXPECT_THAT(state->submodules, IsEmpty());
  EXPECT_FALSE(needs_snapshot(*state));
  EXPECT_TRUE(require_remote(*state));
}

TEST(GitRepository, NewLocalCommitIsNotPushedAndOneAhead) {
  PushedProject project;
  write_file(project / "train.py", "print('changed')\n");
  project.commit("Second commit");
  auto state = read_state(project.work());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_FALSE(state->pushed);
  EXPECT_EQ(state->ahead, 1u);
  EXPECT_EQ(state->behind, 0u);
  EXPECT_EQ(state->head_summary, "Second commit");
  EXPECT_TRUE(needs_snapshot(*state));
}

TEST(GitRepository, CommitsOnlyOnTheUpstreamCountAsBehindAndHeadStaysPushed) {
  PushedProject project;
  TempDir other;
  git(other.path(), "clone " + shell_quote(project.remote().string()) + " .");
  write_file(other / "new.txt", "from elsewhere\n");
  git(other.path(), "add -A");
  git(other.path(), "commit -m 'Elsewhere'");
  git(other.path(), "push origin main");
  git(project.work(), "fetch origin");

  auto state = read_state(project.work());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_TRUE(state->pushed);
  EXPECT_EQ(state->ahead, 0u);
  EXPECT_EQ(state->behind, 1u);
}

TEST(GitRepository, ReportsEachKindOfChangeAndSkipsIgnoredFiles) {
  PushedProject project;
  write_file(project / ".gitignore", "*.ckpt\noutputs/\n");
  write_file(project / "keep.txt", "keep\n");
  write_file(project / "gone.txt", "gone\n");
  write_file(project / "old_name.txt", "moves\n");
  project.commit("More files");
  git(project.work(), "push");

  write_file(project / "train.py", "print('modified')\n");
  write_file(project / "staged.txt", "new and staged\n");
  git(project.work(), "add staged.txt");
  std::filesystem::remove(project / "gone.txt");
  git(project.work(), "mv old_name.txt new_name.txt");
  write_file(project / "notes/todo.txt", "untracked\n");
  write_file(project / "model.ckpt", "ignored\n");
  write_file(project / "outputs/run1/log.txt", "ignored too\n");

  auto state = read_state(project.work());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_THAT(state->changed_files,
              ElementsAre(change("gone.txt", FileStatus::deleted),
                          change("new_name.txt", FileStatus::renamed, "old_name.txt"),
                          change("notes/todo.txt", FileStatus::untracked),
                          change("staged.txt", FileStatus::added),
                          change("train.py", FileStatus::modified)));
  EXPECT_TRUE(state->pushed) << "uncommitted changes do not make HEAD unpushed";
  EXPECT_TRUE(needs_snapshot(*state));
}

TEST(GitRepository, MoveWithoutGitMvIsReportedAsRename) {
  PushedProject project;
  std::filesystem::rename(project / "README.md", project / "READ_ME.md");
  auto state = read_state(project.work());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_THAT(state->changed_files,
              ElementsAre(change("READ_ME.md", FileStatus::renamed, "README.md")));
}

TEST(GitRepository, FileReplacedBySymlinkIsATypeChange) {
  PushedProject project;
  std::filesystem::remove(project / "README.md");
  std::filesystem::create_symlink("train.py", project / "README.md");
  auto state = read_state(project.work());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_THAT(state->changed_files, ElementsAre(change("README.md", FileStatus::typechange)));
}

TEST(GitRepository, FileStagedThenDeletedFromDiskIsNoChange) {
  PushedProject project;
  write_file(project / "brief.txt", "here a moment\n");
  git(project.work(), "add brief.txt");
  std::filesystem::remove(project / "brief.txt");
  auto state = read_state(project.work());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_THAT(state->changed_files, IsEmpty());
}

TEST(GitRepository, DetachedHeadHasNoBranchAndIsPushedWhenARemoteBranchHasIt) {
  PushedProject project;
  git(project.work(), "checkout --detach HEAD");
  auto state = read_state(project.work());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_TRUE(state->detached);
  EXPECT_EQ(state->branch, "");
  EXPECT_EQ(state->upstream, "");
  EXPECT_TRUE(state->pushed);

  write_file(project / "train.py", "print('detached work')\n");
  project.commit("Detached commit");
  auto moved = read_state(project.work());
  ASSERT_TRUE(moved) << moved.error().message;
  EXPECT_FALSE(moved->pushed);
  EXPECT_EQ(moved->ahead, 0u) << "no upstream, so nothing to count against";
}

TEST(GitRepository, BranchWithoutUpstreamIsPushedWhenAnyRemoteBranchContainsHead) {
  PushedProject project;
  git(project.work(), "switch -c experiment");
  auto state = read_state(project.work());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_EQ(state->branch, "experiment");
  EXPECT_EQ(state->upstream, "");
  EXPECT_TRUE(state->pushed);

  write_file(project / "train.py", "print('experiment')\n");
  project.commit("Try something");
  auto ahead = read_state(project.work());
  ASSERT_TRUE(ahead) << ahead.error().message;
  EXPECT_FALSE(ahead->pushed);
}

TEST(GitRepository, ProjectWithoutRemoteIsReadButRequireRemoteExplainsWhatToDo) {
  TempDir work;
  git(work.path(), "init -b main");
  write_file(work / "train.py", "print('x')\n");
  git(work.path(), "add -A");
  git(work.path(), "commit -m 'Only local'");

  auto state = read_state(work.path());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_THAT(state->remotes, IsEmpty());
  EXPECT_FALSE(state->pushed);
  EXPECT_TRUE(needs_snapshot(*state));

  auto required = require_remote(*state);
  ASSERT_FALSE(required);
  EXPECT_EQ(required.error().code, core::ErrorCode::invalid_argument);
  EXPECT_THAT(required.error().message, HasSubstr(work.path().string() + " has no remote"));
  EXPECT_THAT(required.error().message, HasSubstr("git remote add origin URL"));
}

TEST(GitRepository, ListsRemotesWithOriginFirst) {
  PushedProject project;
  git(project.work(), "remote add backup https://example.com/backup.git");
  git(project.work(), "remote add archive git@example.com:archive.git");
  auto state = read_state(project.work());
  ASSERT_TRUE(state) << state.error().message;
  ASSERT_EQ(state->remotes.size(), 3u);
  EXPECT_EQ(state->remotes[0].name, "origin");
  EXPECT_EQ(state->remotes[1], (GitRemote{"archive", "git@example.com:archive.git"}));
  EXPECT_EQ(state->remotes[2], (GitRemote{"backup", "https://example.com/backup.git"}));
}

TEST(GitRepository, FolderOutsideAnyRepositoryIsNotFoundWithAHint) {
  TempDir plain;
  auto state = read_state(plain.path());
  ASSERT_FALSE(state);
  EXPECT_EQ(state.error().code, core::ErrorCode::not_found);
  EXPECT_THAT(state.error().message,
              HasSubstr(plain.path().string() + " is not inside a Git repository: run `git init`"));
}

TEST(GitRepository, MissingPathIsNotFound) {
  TempDir plain;
  auto state = read_state(plain / "nowhere");
  ASSERT_FALSE(state);
  EXPECT_EQ(state.error().code, core::ErrorCode::not_found);
  EXPECT_THAT(state.error().message, HasSubstr("nowhere does not exist"));
}

TEST(GitRepository, FileIsNotAFolder) {
  PushedProject project;
  auto state = read_state(project / "train.py");
  ASSERT_FALSE(state);
  EXPECT_EQ(state.error().code, core::ErrorCode::invalid_argument);
  EXPECT_THAT(state.error().message, HasSubstr("train.py is not a folder"));
}

TEST(GitRepository, SubfolderFindsTheTopOfTheWorkTree) {
  PushedProject project;
  write_file(project / "src/models/net.py", "pass\n");
  project.commit("Nested");
  auto state = read_state(project / "src/models");
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_EQ(state->root, project.work());
  EXPECT_EQ(state->head_summary, "Nested");
}

TEST(GitRepository, RepositoryWithoutCommitsSaysCommitSomethingFirst) {
  TempDir work;
  git(work.path(), "init -b main");
  write_file(work / "train.py", "print('x')\n");
  auto state = read_state(work.path());
  ASSERT_FALSE(state);
  EXPECT_EQ(state.error().code, core::ErrorCode::invalid_argument);
  EXPECT_THAT(state.error().message, HasSubstr("has no commits yet: commit something first"));
}

TEST(GitRepository, BareRepositoryIsRefused) {
  PushedProject project;
  auto state = read_state(project.remote());
  ASSERT_FALSE(state);
  EXPECT_EQ(state.error().code, core::ErrorCode::invalid_argument);
  EXPECT_THAT(state.error().message, HasSubstr("is a bare Git repository"));
}

TEST(GitRepository, NotesSubmodules) {
  PushedProject library;
  PushedProject project;
  git(project.work(), "submodule add " + shell_quote(library.work().string()) + " vendor/lib");
  project.commit("Add a submodule");
  auto state = read_state(project.work());
  ASSERT_TRUE(state) << state.error().message;
  EXPECT_THAT(state->submodules, ElementsAre("vendor/lib"));
  EXPECT_THAT(state->changed_files, IsEmpty());
}

TEST(GitRepository, StatusNamesAreStable) {
  EXPECT_EQ(to_string(FileStatus::modified), "modified");
  EXPECT_EQ(to_string(FileStatus::added), "added");
  EXPECT_EQ(to_string(FileStatus::deleted), "deleted");
  EXPECT_EQ(to_string(FileStatus::renamed), "renamed");
  EXPECT_EQ(to_string(FileStatus::untracked), "untracked");
  EXPECT_EQ(to_string(FileStatus::typechange), "typechange");
}

}  // namespace
}  // namespace sortie::git
