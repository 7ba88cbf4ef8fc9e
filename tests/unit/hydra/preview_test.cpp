#include "sortie/hydra/preview.hpp"

#include <gmock/gmock.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "sortie/config/yaml_values.hpp"
#include "sortie/hydra/grammar.hpp"

namespace sortie::hydra {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Jobs = std::vector<std::vector<std::string>>;

std::vector<Override> parse(const std::vector<std::string>& inputs) {
  auto parsed = parse_overrides(inputs);
  EXPECT_TRUE(parsed) << parsed.error().message;
  return parsed.value_or(std::vector<Override>{});
}

core::Result<Jobs> preview_large(const std::vector<std::string>& inputs,
                                 const PreviewOptions& options = {}) {
  const FilesystemConfigSource source(std::filesystem::path(SORTIE_TEST_DATA) / "hydra" / "large");
  return preview_sweep(source, config::parse_yaml_value, "train", parse(inputs), options);
}

MemoryConfigSource tiny_source() {
  MemoryConfigSource source;
  source.add("config", "defaults:\n  - model: small\n  - _self_\nlr: 0.1\n");
  source.add("model/small", "hidden: 4\n");
  source.add("model/large", "hidden: 16\n");
  return source;
}

TEST(PreviewSweep, ListsJobsWithTheFirstSweptKeyVaryingSlowestAndGlobOverTheGroupsOptions) {
  const auto source = tiny_source();
  auto jobs = preview_sweep(source, config::parse_yaml_value, "config",
                            parse({"lr=0.1,0.01", "model=glob(*)"}));
  ASSERT_TRUE(jobs) << jobs.error().message;
  EXPECT_THAT(
      *jobs,
      ElementsAre(ElementsAre("lr=0.1", "model=large"), ElementsAre("lr=0.1", "model=small"),
                  ElementsAre("lr=0.01", "model=large"), ElementsAre("lr=0.01", "model=small")));
}

TEST(PreviewSweep, GivesOneJobWithoutSweeps) {
  const auto source = tiny_source();
  auto jobs = preview_sweep(source, config::parse_yaml_value, "config", parse({"lr=1"}));
  ASSERT_TRUE(jobs) << jobs.error().message;
  EXPECT_THAT(*jobs, ElementsAre(ElementsAre("lr=1")));
}

TEST(PreviewSweep, ExpandsGlobOverANestedGroupOfTheLargeTree) {
  auto jobs = preview_large({"model=convnet,vit", "model/backbone=glob(resnet*)"});
  ASSERT_TRUE(jobs) << jobs.error().message;
  EXPECT_THAT(*jobs, ElementsAre(ElementsAre("model=convnet", "model/backbone=resnet18"),
                                 ElementsAre("model=convnet", "model/backbone=resnet50"),
                                 ElementsAre("model=vit", "model/backbone=resnet18"),
                                 ElementsAre("model=vit", "model/backbone=resnet50")));
}

TEST(PreviewSweep, PairsSweepsOfTheLargeTreeInPairedMode) {
  PreviewOptions options;
  options.mode = SweepMode::paired;
  auto jobs = preview_large(
      {"+experiment=scale_up", "dataset=cifar10,imagenet", "trainer/precision=fp32,bf16"}, options);
  ASSERT_TRUE(jobs) << jobs.error().message;
  EXPECT_THAT(
      *jobs,
      ElementsAre(
          ElementsAre("+experiment=scale_up", "dataset=cifar10", "trainer/precision=fp32"),
          ElementsAre("+experiment=scale_up", "dataset=imagenet", "trainer/precision=bf16")));
}

TEST(PreviewSweep, NamesTheFirstJobThatDoesNotCompose) {
  auto jobs = preview_large({"optimizer=adam,sgd", "optimizer.betas.0=0.8"});
  ASSERT_FALSE(jobs);
  EXPECT_EQ(jobs.error().code, core::ErrorCode::invalid_argument);
  EXPECT_THAT(jobs.error().message,
              HasSubstr("job #1 of 2 (optimizer=sgd optimizer.betas.0=0.8): "));
  EXPECT_THAT(jobs.error().message, HasSubstr("Could not override 'optimizer.betas.0'"));
}

TEST(PreviewSweep, KeepsTheErrorCodeOfAJobWhoseConfigIsMissing) {
  auto jobs = preview_large({"model/backbone=resnet18,vgg"});
  ASSERT_FALSE(jobs);
  EXPECT_EQ(jobs.error().code, core::ErrorCode::not_found);
  EXPECT_THAT(jobs.error().message, HasSubstr("job #1 of 2 (model/backbone=vgg)"));
}

TEST(PreviewSweep, RefusesAGlobOverAKeyThatIsNotAGroup) {
  auto jobs = preview_large({"seed=glob(*)"});
  ASSERT_FALSE(jobs);
  EXPECT_EQ(jobs.error().code, core::ErrorCode::not_found);
  EXPECT_THAT(jobs.error().message, HasSubstr("'seed' is not a config group"));
}

TEST(PreviewSweep, RefusesAGlobThatMatchesNoOptionAndListsTheOptions) {
  auto jobs = preview_large({"dataset=glob(mnist*)"});
  ASSERT_FALSE(jobs);
  EXPECT_EQ(jobs.error().code, core::ErrorCode::invalid_argument);
  EXPECT_THAT(jobs.error().message,
              HasSubstr("matches none of the options of config group 'dataset' (cifar10, "
                        "imagenet)"));
}

TEST(PreviewSweep, RefusesSweepingOverHydrasOwnConfig) {
  auto jobs = preview_large({"hydra.job.chdir=true,false"});
  ASSERT_FALSE(jobs);
  EXPECT_THAT(jobs.error().message, HasSubstr("Sweeping over Hydra's configuration"));
}

TEST(PreviewSweep, RefusesMoreJobsThanTheLimit) {
  PreviewOptions options;
  options.max_jobs = 3;
  auto jobs = preview_large({"seed=range(4)"}, options);
  ASSERT_FALSE(jobs);
  EXPECT_THAT(jobs.error().message, HasSubstr("would make 4 jobs; at most 3"));
}

TEST(PreviewSweep, NeverAllowsMoreJobsThanTheLimitOfEveryMultirun) {
  PreviewOptions options;
  options.max_jobs = k_max_jobs * 10;
  auto jobs = preview_large({fmt::format("seed=range({})", k_max_jobs + 1)}, options);
  ASSERT_FALSE(jobs);
  EXPECT_THAT(jobs.error().message,
              HasSubstr(fmt::format("would make {} values; at most {}", k_max_jobs + 1,
                                    k_max_jobs)));
}

TEST(GroupOptions, ListsTheConfigsOfANestedGroupSortedAndNothingForAKey) {
  const FilesystemConfigSource source(std::filesystem::path(SORTIE_TEST_DATA) / "hydra" / "large");
  EXPECT_THAT(group_options(source, "model/backbone"),
              ElementsAre("resnet18", "resnet50", "vit_b16"));
  EXPECT_THAT(group_options(source, "trainer"), ElementsAre());
  EXPECT_THAT(group_options(source, "seed"), ElementsAre());
}

}  // namespace
}  // namespace sortie::hydra
