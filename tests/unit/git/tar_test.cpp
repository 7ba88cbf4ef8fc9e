#include "sortie/git/tar.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "fixtures/git_fixture.hpp"

namespace sortie::git {
namespace {

namespace fs = std::filesystem;
using fixtures::read_file;
using fixtures::run_shell;
using fixtures::shell_quote;
using fixtures::TempDir;
using fixtures::write_file;
using ::testing::HasSubstr;

// Writes `archive` next to a fresh folder and extracts it there with the system's tar.
class Extracted {
 public:
  explicit Extracted(const std::string& archive) {
    write_file(m_dir / "archive.tar", archive);
    fs::create_directories(root());
    const auto result = run_shell("tar -xf " + shell_quote((m_dir / "archive.tar").string()) +
                                  " -C " + shell_quote(root().string()));
    m_status = result.status;
    m_output = result.output;
  }
  fs::path root() const { return m_dir / "tree"; }
  fs::path operator/(std::string_view child) const { return root() / child; }
  int status() const { return m_status; }
  const std::string& output() const { return m_output; }

 private:
  TempDir m_dir;
  int m_status = -1;
  std::string m_output;
};

std::string archive_of(const std::vector<TarFile>& files, const TarOptions& options = {}) {
  auto archive = tar_archive(files, options);
  EXPECT_TRUE(archive) << archive.error().message;
  return archive ? *archive : std::string();
}

bool is_executable(const fs::path& file) {
  return (fs::status(file).permissions() & fs::perms::owner_exec) != fs::perms::none;
}

std::string every_byte() {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  return bytes;
}

TEST(Tar, ExtractsToTheSameBytesModesAndSymlinks) {
  const std::string binary = every_byte();
  const std::string block(512, 'b');
  const std::string block_and_one(513, 'c');
  Extracted tree(archive_of({
      {"bin/run.sh", FileMode::executable, "#!/bin/sh\necho hi\n"},
      {"data/binary.bin", FileMode::regular, binary},
      {"data/block.txt", FileMode::regular, block},
      {"data/block_and_one.txt", FileMode::regular, block_and_one},
      {"latest", FileMode::symlink, "data/block.txt"},
      {"data_dir", FileMode::symlink, "data"},
  }));
  ASSERT_EQ(tree.status(), 0) << tree.output();
  EXPECT_EQ(read_file(tree / "bin/run.sh"), "#!/bin/sh\necho hi\n");
  EXPECT_TRUE(is_executable(tree / "bin/run.sh"));
  EXPECT_EQ(read_file(tree / "data/binary.bin"), binary);
  EXPECT_FALSE(is_executable(tree / "data/binary.bin"));
  EXPECT_EQ(read_file(tree / "data/block.txt"), block);
  EXPECT_EQ(read_file(tree / "data/block_and_one.txt"), block_and_one);
  ASSERT_TRUE(fs::is_symlink(tree / "latest"));
  EXPECT_EQ(fs::read_symlink(tree / "latest"), "data/block.txt");
  ASSERT_TRUE(fs::is_symlink(tree / "data_dir"));
  EXPECT_EQ(fs::read_symlink(tree / "data_dir"), "data");
}

TEST(Tar, LongPathsAndLinkTargetsSurviveExtraction) {
  const std::string long_path =
      std::string(60, 'a') + "/" + std::string(70, 'b') + "/" + std::string(120, 'c') + ".txt";
  const std::string exactly_100 = std::string(50, 'd') + "/" + std::string(49, 'e');
  const std::string long_target = "../" + long_path;
  ASSERT_GT(long_path.size(), 100u);
  ASSERT_EQ(exactly_100.size(), 100u);
  Extracted tree(archive_of({
      {long_path, FileMode::regular, "deep\n"},
      {exactly_100, FileMode::executable, "edge\n"},
      {"links/far", FileMode::symlink, long_target},
  }));
  ASSERT_EQ(tree.status(), 0) << tree.output();
  EXPECT_EQ(read_file(tree / long_path), "deep\n");
  EXPECT_EQ(read_file(tree / exactly_100), "edge\n");
  EXPECT_TRUE(is_executable(tree / exactly_100));
  EXPECT_EQ(fs::read_symlink(tree / "links/far").string(), long_target);
}

TEST(Tar, Utf8NamesSurviveExtraction) {
  Extracted tree(archive_of({
      {"données/été.txt", FileMode::regular, "soleil\n"},
      {"日本語/ファイル.py", FileMode::regular, "print('こんにちは')\n"},
  }));
  ASSERT_EQ(tree.status(), 0) << tree.output();
  EXPECT_EQ(read_file(tree / "données/été.txt"), "soleil\n");
  EXPECT_EQ(read_file(tree / "日本語/ファイル.py"), "print('こんにちは')\n");
}

TEST(Tar, EmptyFilesAndEmptyArchivesExtract) {
  Extracted tree(archive_of({{"empty", FileMode::regular, ""}}));
  ASSERT_EQ(tree.status(), 0) << tree.output();
  ASSERT_TRUE(fs::is_regular_file(tree / "empty"));
  EXPECT_EQ(fs::file_size(tree / "empty"), 0u);

  const std::string nothing = archive_of({});
  EXPECT_EQ(nothing, std::string(1024, '\0'));
  Extracted empty(nothing);
  EXPECT_EQ(empty.status(), 0) << empty.output();
  EXPECT_TRUE(fs::is_empty(empty.root()));
}

TEST(Tar, ArchiveIsSortedByPathAndIndependentOfInputOrder) {
  std::vector<TarFile> files = {
      {"b.txt", FileMode::regular, "b"},
      {"a/z.txt", FileMode::regular, "az"},
      {"a.txt", FileMode::regular, "a"},
      {"a/b.txt", FileMode::executable, "ab"},
  };
  const std::string forward = archive_of(files);
  std::ranges::reverse(files);
  EXPECT_EQ(archive_of(files), forward);

  TempDir dir;
  write_file(dir / "archive.tar", forward);
  const auto listing = run_shell("tar -tf " + shell_quote((dir / "archive.tar").string()));
  ASSERT_EQ(listing.status, 0) << listing.output;
  EXPECT_EQ(listing.output, "a.txt\na/b.txt\na/z.txt\nb.txt\n");
}

TEST(Tar, HeadersAreOwnedByRootWithAFixedTime) {
  const std::string archive = archive_of({{"f", FileMode::regular, "x"}});
  ASSERT_GE(archive.size(), 512u);
  EXPECT_EQ(archive.substr(100, 8), std::string("0000644\0", 8));
  EXPECT_EQ(archive.substr(108, 8), std::string("0000000\0", 8));
  EXPECT_EQ(archive.substr(116, 8), std::string("0000000\0", 8));
  EXPECT_EQ(archive.substr(136, 12), std::string("07033241600\0", 12));  // 2000-01-01
  EXPECT_EQ(archive.substr(257, 8), std::string("ustar\0"
                                                "00",
                                                8));

  const std::string other_time = archive_of({{"f", FileMode::regular, "x"}}, {.mtime = 0});
  EXPECT_EQ(other_time.substr(136, 12), std::string("00000000000\0", 12));

  TempDir dir;
  write_file(dir / "archive.tar", archive);
  const auto listing =
      run_shell("TZ=UTC tar --numeric-owner -tvf " + shell_quote((dir / "archive.tar").string()));
  ASSERT_EQ(listing.status, 0) << listing.output;
  EXPECT_THAT(listing.output, HasSubstr("-rw-r--r-- 0/0"));
  EXPECT_THAT(listing.output, HasSubstr("2000-01-01 00:00 f"));
}

TEST(Tar, FilesOfEightGibibytesOrMoreGetAPaxSize) {
  constexpr std::uint64_t size = std::uint64_t{8} << 30;
  static const std::string chunk(1 << 20, '\0');
  std::string headers;
  std::uint64_t total = 0;
  auto written = write_tar(
      {{"huge.bin", FileMode::regular, size, ""}},
      [](const TarEntry&, const ByteSink& write) -> core::Result<void> {
        for (std::uint64_t sent = 0; sent < size; sent += chunk.size()) {
          if (auto ok = write(chunk); !ok) return ok;
        }
        return {};
      },
      [&](std::string_view bytes) -> core::Result<void> {
        if (total < 2048) headers.append(bytes.substr(0, 2048));
        total += bytes.size();
        return {};
      });
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(headers[156], 'x');
  EXPECT_THAT(headers.substr(512, 512), HasSubstr("size=8589934592\n"));
  EXPECT_EQ(total, 512 + 512 + 512 + size + 1024);
}

TEST(Tar, RefusesUnsafeOrDuplicatePaths) {
  for (const std::string path : {"", "/etc/passwd", "../up", "a/../../b", "a//b", "a/./b", "a/"}) {
    auto archive = tar_archive({{path, FileMode::regular, "x"}});
    ASSERT_FALSE(archive) << "'" << path << "' was accepted";
    EXPECT_EQ(archive.error().code, core::ErrorCode::invalid_argument);
    EXPECT_THAT(archive.error().message, HasSubstr("cannot archive"));
  }
  auto twice = tar_archive({{"a", FileMode::regular, "1"}, {"a", FileMode::regular, "2"}});
  ASSERT_FALSE(twice);
  EXPECT_THAT(twice.error().message, HasSubstr("cannot archive 'a' twice"));

  auto empty_link = tar_archive({{"link", FileMode::symlink, ""}});
  ASSERT_FALSE(empty_link);
  EXPECT_THAT(empty_link.error().message, HasSubstr("target is empty"));
}

TEST(Tar, ContentOfTheWrongSizeIsAnError) {
  const auto sink = [](std::string_view) -> core::Result<void> { return {}; };
  for (const std::string content : {"shrunk", "grown by a lot"}) {
    auto written = write_tar(
        {{"data.txt", FileMode::regular, 10, ""}},
        [&](const TarEntry&, const ByteSink& write) { return write(content); }, sink);
    ASSERT_FALSE(written) << content;
    EXPECT_EQ(written.error().code, core::ErrorCode::io_error);
    EXPECT_THAT(written.error().message,
                HasSubstr("'data.txt' changed while it was being archived"));
  }
}

TEST(Tar, SinkFailureStopsTheArchive) {
  int calls = 0;
  auto written = write_tar(
      {{"a", FileMode::regular, 1, ""}, {"b", FileMode::regular, 1, ""}},
      [](const TarEntry&, const ByteSink& write) { return write("x"); },
      [&](std::string_view) -> core::Result<void> {
        ++calls;
        return core::fail(core::ErrorCode::connection_lost, "upload dropped");
      });
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, core::ErrorCode::connection_lost);
  EXPECT_EQ(calls, 1);
}

TEST(Tar, ModesAreSpelledAsGitSpellsThem) {
  EXPECT_EQ(to_string(FileMode::regular), "100644");
  EXPECT_EQ(to_string(FileMode::executable), "100755");
  EXPECT_EQ(to_string(FileMode::symlink), "120000");
}

}  // namespace
}  // namespace sortie::git
