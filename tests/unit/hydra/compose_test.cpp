#include "sortie/hydra/compose.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "sortie/config/yaml_values.hpp"
#include "sortie/hydra/config_values.hpp"
#include "sortie/json/hydra_config.hpp"

namespace sortie::hydra {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// A YAML text as a Value, for expected configs and override values.
Value yaml(std::string_view text) {
  auto parsed = config::parse_yaml_value(text, "expected.yaml");
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed.value_or(Value{nullptr});
}

// An override as the grammar parser would produce it from `<prefix><key>[=<value>]`; `key`
// may carry `@package`. The value text is typed as YAML, close enough to Hydra's grammar for
// the values used here.
Override make(OverrideKind kind, std::string_view prefix, std::string_view key,
              std::optional<std::string_view> value_text) {
  Override result;
  result.kind = kind;
  result.input = fmt::format("{}{}{}", prefix, key,
                             value_text ? fmt::format("={}", *value_text) : std::string());
  const auto at = key.find('@');
  result.key = std::string(key.substr(0, at));
  if (at != std::string_view::npos) result.package = std::string(key.substr(at + 1));
  if (value_text) result.value = yaml(*value_text);
  return result;
}

Override change(std::string_view key, std::string_view value) {
  return make(OverrideKind::change, "", key, value);
}
Override add(std::string_view key, std::string_view value) {
  return make(OverrideKind::add, "+", key, value);
}
Override force_add(std::string_view key, std::string_view value) {
  return make(OverrideKind::force_add, "++", key, value);
}
Override del(std::string_view key) {
  return make(OverrideKind::del, "~", key, std::nullopt);
}
Override del(std::string_view key, std::string_view value) {
  return make(OverrideKind::del, "~", key, value);
}
// `db=pg`, `db@backup=pg`: the same shape as change(); named for what the test means.
Override group_override(std::string_view key, std::string_view option) {
  return change(key, option);
}

std::filesystem::path fixture(std::string_view name) {
  return std::filesystem::path(SORTIE_TEST_DATA) / "hydra" / name;
}

core::Result<Composition> compose_fixture(std::string_view tree, std::string_view config_name,
                                          const std::vector<Override>& overrides) {
  const FilesystemConfigSource source(fixture(tree));
  return compose(source, config::parse_yaml_value, config_name, overrides);
}

core::Result<Composition> compose_app(const std::vector<Override>& overrides = {}) {
  return compose_fixture("app", "config", overrides);
}

core::Result<Composition> compose_memory(const MemoryConfigSource& source,
                                         const std::vector<Override>& overrides = {},
                                         VersionBase version_base = VersionBase::current) {
  return compose(source, config::parse_yaml_value, "config", overrides, version_base);
}

// Compares as JSON so that a failure shows a readable difference.
void expect_config(const core::Result<Composition>& composition, std::string_view expected) {
  ASSERT_TRUE(composition) << composition.error().message;
  EXPECT_EQ(json::to_json(composition->config), json::to_json(yaml(expected)));
}

std::string error_of(const core::Result<Composition>& composition) {
  EXPECT_FALSE(composition);
  return composition ? std::string() : composition.error().message;
}

constexpr std::string_view k_app_tail = R"(
name: demo
lr: 1e-3
epochs: 10
tags: [baseline, small]
paths:
  data: ${oc.env:HOME}/data
  output: ${hydra:runtime.output_dir}
trainer:
  devices: 1
  precision: ???
)";

TEST(Compose, MergesTheDefaultsListInOrderWithEachConfigAtItsPackage) {
  expect_config(compose_app(), std::string(R"(
db: {driver: mysql, host: localhost, port: 3306}
backup: {driver: postgresql, host: localhost, port: 5432}
server: {cache: {host: redis.local, port: 6379}}
model:
  dropout: 0.1
  activation: gelu
  backbone: {depth: 50, pretrained: true}
  name: resnet)") + std::string(k_app_tail));
}

TEST(Compose, ReportsTheChoicesOfEveryGroupIncludingNullAndOptionalOnes) {
  auto composition = compose_app();
  ASSERT_TRUE(composition) << composition.error().message;
  EXPECT_THAT(composition->choices,
              ElementsAre(Choice{"logger", std::nullopt}, Choice{"site", "local"},
                          Choice{"model", "resnet"}, Choice{"model/backbone", "resnet50"},
                          Choice{"server/cache", "redis"}, Choice{"db@backup", "pg"},
                          Choice{"db", "mysql"}));
}

TEST(Compose, ListsTheMergedConfigsWithTheirPackagesAndParents) {
  auto composition = compose_app();
  ASSERT_TRUE(composition) << composition.error().message;
  EXPECT_THAT(
      composition->defaults,
      ElementsAre(
          ResultDefault{"db/mysql", "config", "db", false, false},
          ResultDefault{"db/pg", "config", "backup", false, false},
          ResultDefault{"server/cache/redis", "config", "server.cache", false, false},
          ResultDefault{"model/base", "model/resnet", "model", false, false},
          ResultDefault{"model/backbone/resnet50", "model/resnet", "model.backbone", false, false},
          ResultDefault{"model/resnet", "config", "model", true, false},
          ResultDefault{"config", std::nullopt, "", true, true}));
}

TEST(Compose, DropsHydrasOwnNodeAndKeepsInterpolationsUnresolved) {
  auto composition = compose_app();
  ASSERT_TRUE(composition) << composition.error().message;
  const auto& entries = std::get<DictValue>(composition->config.data).entries;
  for (const auto& [key, value] : entries) EXPECT_NE(key, "hydra");
  EXPECT_THAT(composition->warnings, IsEmpty());
}

TEST(Compose, ChangesAGroupsOptionFromTheCommandLine) {
  auto composition = compose_app({group_override("db", "pg")});
  ASSERT_TRUE(composition) << composition.error().message;
  EXPECT_EQ(*select_key(composition->config, "db.driver"), Value{std::string("postgresql")});
  EXPECT_THAT(composition->choices, ::testing::Contains(Choice{"db", "pg"}));
}

TEST(Compose, ChangesAPackagedEntryByItsKeyWithPackage) {
  auto composition = compose_app({group_override("db@backup", "mysql")});
  ASSERT_TRUE(composition) << composition.error().message;
  EXPECT_EQ(*select_key(composition->config, "backup.driver"), Value{std::string("mysql")});
  EXPECT_EQ(*select_key(composition->config, "db.driver"), Value{std::string("mysql")});
}

TEST(Compose, ChangesNestedGroupsByTheirPath) {
  auto composition = compose_app(
      {group_override("server/cache", "memcached"), group_override("model/backbone", "resnet18")});
  ASSERT_TRUE(composition) << composition.error().message;
  EXPECT_EQ(*select_key(composition->config, "server.cache.port"), Value{std::int64_t{11211}});
  EXPECT_EQ(*select_key(composition->config, "model.backbone.depth"), Value{std::int64_t{18}});
}

TEST(Compose, FillsANullPlaceholderFromTheCommandLineWhereTheDefaultsListHasIt) {
  auto composition = compose_app({group_override("logger", "wandb")});
  ASSERT_TRUE(composition) << composition.error().message;
  const auto& entries = std::get<DictValue>(composition->config.data).entries;
  EXPECT_EQ(entries[4].first, "logger");
  EXPECT_EQ(entries[4].second, yaml("{project: demo, entity: null, offline: false}"));
}

TEST(Compose, AppendsAGroupWithPlusAfterThePrimaryConfig) {
  auto composition = compose_app({add("site_flags", "debug")});
  ASSERT_TRUE(composition) << composition.error().message;
  EXPECT_EQ(*select_key(composition->config, "debug"), Value{true});
  EXPECT_EQ(*select_key(composition->config, "trainer.devices"), Value{std::int64_t{0}});
  EXPECT_THAT(composition->choices.front(), (Choice{"site_flags", "debug"}));
}

TEST(Compose, LetsAGlobalExperimentOverrideGroupsAndValues) {
  auto composition = compose_app({add("experiment", "fast")});
  expect_config(composition, R"(
db: {driver: postgresql, host: localhost, port: 5432}
backup: {driver: postgresql, host: localhost, port: 5432}
server: {cache: {host: redis.local, port: 6379}}
model:
  dropout: 0.1
  activation: gelu
  backbone: {depth: 18, pretrained: false}
  name: resnet
name: demo
lr: 1e-3
epochs: 1
tags: [baseline, small]
paths:
  data: ${oc.env:HOME}/data
  output: ${hydra:runtime.output_dir}
trainer:
  devices: 8
  precision: ???
)");
  EXPECT_EQ(composition->defaults.back(),
            (ResultDefault{"experiment/fast", "config", "", false, false}));
}

TEST(Compose, LetsTheCommandLineBeatAnExperimentsGroupOverride) {
  auto composition = compose_app({add("experiment", "fast"), group_override("db", "mysql")});
  ASSERT_TRUE(composition) << composition.error().message;
  EXPECT_EQ(*select_key(composition->config, "db.driver"), Value{std::string("mysql")});
}

TEST(Compose, RemovesAGroupWithTilde) {
  auto composition = compose_app({del("db"), del("db@backup", "pg")});
  ASSERT_TRUE(composition) << composition.error().message;
  EXPECT_EQ(select_key(composition->config, "db"), nullptr);
  EXPECT_EQ(select_key(composition->config, "backup"), nullptr);
  for (const auto& choice : composition->choices) EXPECT_FALSE(choice.key.starts_with("db"));
}

TEST(Compose, AppliesConfigOverridesAfterTheFilesLastOneWinning) {
  auto composition =
      compose_app({change("lr", "0.1"), change("trainer.devices", "4"), change("lr", "0.2"),
                   change("tags", "[x]"), change("db", "{port: 1}"), add("trainer.strategy", "ddp"),
                   force_add("epochs", "3"), force_add("extra.depth.x", "1"), del("paths.output"),
                   del("name", "demo")});
  expect_config(composition, R"(
db: {driver: mysql, host: localhost, port: 1}
backup: {driver: postgresql, host: localhost, port: 5432}
server: {cache: {host: redis.local, port: 6379}}
model:
  dropout: 0.1
  activation: gelu
  backbone: {depth: 50, pretrained: true}
  name: resnet
lr: 0.2
epochs: 3
tags: [x]
paths:
  data: ${oc.env:HOME}/data
trainer:
  devices: 4
  precision: ???
  strategy: ddp
extra: {depth: {x: 1}}
)");
}

TEST(Compose, SetsAListItemByIndex) {
  auto composition = compose_app({change("tags.1", "large")});
  ASSERT_TRUE(composition) << composition.error().message;
  EXPECT_EQ(*select_key(composition->config, "tags"), yaml("[baseline, large]"));
}

TEST(Compose, PassesHydrasOwnOverridesThroughUntouched) {
  auto composition = compose_app(
      {change("hydra.job.chdir", "false"), group_override("hydra/launcher", "submitit_slurm")});
  ASSERT_TRUE(composition) << composition.error().message;
  EXPECT_THAT(composition->hydra_overrides,
              ElementsAre("hydra.job.chdir=false", "hydra/launcher=submitit_slurm"));
}

TEST(Compose, RefusesToOverrideAKeyThatDoesNotExistWithoutPlus) {
  EXPECT_EQ(error_of(compose_app({change("trainer.nodes", "2")})),
            "Could not override 'trainer.nodes'.\nTo append to your config use +trainer.nodes=2");
  EXPECT_EQ(error_of(compose_app({change("lr.value", "2")})),
            "Could not override 'lr.value'.\nTo append to your config use +lr.value=2");
}

TEST(Compose, RefusesToAppendWhereAnItemAlreadyIs) {
  EXPECT_EQ(error_of(compose_app({add("lr", "1")})),
            "Could not append to config. An item is already at 'lr'.\nEither remove + prefix: "
            "'lr=1'\nOr add a second + to add or override 'lr': '++lr=1'");
}

TEST(Compose, RefusesToDeleteWhatDoesNotExistOrHasAnotherValue) {
  EXPECT_EQ(error_of(compose_app({del("nothing")})),
            "Could not delete from config. 'nothing' does not exist.");
  EXPECT_EQ(error_of(compose_app({del("epochs", "5")})),
            "Could not delete from config. The value of 'epochs' is 10 and not 5.");
}

TEST(Compose, RefusesAGroupOptionThatDoesNotExistListingTheOptions) {
  auto composition = compose_app({group_override("db", "oracle")});
  ASSERT_FALSE(composition);
  EXPECT_EQ(composition.error().code, core::ErrorCode::not_found);
  EXPECT_THAT(composition.error().message,
              HasSubstr("In 'config': Could not find 'db/oracle'\n\nAvailable options in 'db':\n"
                        "\tmysql\n\tpg\nConfig search path:\n\tprovider=main, path=file://"));
}

TEST(Compose, RefusesToAppendAGroupTheDefaultsListAlreadyHas) {
  EXPECT_EQ(error_of(compose_app({add("db", "pg")})),
            "Multiple values for db. To override a value use 'override db: pg'");
}

TEST(Compose, RefusesToForceAddAGroup) {
  EXPECT_EQ(error_of(compose_app({force_add("db", "pg")})),
            "force-add of config groups is not supported: '++db=pg'");
}

TEST(Compose, RefusesToDeleteAGroupChoiceThatIsNotTheOneInTheList) {
  EXPECT_EQ(error_of(compose_app({del("db", "pg")})),
            "Could not delete 'db=pg'. No match in the defaults list");
}

TEST(Compose, RefusesAPackageOnAKeyThatIsNotAGroup) {
  EXPECT_EQ(error_of(compose_app({change("trainer@x", "1")})),
            "Override trainer@x=1 looks like a config group override, but config group "
            "'trainer' does not exist.");
}

TEST(Compose, RefusesASweepBecauseOneCompositionIsOneJob) {
  Override sweep = change("lr", "0.1");
  sweep.input = "lr=0.1,0.2";
  sweep.value = ChoiceSweep{{Value{0.1}, Value{0.2}}, true, false, {}};
  auto composition = compose_app({sweep});
  ASSERT_FALSE(composition);
  EXPECT_EQ(composition.error().code, core::ErrorCode::invalid_argument);
  EXPECT_THAT(composition.error().message, HasSubstr("'lr=0.1,0.2' is a sweep"));
}

TEST(Compose, RefusesAMissingPrimaryConfig) {
  auto composition = compose_fixture("app", "nope", {});
  ASSERT_FALSE(composition);
  EXPECT_EQ(composition.error().code, core::ErrorCode::not_found);
  EXPECT_THAT(composition.error().message,
              HasSubstr("Cannot find primary config 'nope'. Check that it's in your config "
                        "search path."));
}

TEST(Compose, RefusesAGroupLeftMissingUntilTheCommandLineChoosesIt) {
  EXPECT_EQ(error_of(compose_fixture("broken", "must_choose", {})),
            "You must specify 'db', e.g, db=<OPTION>\nAvailable options:\n\tmysql\n\tpg");
  expect_config(compose_fixture("broken", "must_choose", {group_override("db", "pg")}),
                "db: {driver: postgresql}");
}

TEST(Compose, RefusesDefaultsListsHydraRejects) {
  EXPECT_EQ(error_of(compose_fixture("broken", "duplicate_self", {})),
            "Duplicate _self_ defined in duplicate_self");
  EXPECT_EQ(error_of(compose_fixture("broken", "override_not_last", {})),
            "In override_not_last: Override 'db : pg' is defined before 'db: mysql'.\nOverrides "
            "must be at the end of the defaults list");
  EXPECT_EQ(error_of(compose_fixture("broken", "multiple_values", {})),
            "Multiple values for db. To override a value use 'override db: pg'");
  EXPECT_EQ(error_of(compose_fixture("broken", "defaults_mapping", {})),
            "Invalid defaults list in 'defaults_mapping', defaults must be a list (got mapping)");
  EXPECT_THAT(error_of(compose_fixture("broken", "unknown_option", {})),
              HasSubstr("In 'unknown_option': Could not find 'db/oracle'"));
}

TEST(Compose, NamesTheFileOfBadYaml) {
  auto composition = compose_fixture("broken", "bad_yaml", {});
  ASSERT_FALSE(composition);
  EXPECT_EQ(composition.error().code, core::ErrorCode::config_invalid);
  EXPECT_THAT(composition.error().message,
              HasSubstr("bad_yaml.yaml:4:1: end of sequence flow not found"));
}

TEST(Compose, PutsSelfLastAndWarnsWhenThePrimaryConfigOmitsIt) {
  auto composition = compose_fixture("broken", "no_self", {});
  expect_config(composition, "db: {driver: mysql}\ndriver: from-primary");
  ASSERT_EQ(composition->warnings.size(), 1u);
  EXPECT_THAT(composition->warnings[0],
              HasSubstr("In 'no_self': Defaults list is missing `_self_`."));
}

TEST(Compose, RefusesAGroupOverrideWithNoMatchInTheDefaultsList) {
  MemoryConfigSource source;
  source.add("config", "a: 1\n");
  source.add("db/mysql", "driver: mysql\n");
  EXPECT_EQ(error_of(compose_memory(source, {group_override("db", "mysql")})),
            "Could not override 'db'. No match in the defaults list.\nTo append to your default "
            "list use +db=mysql");
}

TEST(Compose, MergesSelfFirstWhenTheListPutsItFirst) {
  MemoryConfigSource source;
  source.add("config", "defaults:\n  - _self_\n  - db: mysql\ndb:\n  driver: overridden\n  x: 1\n");
  source.add("db/mysql", "driver: mysql\n");
  expect_config(compose_memory(source), "db: {driver: mysql, x: 1}");
}

TEST(Compose, PlacesAConfigAtItsPackageHeader) {
  MemoryConfigSource source;
  source.add("config", "defaults:\n  - db: mysql\n  - _self_\n");
  source.add("db/mysql", "# @package storage.primary\ndriver: mysql\n");
  expect_config(compose_memory(source), "storage: {primary: {driver: mysql}}");
}

TEST(Compose, IgnoresAPackageHeaderAfterAnotherComment) {
  MemoryConfigSource source;
  source.add("config", "defaults:\n  - db: mysql\n  - _self_\n");
  source.add("db/mysql", "# the MySQL settings\n# @package _global_\ndriver: mysql\n");
  expect_config(compose_memory(source), "db: {driver: mysql}");
}

TEST(Compose, LetsTheDefaultsListPackageBeatTheHeader) {
  MemoryConfigSource source;
  source.add("config", "defaults:\n  - db@here_it_is: mysql\n  - _self_\n");
  source.add("db/mysql", "# @package _global_\ndriver: mysql\n");
  expect_config(compose_memory(source), "here_it_is: {driver: mysql}");
}

TEST(Compose, PlacesHereAndGroupPackagesAsHydraDoes) {
  MemoryConfigSource source;
  source.add("config", "defaults:\n  - model: net\n  - _self_\n");
  source.add("model/net",
             "defaults:\n  - layer@_here_: conv\n  - layer@_group_.extra: dense\n"
             "  - _self_\nname: net\n");
  source.add("model/layer/conv", "kernel: 3\n");
  source.add("model/layer/dense", "units: 8\n");
  expect_config(compose_memory(source),
                "model: {kernel: 3, layer: {extra: {units: 8}}, name: net}");
}

TEST(Compose, ReadsGroupHeaderLiterallyUnderVersionBase13AndAsTheGroupUnder11) {
  MemoryConfigSource source;
  source.add("config", "defaults:\n  - db: mysql\n  - _self_\n");
  source.add("db/mysql", "# @package _group_\ndriver: mysql\n");
  expect_config(compose_memory(source, {}, VersionBase::current), "_group_: {driver: mysql}");
  expect_config(compose_memory(source, {}, VersionBase::legacy_1_1), "db: {driver: mysql}");
}

TEST(Compose, LoadsEveryOptionOfAListValuedEntryInOrder) {
  MemoryConfigSource source;
  source.add("config", "defaults:\n  - db: [mysql, pg]\n  - _self_\n");
  source.add("db/mysql", "driver: mysql\nmysql_only: 1\n");
  source.add("db/pg", "driver: pg\n");
  expect_config(compose_memory(source), "db: {driver: pg, mysql_only: 1}");
}

TEST(Compose, ResolvesInterpolationsInTheDefaultsListFromTheChoices) {
  MemoryConfigSource source;
  source.add("config",
             "defaults:\n  - dataset: imagenet\n  - model: resnet\n"
             "  - dataset_model: ${dataset}_${model}\n  - _self_\n");
  source.add("dataset/imagenet", "name: imagenet\n");
  source.add("dataset/cifar", "name: cifar\n");
  source.add("model/resnet", "name: resnet\n");
  source.add("dataset_model/cifar_resnet", "lr: 0.1\n");
  source.add("dataset_model/imagenet_resnet", "lr: 0.01\n");
  auto composition = compose_memory(source, {group_override("dataset", "cifar")});
  expect_config(composition,
                "dataset: {name: cifar}\nmodel: {name: resnet}\ndataset_model: {lr: 0.1}");
  EXPECT_THAT(composition->choices, ::testing::Contains(Choice{"dataset_model", "cifar_resnet"}));
}

TEST(Compose, SkipsHydrasOwnGroupsInTheDefaultsList) {
  MemoryConfigSource source;
  source.add("config",
             "defaults:\n  - override hydra/launcher: submitit_slurm\n  - _self_\na: 1\n"
             "hydra:\n  run:\n    dir: out\n");
  expect_config(compose_memory(source), "a: 1");
}

TEST(Compose, ComposesWithoutAPrimaryConfig) {
  MemoryConfigSource source;
  source.add("db/mysql", "driver: mysql\n");
  auto composition =
      compose(source, config::parse_yaml_value, "", {add("db", "mysql"), add("x", "1")});
  expect_config(composition, "db: {driver: mysql}\nx: 1");
}

TEST(Compose, KeepsAFilesMissingValueWhenALaterConfigSetsOnlyOtherKeys) {
  MemoryConfigSource source;
  source.add("config", "defaults:\n  - _self_\n  - db: mysql\ndb: ???\n");
  source.add("db/mysql", "driver: mysql\n");
  expect_config(compose_memory(source), "db: {driver: mysql}");
}

}  // namespace
}  // namespace sortie::hydra

// tests/data/hydra/large: groups two levels deep (model/backbone chosen by model's own
// defaults list, trainer/precision), a packaged entry (optimizer@ema), an optional entry whose
// config is missing (local), a `_global_` group (hardware) and an experiment.
namespace sortie::hydra {
namespace {

constexpr std::string_view k_large_default = R"(
dataset: {name: cifar10, num_classes: 10, image_size: 32}
model:
  backbone: {name: resnet18, depth: 18, pretrained: true}
  name: convnet
  dropout: 0.1
optimizer: {name: adam, lr: 0.001, betas: [0.9, 0.999]}
ema: {name: sgd, lr: 0.1, momentum: 0.9}
trainer:
  precision: {bits: 32, amp: false}
  devices: 1
  strategy: auto
  max_epochs: 10
seed: 1
run_name: baseline
)";

core::Result<Composition> compose_large(const std::vector<Override>& overrides = {}) {
  return compose_fixture("large", "train", overrides);
}

std::optional<std::string> choice_of(const Composition& composition, std::string_view key) {
  for (const auto& choice : composition.choices)
    if (choice.key == key) return choice.option.value_or("null");
  return std::nullopt;
}

TEST(ComposeLargeTree, MergesNestedPackagedOptionalAndGlobalConfigsInDefaultsOrder) {
  const auto composition = compose_large();
  expect_config(composition, k_large_default);
  ASSERT_TRUE(composition);
  EXPECT_EQ(choice_of(*composition, "model/backbone"), "resnet18");
  EXPECT_EQ(choice_of(*composition, "optimizer@ema"), "sgd");
  EXPECT_EQ(choice_of(*composition, "trainer/precision"), "fp32");
  EXPECT_EQ(choice_of(*composition, "local"), "workstation");
  EXPECT_EQ(choice_of(*composition, "hardware"), "single_gpu");
}

TEST(ComposeLargeTree, AppliesAnExperimentsGroupOverridesAndValuesAfterThePrimaryConfig) {
  expect_config(compose_large({add("experiment", "scale_up")}), R"(
dataset: {name: imagenet, num_classes: 1000, image_size: 224}
model:
  backbone: {name: vit_b16, depth: 12, pretrained: false}
  name: vit
  patch_size: 16
optimizer: {name: adam, lr: 0.0005, betas: [0.9, 0.999]}
ema: {name: sgd, lr: 0.1, momentum: 0.9}
trainer:
  precision: {bits: 32, amp: false}
  devices: 4
  strategy: ddp
  max_epochs: 90
seed: 1
run_name: scale_up
)");
}

TEST(ComposeLargeTree, LetsTheCommandLineChooseNestedPackagedAndOptionalGroups) {
  const auto composition =
      compose_large({add("experiment", "scale_up"), group_override("model/backbone", "resnet50"),
                     group_override("optimizer@ema", "adam"), group_override("local", "laptop"),
                     group_override("trainer/precision", "bf16"), change("trainer.devices", "2")});
  ASSERT_TRUE(composition) << composition.error().message;
  const auto& config = std::get<DictValue>(composition->config.data);
  auto at = [&](std::string_view key) -> const Value& {
    for (const auto& [name, value] : config.entries)
      if (name == key) return value;
    ADD_FAILURE() << "no key " << key;
    static const Value none{nullptr};
    return none;
  };
  EXPECT_EQ(at("model"), yaml(R"(
backbone: {name: resnet50, depth: 50, pretrained: true}
name: vit
patch_size: 16
)"));
  EXPECT_EQ(at("ema"), yaml("{name: adam, lr: 0.001, betas: [0.9, 0.999]}"));
  EXPECT_EQ(at("local"), yaml("{data_root: /home/me/data}"));
  EXPECT_EQ(at("trainer"),
            yaml("{precision: {bits: 16, amp: true}, devices: 2, strategy: ddp, max_epochs: 90}"));
}

TEST(ComposeLargeTree, ReportsAMissingOptionOfANestedGroupWithItsOptions) {
  const std::string message = error_of(compose_large({group_override("model/backbone", "vgg")}));
  EXPECT_THAT(message, HasSubstr("model/backbone/vgg"));
  EXPECT_THAT(message, HasSubstr("resnet18"));
}

}  // namespace
}  // namespace sortie::hydra
