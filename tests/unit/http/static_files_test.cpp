#include "sortie/http/static_files.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sortie::http {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << text;
}

std::string header(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return "";
}

// A built UI in web/ and a secret beside it, outside web/.
class StaticFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sortie-static-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
    m_root = m_dir / "web";
    write(m_root / "index.html", "<html>app</html>");
    write(m_root / "assets" / "app.3f2a.js", "console.log(1)");
    write(m_root / "assets" / "app.3f2a.css", "body{}");
    write(m_root / "docs" / "index.html", "<html>docs</html>");
    write(m_root / "%2e%2e", "a file with an odd name");
    write(m_dir / "secret.txt", "do not serve");
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
  }

  fs::path m_dir;
  fs::path m_root;
};

TEST_F(StaticFiles, ServesAFileUnderTheRoot) {
  auto response = serve_file(m_root, "/assets/app.3f2a.js");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "console.log(1)");
  EXPECT_EQ(response->content_type, "text/javascript; charset=utf-8");
}

TEST_F(StaticFiles, ServesIndexHtmlForTheRootAndForDirectories) {
  auto root = serve_file(m_root, "/");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->body, "<html>app</html>");
  EXPECT_EQ(root->content_type, "text/html; charset=utf-8");
  auto docs = serve_file(m_root, "/docs/");
  ASSERT_TRUE(docs);
  EXPECT_EQ(docs->body, "<html>docs</html>");
  auto docs_without_slash = serve_file(m_root, "/docs");
  ASSERT_TRUE(docs_without_slash);
  EXPECT_EQ(docs_without_slash->body, "<html>docs</html>");
}

TEST_F(StaticFiles, RefusesDotDotOutOfTheRoot) {
  EXPECT_FALSE(serve_file(m_root, "/../secret.txt"));
  EXPECT_FALSE(serve_file(m_root, "/assets/../../secret.txt"));
  EXPECT_FALSE(serve_file(m_root, "../secret.txt"));
  EXPECT_FALSE(serve_file(m_root, "/assets/../../web/../secret.txt"));
}

TEST_F(StaticFiles, RefusesEncodedDotDotOnceTheServerHasDecodedIt) {
  // The server hands over decoded paths: "/%2e%2e/secret.txt" arrives as "/../secret.txt", and
  // "%2F" as a real slash.
  EXPECT_FALSE(serve_file(m_root, "/../secret.txt"));
  EXPECT_FALSE(serve_file(m_root, "/assets/../../secret.txt"));
}

TEST_F(StaticFiles, TakesAnUndecodedPercentNameAsAFileName) {
  // Decoding twice would turn this into "..": it must stay the file of that name.
  auto response = serve_file(m_root, "/%2e%2e");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "a file with an odd name");
  EXPECT_FALSE(serve_file(m_root, "/%2e%2e/secret.txt"));
}

TEST_F(StaticFiles, AllowsDotDotThatStaysInsideTheRoot) {
  auto response = serve_file(m_root, "/assets/../index.html");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "<html>app</html>");
}

TEST_F(StaticFiles, RefusesASymlinkThatLeadsOutOfTheRoot) {
  fs::create_symlink(m_dir / "secret.txt", m_root / "assets" / "leak.txt");
  fs::create_directory_symlink(m_dir, m_root / "up");
  EXPECT_FALSE(serve_file(m_root, "/assets/leak.txt"));
  EXPECT_FALSE(serve_file(m_root, "/up/secret.txt"));
}

TEST_F(StaticFiles, FollowsASymlinkThatStaysInsideTheRoot) {
  fs::create_symlink(m_root / "index.html", m_root / "home.html");
  auto response = serve_file(m_root, "/home.html");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, "<html>app</html>");
}

TEST_F(StaticFiles, RefusesAPathWithANulByte) {
  EXPECT_FALSE(serve_file(m_root, std::string_view("/index.html\0.js", 15)));
}

TEST_F(StaticFiles, AnswersNothingForAMissingFileOrRoot) {
  EXPECT_FALSE(serve_file(m_root, "/assets/missing.js"));
  EXPECT_FALSE(serve_file(m_dir / "no-such-root", "/index.html"));
  EXPECT_FALSE(serve_file("", "/index.html"));
}

TEST_F(StaticFiles, LetsHashedAssetsBeCachedAndMakesOthersRevalidate) {
  auto asset = serve_file(m_root, "/assets/app.3f2a.css");
  ASSERT_TRUE(asset);
  EXPECT_EQ(header(*asset, "Cache-Control"), "public, max-age=31536000, immutable");
  auto index = serve_file(m_root, "/index.html");
  ASSERT_TRUE(index);
  EXPECT_EQ(header(*index, "Cache-Control"), "no-cache");
}

TEST(ContentType, NamesTheTypesTheWebUiUses) {
  EXPECT_EQ(content_type_for("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(content_type_for("app.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("worker.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(content_type_for("app.css"), "text/css; charset=utf-8");
  EXPECT_EQ(content_type_for("openapi.json"), "application/json");
  EXPECT_EQ(content_type_for("app.js.map"), "application/json");
  EXPECT_EQ(content_type_for("logo.svg"), "image/svg+xml");
  EXPECT_EQ(content_type_for("logo.png"), "image/png");
  EXPECT_EQ(content_type_for("favicon.ico"), "image/x-icon");
  EXPECT_EQ(content_type_for("inter.woff2"), "font/woff2");
  EXPECT_EQ(content_type_for("robots.txt"), "text/plain; charset=utf-8");
}

TEST(ContentType, FallsBackToOctetStreamForUnknownOrMissingExtensions) {
  EXPECT_EQ(content_type_for("archive.tar.zst"), "application/octet-stream");
  EXPECT_EQ(content_type_for("LICENSE"), "application/octet-stream");
}

}  // namespace
}  // namespace sortie::http
