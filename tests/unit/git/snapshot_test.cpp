#include "sortie/git/snapshot.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "fixtures/git_fixture.hpp"
#include "sortie/git/sha256.hpp"

namespace sortie::git {
namespace {

namespace fs = std::filesystem;
using fixtures::git;
using fixtures::make_executable;
using fixtures::PushedProject;
using fixtures::read_file;
using fixtures::run_shell;
using fixtures::shell_quote;
using fixtures::TempDir;
using fixtures::write_file;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> paths_of(const Snapshot& snapshot) {
  std::vector<std::string> paths;
  for (const SnapshotFile& file : snapshot.files) paths.push_back(file.path);
  return paths;
}

const SnapshotFile* find(const Snapshot& snapshot, std::string_view path) {
  for (const SnapshotFile& file : snapshot.files) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

Snapshot take(const fs::path& path, const SnapshotOptions& options = {}) {
  auto taken = snapshot(path, options);
  EXPECT_TRUE(taken) << taken.error().message;
  return taken ? *taken : Snapshot{};
}

// Streams the snapshot's archive to a file and extracts it with the system's tar.
fs::path extract(const Snapshot& taken, const TempDir& into) {
  std::string archive;
  auto written = write_snapshot_tar(taken, [&](std::string_view bytes) -> core::Result<void> {
    archive.append(bytes);
    return {};
  });
  EXPECT_TRUE(written) << written.error().message;
  write_file(into / "code.tar", archive);
  fs::create_directories(into / "tree");
  const auto result = run_shell("tar -xf " + shell_quote((into / "code.tar").string()) + " -C " +
                                shell_quote((into / "tree").string()));
  EXPECT_EQ(result.status, 0) << result.output;
  return into / "tree";
}

TEST(Snapshot, HoldsTheWorkingTreeContentNotHeads) {
  PushedProject project;
  write_file(project / "train.py", "print('edited, not committed')\n");
  const Snapshot taken = take(project.work());
  EXPECT_EQ(taken.root, project.work());
  const SnapshotFile* train = find(taken, "train.py");
  ASSERT_NE(train, nullptr);
  EXPECT_EQ(train->sha256, sha256_hex("print('edited, not committed')\n"));
  EXPECT_EQ(train->size, 31u);
  EXPECT_EQ(train->mode, FileMode::regular);
  EXPECT_THAT(taken.changed_files, ElementsAre("train.py"));

  TempDir out;
  const fs::path tree = extract(taken, out);
  EXPECT_EQ(read_file(tree / "train.py"), "print('edited, not committed')\n");
  EXPECT_EQ(read_file(tree / "README.md"), "# project\n");
}

TEST(Snapshot, IncludesUntrackedFilesAndLeavesOutIgnoredAndDeletedOnes) {
  PushedProject project;
  write_file(project / ".gitignore", "*.ckpt\noutputs/\nsecrets.env\n");
  write_file(project / "secrets.env", "tracked before it was ignored\n");
  git(project.work(), "add -f secrets.env");
  project.commit("Ignore rules");
  std::filesystem::remove(project / "README.md");
  write_file(project / "configs/new.yaml", "lr: 0.1\n");
  write_file(project / "model.ckpt", "weights\n");
  write_file(project / "outputs/run/log.txt", "log\n");
  write_file(project / "configs/old.ckpt", "weights\n");

  const Snapshot taken = take(project.work());
  EXPECT_THAT(paths_of(taken),
              ElementsAre(".gitignore", "configs/new.yaml", "secrets.env", "train.py"))
      << "tracked files stay even when a later rule ignores them, as in git";
  EXPECT_THAT(taken.changed_files, ElementsAre("README.md", "configs/new.yaml"));
  EXPECT_THAT(taken.skipped_submodules, IsEmpty());
}

TEST(Snapshot, KeepsTheExecutableBitAndSymlinks) {
  PushedProject project;
  write_file(project / "scripts/run.sh", "#!/bin/sh\nexec python train.py\n");
  make_executable(project / "scripts/run.sh");
  fs::create_symlink("scripts/run.sh", project / "run");
  project.commit("Scripts");
  fs::create_symlink("train.py", project / "untracked_link");

  const Snapshot taken = take(project.work());
  const SnapshotFile* script = find(taken, "scripts/run.sh");
  const SnapshotFile* link = find(taken, "run");
  const SnapshotFile* untracked_link = find(taken, "untracked_link");
  ASSERT_NE(script, nullptr);
  ASSERT_NE(link, nullptr);
  ASSERT_NE(untracked_link, nullptr);
  EXPECT_EQ(script->mode, FileMode::executable);
  EXPECT_EQ(link->mode, FileMode::symlink);
  EXPECT_EQ(link->link_target, "scripts/run.sh");
  EXPECT_EQ(untracked_link->link_target, "train.py");

  TempDir out;
  const fs::path tree = extract(taken, out);
  EXPECT_NE(fs::status(tree / "scripts/run.sh").permissions() & fs::perms::owner_exec,
            fs::perms::none);
  EXPECT_EQ(fs::status(tree / "train.py").permissions() & fs::perms::owner_exec, fs::perms::none);
  ASSERT_TRUE(fs::is_symlink(tree / "run"));
  EXPECT_EQ(fs::read_symlink(tree / "run"), "scripts/run.sh");
}

TEST(Snapshot, ArchiveExtractsToExactlyTheSnapshotFiles) {
  PushedProject project;
  write_file(project / "data/small.csv", "a,b\n1,2\n");
  write_file(project / "ignored.log", "noise\n");
  write_file(project / ".gitignore", "*.log\n");
  const Snapshot taken = take(project.work());

  TempDir out;
  const fs::path tree = extract(taken, out);
  std::vector<std::string> extracted;
  for (const auto& entry : fs::recursive_directory_iterator(tree)) {
    if (entry.is_symlink() || entry.is_regular_file()) {
      extracted.push_back(fs::relative(entry.path(), tree).string());
      const SnapshotFile* file = find(taken, extracted.back());
      ASSERT_NE(file, nullptr) << extracted.back();
      EXPECT_EQ(sha256_hex(read_file(entry.path())), file->sha256) << extracted.back();
    }
  }
  std::ranges::sort(extracted);
  EXPECT_EQ(extracted, paths_of(taken));
}

TEST(Snapshot, SameContentInTwoClonesHasTheSameHash) {
  PushedProject project;
  TempDir first;
  TempDir second;
  git(first.path(), "clone " + shell_quote(project.remote().string()) + " .");
  git(second.path(), "clone " + shell_quote(project.remote().string()) + " .");
  // Same untracked files, created in a different order and with different mtimes.
  write_file(first / "notes/a.txt", "alpha\n");
  write_file(first / "notes/b.txt", "beta\n");
  write_file(second / "notes/b.txt", "beta\n");
  write_file(second / "notes/a.txt", "alpha\n");
  fs::last_write_time(second / "train.py",
                      fs::last_write_time(second / "train.py") - std::chrono::hours(48));

  const Snapshot one = take(first.path());
  const Snapshot two = take(second.path());
  EXPECT_EQ(one.content_hash.size(), 64u);
  EXPECT_EQ(one.content_hash, two.content_hash);
  EXPECT_EQ(one.files, two.files);
  EXPECT_EQ(one.total_bytes, two.total_bytes);
  EXPECT_EQ(take(first.path()).content_hash, one.content_hash) << "taking it again";
}

TEST(Snapshot, OneChangedByteOrModeChangesTheHash) {
  PushedProject project;
  const std::string before = take(project.work()).content_hash;
  write_file(project / "train.py", "print('hellO')\n");
  const std::string edited = take(project.work()).content_hash;
  EXPECT_NE(edited, before);

  write_file(project / "train.py", "print('hello')\n");
  EXPECT_EQ(take(project.work()).content_hash, before);
  make_executable(project / "train.py");
  EXPECT_NE(take(project.work()).content_hash, before);
}

TEST(Snapshot, ChangedFilesNameBothEndsOfARename) {
  PushedProject project;
  git(project.work(), "mv README.md docs.md");
  const Snapshot taken = take(project.work());
  EXPECT_THAT(taken.changed_files, ElementsAre("README.md", "docs.md"));
  EXPECT_THAT(paths_of(taken), ElementsAre("docs.md", "train.py"));
}

TEST(Snapshot, RefusesTreesAboveTheLimitNamingTheLargestFiles) {
  PushedProject project;
  write_file(project / "data/big.bin", std::string(5000, 'x'));
  write_file(project / "data/medium.bin", std::string(2000, 'y'));
  auto taken = snapshot(project.work(), {.max_total_bytes = 4096});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, core::ErrorCode::invalid_argument);
  EXPECT_THAT(taken.error().message, HasSubstr("above the 4.0 KiB limit"));
  EXPECT_THAT(taken.error().message,
              HasSubstr("Largest files: data/big.bin (4.9 KiB), data/medium.bin (2.0 KiB)"));
  EXPECT_THAT(taken.error().message, HasSubstr(".gitignore"));

  EXPECT_TRUE(snapshot(project.work(), {.max_total_bytes = 1 << 20}));
}

TEST(Snapshot, SkipsSubmoduleAndNestedRepositoryContentsAndSaysSo) {
  PushedProject library;
  PushedProject project;
  git(project.work(), "submodule add " + shell_quote(library.work().string()) + " vendor/lib");
  project.commit("Add a submodule");
  fs::create_directories(project / "scratch");
  git(project / "scratch", "init -b main");
  write_file(project / "scratch/notes.txt", "nested repository\n");

  const Snapshot taken = take(project.work());
  EXPECT_THAT(taken.skipped_submodules, ElementsAre("scratch", "vendor/lib"));
  EXPECT_THAT(paths_of(taken), ElementsAre(".gitmodules", "README.md", "train.py"));
}

TEST(Snapshot, WorksWithoutARemoteOrACommit) {
  TempDir work;
  git(work.path(), "init -b main");
  write_file(work / "train.py", "print('x')\n");
  const Snapshot taken = take(work / ".");
  EXPECT_THAT(paths_of(taken), ElementsAre("train.py"));
  EXPECT_THAT(taken.changed_files, ElementsAre("train.py"));
  EXPECT_EQ(taken.total_bytes, 11u);
}

TEST(Snapshot, FolderOutsideAnyRepositoryIsNotFound) {
  TempDir plain;
  auto taken = snapshot(plain.path());
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, core::ErrorCode::not_found);
  EXPECT_THAT(taken.error().message, HasSubstr("is not inside a Git repository"));
}

TEST(Snapshot, ArchiveFailsWhenAFileChangedAfterTheSnapshot) {
  PushedProject project;
  const Snapshot taken = take(project.work());
  write_file(project / "train.py", "print('HELLO')\n");  // same size, other bytes
  auto written =
      write_snapshot_tar(taken, [](std::string_view) -> core::Result<void> { return {}; });
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, core::ErrorCode::io_error);
  EXPECT_THAT(written.error().message, HasSubstr("train.py changed after the snapshot"));

  write_file(project / "train.py", "print('longer than before')\n");
  auto resized =
      write_snapshot_tar(taken, [](std::string_view) -> core::Result<void> { return {}; });
  ASSERT_FALSE(resized);
  EXPECT_THAT(resized.error().message, HasSubstr("train.py"));
}

}  // namespace
}  // namespace sortie::git
