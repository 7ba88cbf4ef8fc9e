#include "sortie/hydra/config_tree.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

namespace sortie::hydra {
namespace {

using ::testing::ElementsAre;

TEST(ConfigTree, ListsPrimaryConfigsAndNestedGroupsWithTheirOptions) {
  const FilesystemConfigSource source(std::filesystem::path(SORTIE_TEST_DATA) / "hydra" / "app");
  const ConfigTree tree = read_config_tree(source);
  EXPECT_THAT(tree.primary_configs, ElementsAre("config"));
  EXPECT_THAT(
      tree.groups,
      ElementsAre(ConfigGroup{"db", {"mysql", "pg"}}, ConfigGroup{"experiment", {"fast"}},
                  ConfigGroup{"logger", {"csv", "wandb"}}, ConfigGroup{"model", {"base", "resnet"}},
                  ConfigGroup{"model/backbone", {"resnet18", "resnet50"}},
                  ConfigGroup{"server", {}}, ConfigGroup{"server/cache", {"memcached", "redis"}},
                  ConfigGroup{"site_flags", {"debug"}}));
}

TEST(ConfigTree, SeesTheSameTreeInMemory) {
  MemoryConfigSource source;
  source.add("config", "");
  source.add("server/db/pg", "");
  source.add("server/db/mysql", "");
  source.add("db/sqlite", "");
  const ConfigTree tree = read_config_tree(source);
  EXPECT_THAT(tree.primary_configs, ElementsAre("config"));
  EXPECT_THAT(tree.groups, ElementsAre(ConfigGroup{"db", {"sqlite"}}, ConfigGroup{"server", {}},
                                       ConfigGroup{"server/db", {"mysql", "pg"}}));
}

TEST(ConfigTree, SkipsPycacheAndFilesThatAreNotYaml) {
  const auto root = std::filesystem::temp_directory_path() / "sortie-config-tree-test";
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "__pycache__");
  std::filesystem::create_directories(root / "db");
  std::ofstream(root / "config.yaml") << "a: 1\n";
  std::ofstream(root / "__init__.py") << "";
  std::ofstream(root / "db" / "notes.txt") << "";
  std::ofstream(root / "db" / "pg.yaml") << "";
  const ConfigTree tree = read_config_tree(FilesystemConfigSource(root));
  std::filesystem::remove_all(root);
  EXPECT_THAT(tree.primary_configs, ElementsAre("config"));
  EXPECT_THAT(tree.groups, ElementsAre(ConfigGroup{"db", {"pg"}}));
}

}  // namespace
}  // namespace sortie::hydra
