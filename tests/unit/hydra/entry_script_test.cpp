#include "sortie/hydra/entry_script.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sortie::hydra {
namespace {

using ::testing::HasSubstr;
using State = MainArgument::State;

HydraMain parse(std::string_view script) {
  auto found = find_hydra_main(script, "train.py");
  EXPECT_TRUE(found) << found.error().message;
  return found.value_or(HydraMain{});
}

TEST(EntryScript, ReadsKeywordArgumentsInDoubleQuotes) {
  const auto main = parse(R"(import hydra
from omegaconf import DictConfig


@hydra.main(version_base="1.3", config_path="conf", config_name="config")
def main(cfg: DictConfig) -> None:
    print(cfg)
)");
  EXPECT_EQ(main.config_path, (MainArgument{State::text, "conf"}));
  EXPECT_EQ(main.config_name, (MainArgument{State::text, "config"}));
  EXPECT_EQ(main.version_base, (MainArgument{State::text, "1.3"}));
  EXPECT_EQ(main.line, 5u);
  EXPECT_EQ(main.resolved_config_path(), "conf");
  EXPECT_EQ(main.resolved_config_name(), "config");
  EXPECT_FALSE(main.uses_legacy_defaults());
}

TEST(EntryScript, ReadsPositionalArgumentsInSingleQuotesAcrossLines) {
  const auto main = parse(
      "import hydra\n"
      "@hydra.main(\n"
      "    '../configs',  # where they live\n"
      "    'train.yaml',\n"
      "    None,\n"
      ")\n"
      "def run(cfg): ...\n");
  EXPECT_EQ(main.config_path, (MainArgument{State::text, "../configs"}));
  EXPECT_EQ(main.resolved_config_name(), "train");
  EXPECT_EQ(main.version_base.state, State::none);
  EXPECT_FALSE(main.uses_legacy_defaults());
}

TEST(EntryScript, ReadsNoneAsNoConfigDirectory) {
  const auto main = parse("@hydra.main(config_path=None, config_name=None, version_base=None)\n");
  EXPECT_EQ(main.config_path.state, State::none);
  EXPECT_EQ(main.resolved_config_path(), std::nullopt);
  EXPECT_EQ(main.resolved_config_name(), std::nullopt);
}

TEST(EntryScript, DefaultsTheConfigPathToTheScriptDirectoryOnlyWithLegacyVersionBase) {
  EXPECT_EQ(parse("@hydra.main(config_name='config')\n").resolved_config_path(), ".");
  EXPECT_EQ(parse("@hydra.main(config_name='config', version_base='1.1')\n").resolved_config_path(),
            ".");
  EXPECT_EQ(parse("@hydra.main(config_name='config', version_base='1.2')\n").resolved_config_path(),
            std::nullopt);
}

TEST(EntryScript, ReadsADecoratorWithoutArguments) {
  const auto main = parse("import hydra\n\n@hydra.main()\ndef main(cfg):\n  pass\n");
  EXPECT_EQ(main.config_path.state, State::absent);
  EXPECT_TRUE(main.uses_legacy_defaults());
}

TEST(EntryScript, ReadsBareMainImportedFromHydraAndRawStrings) {
  const auto main = parse(
      "from hydra import main, compose\n"
      "@main(config_path=r\"conf\", config_name=\"con\" \"fig\", version_base=\"1.3\")\n"
      "def app(cfg): ...\n");
  EXPECT_EQ(main.resolved_config_path(), "conf");
  EXPECT_EQ(main.resolved_config_name(), "config");
}

TEST(EntryScript, IgnoresAnUnrelatedMainDecorator) {
  auto found = find_hydra_main("@main(config_name='x')\ndef f(): ...\n", "app.py");
  ASSERT_FALSE(found);
}

TEST(EntryScript, ReportsAScriptWithoutTheDecorator) {
  auto found = find_hydra_main("import sys\nprint(sys.argv)\n", "scripts/run.py");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, core::ErrorCode::invalid_argument);
  EXPECT_THAT(found.error().message, HasSubstr("scripts/run.py has no @hydra.main(...) decorator"));
}

TEST(EntryScript, ReportsAnArgumentThatIsNotALiteral) {
  auto found = find_hydra_main(
      "import os, hydra\n@hydra.main(config_path=os.path.join('a', 'b'), config_name='c')\n",
      "train.py");
  ASSERT_FALSE(found);
  EXPECT_THAT(found.error().message,
              HasSubstr("train.py:2: @hydra.main: config_path is not a string literal or None"));
}

TEST(EntryScript, ReportsAnFStringAsNotALiteral) {
  auto found = find_hydra_main("@hydra.main(config_path=f'{root}/conf')\n", "train.py");
  ASSERT_FALSE(found);
  EXPECT_THAT(found.error().message, HasSubstr("config_path is not a string literal"));
}

TEST(EntryScript, ReportsAnUnclosedCall) {
  auto found = find_hydra_main("@hydra.main(config_path='conf',\n", "train.py");
  ASSERT_FALSE(found);
  EXPECT_THAT(found.error().message, HasSubstr("not closed"));
}

}  // namespace
}  // namespace sortie::hydra

namespace sortie::hydra {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> candidates(std::string_view command) {
  auto found = entry_script_candidates(command);
  EXPECT_TRUE(found) << found.error().message;
  return found.value_or(std::vector<std::string>{});
}

TEST(EntryScriptCandidates, TakesTheScriptThatPythonRuns) {
  EXPECT_THAT(candidates("python train.py"), ElementsAre("train.py"));
  EXPECT_THAT(candidates("python3 -u ./src/train.py optimizer.lr=0.1"),
              ElementsAre("src/train.py"));
  EXPECT_THAT(candidates("CUDA_VISIBLE_DEVICES=0 python 'my dir/train.py'"),
              ElementsAre("my dir/train.py"));
}

TEST(EntryScriptCandidates, TakesTheScriptOfALauncherCommand) {
  EXPECT_THAT(candidates("torchrun --nproc_per_node=4 scripts/train.py model=large"),
              ElementsAre("scripts/train.py"));
  EXPECT_THAT(candidates("accelerate launch train.py"), ElementsAre("train.py"));
}

TEST(EntryScriptCandidates, TurnsAModuleIntoItsPossibleFiles) {
  EXPECT_THAT(candidates("python -m pkg.train data=x.py"),
              ElementsAre("pkg/train.py", "pkg/train/__main__.py", "src/pkg/train.py",
                          "src/pkg/train/__main__.py"));
  EXPECT_THAT(
      candidates("python3 -mvision"),
      ElementsAre("vision.py", "vision/__main__.py", "src/vision.py", "src/vision/__main__.py"));
}

TEST(EntryScriptCandidates, ReportsACommandThatNamesNoScript) {
  auto found = entry_script_candidates("bash run.sh --fast");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().code, core::ErrorCode::invalid_argument);
  EXPECT_THAT(found.error().message, HasSubstr("`bash run.sh --fast`"));
  EXPECT_THAT(found.error().message, HasSubstr("no `.py` file and no `-m module`"));
}

}  // namespace
}  // namespace sortie::hydra
