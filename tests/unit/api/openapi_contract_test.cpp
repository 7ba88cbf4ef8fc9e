// The OpenAPI document served at /openapi.json and the routes the server registers describe
// the same API: every route is documented, and every documented operation is served.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "sortie/api/app.hpp"

namespace sortie::api {
namespace {

namespace fs = std::filesystem;

std::string without_trailing_slash(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// An App over a fresh database and no clusters, never started: its routes only.
class OpenApiContract : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sortie-openapi-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    m_dir = pattern;
    AppOptions options;
    options.database = m_dir / "sortie.db";
    options.run_monitor = false;
    m_app = std::make_unique<App>(std::move(options));
    m_document = nlohmann::json::parse(openapi_document(), nullptr, false);
  }
  void TearDown() override {
    m_app.reset();
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
  }

  // (method in lower case, path without a trailing slash) of every registered route.
  std::set<std::pair<std::string, std::string>> registered() const {
    std::set<std::pair<std::string, std::string>> operations;
    for (const auto& route : m_app->router().routes()) {
      operations.emplace(lower(route.method), without_trailing_slash(route.pattern));
    }
    return operations;
  }

  std::set<std::pair<std::string, std::string>> documented() const {
    static const std::set<std::string> kMethods = {"get",  "put",     "post", "delete",
                                                   "patch", "options", "head", "trace"};
    std::set<std::pair<std::string, std::string>> operations;
    for (const auto& [path, item] : m_document.at("paths").items()) {
      for (const auto& [method, operation] : item.items()) {
        if (kMethods.contains(method)) operations.emplace(method, without_trailing_slash(path));
      }
    }
    return operations;
  }

  fs::path m_dir;
  std::unique_ptr<App> m_app;
  nlohmann::json m_document;
};

TEST_F(OpenApiContract, DocumentIsValidJsonOfOpenApiThree) {
  ASSERT_FALSE(m_document.is_discarded()) << "openapi.json does not parse";
  ASSERT_TRUE(m_document.contains("openapi"));
  EXPECT_TRUE(m_document["openapi"].get<std::string>().starts_with("3."));
  EXPECT_TRUE(m_document.contains("info"));
  EXPECT_TRUE(m_document["paths"].is_object());
}

TEST_F(OpenApiContract, DocumentsEveryRegisteredRoute) {
  ASSERT_FALSE(m_document.is_discarded());
  const auto documented_operations = documented();
  for (const auto& [method, path] : registered()) {
    EXPECT_TRUE(documented_operations.contains({method, path}))
        << method << " " << path << " is served but missing from openapi.json";
  }
}

TEST_F(OpenApiContract, ServesEveryDocumentedOperation) {
  ASSERT_FALSE(m_document.is_discarded());
  const auto registered_operations = registered();
  for (const auto& [method, path] : documented()) {
    EXPECT_TRUE(registered_operations.contains({method, path}))
        << method << " " << path << " is in openapi.json but no route serves it";
  }
}

TEST_F(OpenApiContract, NamesPathParametersAsTheRoutesDo) {
  ASSERT_FALSE(m_document.is_discarded());
  for (const auto& [path, item] : m_document.at("paths").items()) {
    for (const auto& segment : http::path_segments(path)) {
      if (!segment.starts_with('{')) continue;
      const std::string name(segment.substr(1, segment.size() - 2));
      bool declared = false;
      auto declares = [&](const nlohmann::json& parameters) {
        for (const auto& parameter : parameters) {
          if (parameter.value("in", "") == "path" && parameter.value("name", "") == name) {
            declared = true;
          }
        }
      };
      if (item.contains("parameters")) declares(item["parameters"]);
      for (const auto& [method, operation] : item.items()) {
        if (operation.is_object() && operation.contains("parameters")) {
          declares(operation["parameters"]);
        }
      }
      EXPECT_TRUE(declared) << path << " does not declare its path parameter '" << name << "'";
    }
  }
}

}  // namespace
}  // namespace sortie::api
