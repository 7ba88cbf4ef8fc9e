// `sortie projects ...` as a user runs it: the real binary, real Git repositories and a real
// SQLite file.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/git/fixtures/git_fixture.hpp"

namespace sortie {
namespace {

using git::fixtures::git;
using git::fixtures::run_shell;
using git::fixtures::shell_quote;
using git::fixtures::TempDir;
using ::testing::HasSubstr;

class ProjectsCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    // A repository with a pushed commit on a bare "remote".
    git(m_dir.path(), "init -q --bare remote.git");
    std::filesystem::create_directory(m_dir / "vision");
    git(m_dir / "vision", "init -q");
    std::ofstream(m_dir / "vision" / "train.py") << "print('hello')\n";
    git(m_dir / "vision", "add train.py");
    git(m_dir / "vision", "commit -q -m 'First model'");
    git(m_dir / "vision", "remote add origin " + shell_quote((m_dir / "remote.git").string()));
    git(m_dir / "vision", "push -q -u origin main");
  }

  // Runs the sortie binary on this test's database; returns exit status and output.
  git::fixtures::CommandResult sortie(const std::string& arguments) {
    return run_shell(std::string(SORTIE_BINARY) + " --db " +
                     shell_quote((m_dir / "sortie.db").string()) + " " + arguments);
  }

  TempDir m_dir;
};

TEST_F(ProjectsCommand, AddsARepositoryAndShowsItsGitState) {
  auto added = sortie("projects add " + shell_quote((m_dir / "vision").string()));
  ASSERT_EQ(added.status, 0) << added.output;
  EXPECT_THAT(added.output, HasSubstr("Added project 1 'vision'"));
  EXPECT_THAT(added.output, HasSubstr("First model"));
  EXPECT_THAT(added.output, HasSubstr("delivery: git"));

  auto listed = sortie("projects list --json");
  ASSERT_EQ(listed.status, 0) << listed.output;
  auto projects = nlohmann::json::parse(listed.output);
  ASSERT_EQ(projects.size(), 1u);
  EXPECT_EQ(projects[0]["name"], "vision");
  EXPECT_EQ(projects[0]["entry_command"], "python train.py");
  EXPECT_EQ(projects[0]["git"]["pushed"], true);
  EXPECT_EQ(projects[0]["git"]["dirty"], false);
}

TEST_F(ProjectsCommand, WarnsAboutUncommittedAndUnpushedWorkAndSaysASnapshotWillBeUsed) {
  ASSERT_EQ(sortie("projects add " + shell_quote((m_dir / "vision").string())).status, 0);
  std::ofstream(m_dir / "vision" / "train.py") << "print('changed')\n";
  auto shown = sortie("projects show vision");
  ASSERT_EQ(shown.status, 0) << shown.output;
  EXPECT_THAT(shown.output, HasSubstr("1 uncommitted change"));
  EXPECT_THAT(shown.output, HasSubstr("train.py"));
  EXPECT_THAT(shown.output, HasSubstr("delivery: snapshot"));

  git(m_dir / "vision", "commit -q -am 'Second'");
  auto synced = sortie("projects sync vision --json");
  ASSERT_EQ(synced.status, 0) << synced.output;
  auto project = nlohmann::json::parse(synced.output);
  EXPECT_EQ(project["git"]["pushed"], false);
  EXPECT_EQ(project["live_git"]["ahead"], 1);
  EXPECT_EQ(project["live_git"]["delivery"], "snapshot");
}

TEST_F(ProjectsCommand, RefusesAFolderThatIsNotARepositoryOrHasNoRemote) {
  std::filesystem::create_directory(m_dir / "plain");
  auto plain = sortie("projects add " + shell_quote((m_dir / "plain").string()));
  EXPECT_EQ(plain.status, 3) << plain.output;
  EXPECT_THAT(plain.output, HasSubstr("not inside a Git repository"));

  std::filesystem::create_directory(m_dir / "local-only");
  git(m_dir / "local-only", "init -q");
  std::ofstream(m_dir / "local-only" / "a.py") << "\n";
  git(m_dir / "local-only", "add a.py");
  git(m_dir / "local-only", "commit -q -m a");
  auto local_only = sortie("projects add " + shell_quote((m_dir / "local-only").string()));
  EXPECT_NE(local_only.status, 0);
  EXPECT_THAT(local_only.output, HasSubstr("has no remote"));
  EXPECT_THAT(local_only.output, HasSubstr("git remote add origin"));
}

TEST_F(ProjectsCommand, SetsEntryCommandAndSetupLinesPerCluster) {
  ASSERT_EQ(sortie("projects add " + shell_quote((m_dir / "vision").string()) +
                   " --entry 'python -m vision.train' --setup 'module load cuda'")
                .status,
            0);
  auto set = sortie("projects set vision --setup 'source .venv/bin/activate' --clear-setup");
  ASSERT_EQ(set.status, 0) << set.output;
  auto shown = sortie("projects show vision --json");
  auto project = nlohmann::json::parse(shown.output);
  EXPECT_EQ(project["entry_command"], "python -m vision.train");
  EXPECT_EQ(project["setup"], nlohmann::json::array({"source .venv/bin/activate"}));
}

TEST_F(ProjectsCommand, RemovesAProjectAndRefusesUnknownNames) {
  ASSERT_EQ(sortie("projects add " + shell_quote((m_dir / "vision").string())).status, 0);
  auto removed = sortie("projects rm vision");
  ASSERT_EQ(removed.status, 0) << removed.output;
  EXPECT_TRUE(std::filesystem::exists(m_dir / "vision" / "train.py"));
  auto missing = sortie("projects show vision");
  EXPECT_EQ(missing.status, 3);
  EXPECT_THAT(missing.output, HasSubstr("no project named 'vision'"));
}

TEST_F(ProjectsCommand, RefusesAddingTheSameRepositoryTwice) {
  ASSERT_EQ(sortie("projects add " + shell_quote((m_dir / "vision").string())).status, 0);
  auto again = sortie("projects add " + shell_quote((m_dir / "vision").string()) + " --name other");
  EXPECT_NE(again.status, 0);
  EXPECT_THAT(again.output, HasSubstr("vision"));
}

}  // namespace
}  // namespace sortie
