#include "sortie/store/database.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "sortie/store/migrations.hpp"
#include "sortie/store/store.hpp"
#include "temp_dir.hpp"

namespace sortie::store {
namespace {

using namespace std::chrono_literals;

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

TEST(Database, CreatesTheFileAndItsDirectoryReadableOnlyByTheUser) {
  testing::TempDir directory;
  const auto path = directory.path() / "nested" / "deeper" / "sortie.db";
  auto database = Database::open(path);
  ASSERT_TRUE(database) << database.error().message;
  struct stat status {};
  ASSERT_EQ(::stat(path.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
  // SQLite gives the write-ahead log the database's mode.
  ASSERT_EQ(::stat((path.string() + "-wal").c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600u);
}

TEST(Database, DefaultPathIsUnderTheUsersLocalShare) {
  EXPECT_EQ(Database::default_path("/home/ada"), "/home/ada/.local/share/sortie/sortie.db");
}

TEST(Database, UsesWriteAheadLogging) {
  testing::TempDir directory;
  auto database = Database::open(directory.path() / "sortie.db");
  ASSERT_TRUE(database) << database.error().message;
  auto statement = database->prepare("PRAGMA journal_mode");
  ASSERT_TRUE(statement);
  ASSERT_TRUE(statement->step().value_or(false));
  EXPECT_EQ(statement->text(0), "wal");
}

TEST(Database, RefusesAFileThatIsNotASqliteDatabaseNamingIt) {
  testing::TempDir directory;
  const auto path = directory.path() / "notes.db";
  std::ofstream(path) << "these are my notes, not a database\n" << std::string(4096, 'x');
  const auto before = file_bytes(path);
  auto database = Database::open(path);
  ASSERT_FALSE(database);
  EXPECT_EQ(database.error().code, core::ErrorCode::io_error);
  EXPECT_NE(database.error().message.find(path.string()), std::string::npos);
  EXPECT_NE(database.error().message.find("not a SQLite database"), std::string::npos);
  EXPECT_EQ(file_bytes(path), before);
}

TEST(Database, RefusesASqliteDatabaseOfAnotherProgram) {
  testing::TempDir directory;
  const auto path = directory.path() / "other.db";
  {
    auto other = Database::open(path, {.migrate = Migrate::no});
    ASSERT_TRUE(other);
    ASSERT_TRUE(other->execute("CREATE TABLE recipes (name TEXT)"));
  }
  auto database = Database::open(path);
  ASSERT_FALSE(database);
  EXPECT_NE(database.error().message.find("another program"), std::string::npos);
}

TEST(Database, RefusesADatabaseFromANewerSortieAndLeavesItUntouched) {
  testing::TempDir directory;
  const auto path = directory.path() / "sortie.db";
  {
    auto newer = Database::open(path);
    ASSERT_TRUE(newer);
    ASSERT_TRUE(
        newer->execute(fmt::format("PRAGMA user_version = {}", latest_schema_version() + 1)));
  }
  const auto before = file_bytes(path);
  auto database = Database::open(path);
  ASSERT_FALSE(database);
  EXPECT_EQ(database.error().code, core::ErrorCode::io_error);
  EXPECT_NE(database.error().message.find("newer sortie"), std::string::npos);
  EXPECT_NE(database.error().message.find(path.string()), std::string::npos);
  EXPECT_EQ(file_bytes(path), before);
}

TEST(Database, ReportsALockedDatabaseAsBusyAfterTheTimeout) {
  testing::TempDir directory;
  const auto path = directory.path() / "sortie.db";
  auto holder = Database::open(path);
  ASSERT_TRUE(holder);
  auto waiter = Database::open(path, {.busy_timeout = 150ms});
  ASSERT_TRUE(waiter);
  ASSERT_TRUE(holder->execute("BEGIN IMMEDIATE"));

  Store store(*waiter);
  const auto start = std::chrono::steady_clock::now();
  auto project = store.create_project({.name = "p", .path = "/p", .settings = {}});
  const auto waited = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(project);
  EXPECT_EQ(project.error().code, core::ErrorCode::timeout);
  EXPECT_NE(project.error().message.find("is locked by another sortie process; try again"),
            std::string::npos);
  EXPECT_NE(project.error().message.find(path.string()), std::string::npos);
  EXPECT_GE(waited, 140ms);

  ASSERT_TRUE(holder->execute("COMMIT"));
  EXPECT_TRUE(store.create_project({.name = "p", .path = "/p", .settings = {}}));
}

TEST(Database, ReadsWhileAnotherConnectionWrites) {
  testing::TempDir directory;
  const auto path = directory.path() / "sortie.db";
  auto writer = Database::open(path);
  auto reader = Database::open(path, {.busy_timeout = 50ms});
  ASSERT_TRUE(writer && reader);
  ASSERT_TRUE(writer->execute("BEGIN IMMEDIATE"));
  Store store(*reader);
  auto projects = store.projects();
  ASSERT_TRUE(projects) << projects.error().message;
  ASSERT_TRUE(writer->execute("ROLLBACK"));
}

TEST(Database, SeveralConnectionsOpeningANewFileAtOnceAllGetTheLatestSchema) {
  testing::TempDir directory;
  const auto path = directory.path() / "sortie.db";
  std::latch start(4);
  std::vector<std::jthread> openers;
  for (int opener = 0; opener < 4; ++opener) {
    openers.emplace_back([&] {
      start.arrive_and_wait();
      auto database = Database::open(path);
      ASSERT_TRUE(database) << database.error().message;
      EXPECT_EQ(database->schema_version(), latest_schema_version());
    });
  }
}

TEST(Database, TransactionRollsBackWhenTheBodyFails) {
  testing::TempDir directory;
  auto database = Database::open(directory.path() / "sortie.db", {.migrate = Migrate::no});
  ASSERT_TRUE(database);
  ASSERT_TRUE(database->execute("CREATE TABLE t (x INTEGER)"));
  auto result = database->transaction([&]() -> core::Result<void> {
    if (auto ran = database->execute("INSERT INTO t VALUES (1)"); !ran) return ran;
    return core::fail(core::ErrorCode::invalid_argument, "changed my mind");
  });
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().message, "changed my mind");
  EXPECT_FALSE(database->in_transaction());
  auto count = database->prepare("SELECT count(*) FROM t");
  ASSERT_TRUE(count && count->step().value_or(false));
  EXPECT_EQ(count->integer(0), 0);
}

TEST(Database, NestedTransactionFailureUndoesOnlyItsOwnWork) {
  testing::TempDir directory;
  auto database = Database::open(directory.path() / "sortie.db", {.migrate = Migrate::no});
  ASSERT_TRUE(database);
  ASSERT_TRUE(database->execute("CREATE TABLE t (x INTEGER)"));
  auto outer = database->transaction([&]() -> core::Result<void> {
    if (auto ran = database->execute("INSERT INTO t VALUES (1)"); !ran) return ran;
    auto inner = database->transaction([&]() -> core::Result<void> {
      if (auto ran = database->execute("INSERT INTO t VALUES (2)"); !ran) return ran;
      return core::fail(core::ErrorCode::invalid_argument, "inner fails");
    });
    EXPECT_FALSE(inner);
    return {};
  });
  ASSERT_TRUE(outer) << outer.error().message;
  auto values = database->prepare("SELECT group_concat(x) FROM t");
  ASSERT_TRUE(values && values->step().value_or(false));
  EXPECT_EQ(values->text(0), "1");
}

TEST(Database, ServesTheSameStatementTwiceWhileTheFirstUseIsOpen) {
  testing::TempDir directory;
  auto database = Database::open(directory.path() / "sortie.db", {.migrate = Migrate::no});
  ASSERT_TRUE(database);
  auto first = database->prepare("SELECT 1");
  auto second = database->prepare("SELECT 1");
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->step().value_or(false));
  ASSERT_TRUE(second->step().value_or(false));
  EXPECT_EQ(first->integer(0), 1);
  EXPECT_EQ(second->integer(0), 1);
}

TEST(Database, ReportsSqlThatDoesNotCompile) {
  testing::TempDir directory;
  auto database = Database::open(directory.path() / "sortie.db");
  ASSERT_TRUE(database);
  auto statement = database->prepare("SELEKT nothing");
  ASSERT_FALSE(statement);
  EXPECT_EQ(statement.error().code, core::ErrorCode::io_error);
}

}  // namespace
}  // namespace sortie::store
