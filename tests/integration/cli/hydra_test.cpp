// `sortie hydra compose|groups` and `sortie sweep preview` as a user runs them: the real
// binary on the example shipped in examples/tiny-train, on the large test tree, and on
// registered projects (real Git repositories, a real SQLite file). No cluster is needed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/unit/git/fixtures/git_fixture.hpp"

namespace sortie {
namespace {

using git::fixtures::PushedProject;
using git::fixtures::read_file;
using git::fixtures::run_shell;
using git::fixtures::shell_quote;
using git::fixtures::TempDir;
using git::fixtures::write_file;
using ::testing::HasSubstr;
using ::testing::Not;
using Json = nlohmann::ordered_json;

const std::filesystem::path k_source = SORTIE_SOURCE_DIR;
const std::filesystem::path k_example = k_source / "examples" / "tiny-train";

struct SortieRun {
  int status = -1;
  std::string out;
  std::string err;
};

class HydraCli : public ::testing::Test {
 protected:
  // Runs the sortie binary on this test's database; stdout and stderr apart, so that JSON
  // can be parsed whole.
  SortieRun sortie(const std::string& arguments) {
    const auto err_file = m_dir / "stderr.txt";
    std::filesystem::remove(err_file);
    auto result = run_shell("{ " + std::string(SORTIE_BINARY) + " --db " +
                            shell_quote((m_dir / "sortie.db").string()) + " " + arguments + " 2>" +
                            shell_quote(err_file.string()) + "; }");
    return {result.status, result.output, read_file(err_file)};
  }

  static std::string example_conf() {
    return "--config-dir " + shell_quote((k_example / "conf").string());
  }
  static std::string large_conf() {
    return "--config-dir " +
           shell_quote((k_source / "tests" / "data" / "hydra" / "large").string()) +
           " --config-name train";
  }

  static Json parse(const SortieRun& run) {
    EXPECT_EQ(run.status, 0) << run.err;
    try {
      return Json::parse(run.out);
    } catch (const std::exception& error) {
      ADD_FAILURE() << error.what() << "\n" << run.out;
      return Json();
    }
  }

  // The tiny-train example as a registered project named `tiny` with `entry` as its entry
  // command, the example's files under `subfolder` of the repository.
  void register_example(const std::string& entry, const std::string& subfolder = "") {
    std::filesystem::copy(k_example, m_project / subfolder,
                          std::filesystem::copy_options::recursive |
                              std::filesystem::copy_options::overwrite_existing);
    m_project.commit("Add tiny-train");
    auto added = sortie("projects add " + shell_quote(m_project.work().string()) +
                        " --name tiny --entry " + shell_quote(entry));
    ASSERT_EQ(added.status, 0) << added.out << added.err;
  }

  TempDir m_dir;
  PushedProject m_project;
};

const Json k_tiny_default = Json::parse(R"({
  "model": {"name": "small", "hidden": 4},
  "optimizer": {"name": "adam", "lr": 0.05, "beta1": 0.9, "beta2": 0.999},
  "seed": 0,
  "steps": 5,
  "data": {"samples": 128, "noise": 0.1}
})");

TEST_F(HydraCli, ComposesTheTinyTrainExampleAsJson) {
  const Json composed =
      parse(sortie("hydra compose " + example_conf() + " --config-name config --json"));
  EXPECT_EQ(composed["config"], k_tiny_default);
  EXPECT_EQ(composed["choices"], Json::parse(R"({"optimizer": "adam", "model": "small"})"));
  EXPECT_EQ(composed["warnings"], Json::array());
}

TEST_F(HydraCli, ComposesWithOverridesAndAGlobalExperimentAsYamlText) {
  auto run = sortie("hydra compose " + example_conf() +
                    " --config-name config -- +experiment=fast optimizer=sgd data.noise=0");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out,
            "# choices: experiment=fast optimizer=sgd model=large\n"
            "model:\n  name: large\n  hidden: 16\n"
            "optimizer:\n  name: sgd\n  lr: 0.1\n  momentum: 0.9\n"
            "seed: 0\nsteps: 3\n"
            "data:\n  samples: 128\n  noise: 0\n");
}

TEST_F(HydraCli, RefusesASweepInComposeWithHydrasWording) {
  auto run =
      sortie("hydra compose " + example_conf() + " --config-name config -- optimizer.lr=0.1,0.01");
  EXPECT_EQ(run.status, 2);
  EXPECT_THAT(run.err, HasSubstr("Ambiguous value for argument 'optimizer.lr=0.1,0.01'"));
  EXPECT_THAT(run.err, HasSubstr("add --multirun"));
  EXPECT_EQ(run.out, "");
}

TEST_F(HydraCli, ExitsWithTheStatusOfTheCompositionError) {
  auto missing = sortie("hydra compose " + example_conf() + " --config-name config -- model=huge");
  EXPECT_EQ(missing.status, 3) << missing.err;
  EXPECT_THAT(missing.err, HasSubstr("model/huge"));

  auto unknown_key = sortie("hydra compose " + example_conf() + " --config-name config -- lr=1");
  EXPECT_EQ(unknown_key.status, 2) << unknown_key.err;
  EXPECT_THAT(unknown_key.err, HasSubstr("Could not override 'lr'"));

  auto no_dir = sortie("hydra compose --config-dir /nonexistent/conf --config-name config");
  EXPECT_EQ(no_dir.status, 3);
  EXPECT_THAT(no_dir.err, HasSubstr("/nonexistent/conf does not exist"));

  auto no_name = sortie("hydra compose " + example_conf());
  EXPECT_EQ(no_name.status, 2);
  EXPECT_THAT(no_name.err, HasSubstr("--config-name"));
}

TEST_F(HydraCli, ListsGroupsOptionsAndDefaultChoices) {
  const Json groups =
      parse(sortie("hydra groups " + example_conf() + " --config-name config --json"));
  EXPECT_EQ(groups, Json::parse(R"({
    "primary_configs": ["config"],
    "groups": [
      {"path": "experiment", "options": ["fast"]},
      {"path": "model", "options": ["large", "small"]},
      {"path": "optimizer", "options": ["adam", "sgd"]}
    ],
    "choices": {"optimizer": "adam", "model": "small"}
  })"));

  auto text = sortie("hydra groups " + example_conf());
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_THAT(text.out, HasSubstr("  model       large, small\n"));
  EXPECT_THAT(text.out, Not(HasSubstr("Default choices")));
}

TEST_F(HydraCli, PreviewsTheExampleSweepInHydrasOrderWithGlobOverTheModels) {
  auto run = sortie("sweep preview " + example_conf() +
                    " --config-name config -- optimizer.lr=0.1,0.01 'model=glob(*)'");
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out,
            "#0 : optimizer.lr=0.1 model=large\n"
            "#1 : optimizer.lr=0.1 model=small\n"
            "#2 : optimizer.lr=0.01 model=large\n"
            "#3 : optimizer.lr=0.01 model=small\n"
            "4 jobs (cartesian), each composed without errors\n");

  const Json preview = parse(sortie("sweep preview " + example_conf() +
                                    " --config-name config --json -- optimizer.lr=0.1,0.01 "
                                    "'model=glob(*)'"));
  EXPECT_EQ(preview["config_name"], "config");
  EXPECT_EQ(preview["mode"], "cartesian");
  EXPECT_EQ(preview["job_count"], 4);
  EXPECT_EQ(preview["jobs"][3], Json::parse(R"({"index": 3,
    "overrides": ["optimizer.lr=0.01", "model=small"]})"));
}

TEST_F(HydraCli, RunsTheExampleScriptWithEveryPreviewedJobsOverridesWithoutHydra) {
  const Json preview = parse(sortie("sweep preview " + example_conf() +
                                    " --config-name config --json -- optimizer=adam,sgd "
                                    "'model=glob(*)' +experiment=fast steps=2"));
  ASSERT_EQ(preview["job_count"], 4);
  for (const auto& job : preview["jobs"]) {
    std::string command = "python3 " + shell_quote((k_example / "train.py").string());
    for (const auto& item : job["overrides"]) command += " " + shell_quote(item.get<std::string>());
    auto run = run_shell(command);
    EXPECT_EQ(run.status, 0) << command << "\n" << run.output;
    EXPECT_THAT(run.output, HasSubstr("step 2/2 loss "));
    EXPECT_THAT(run.output, HasSubstr(" accuracy "));
  }
}

TEST_F(HydraCli, PairsSweepsAndCapsTheNumberOfJobs) {
  auto paired = sortie("sweep preview " + example_conf() +
                       " --config-name config --paired -- optimizer=adam,sgd model=small,large");
  ASSERT_EQ(paired.status, 0) << paired.err;
  EXPECT_THAT(paired.out, HasSubstr("#1 : optimizer=sgd model=large\n2 jobs (paired)"));

  auto unequal = sortie("sweep preview " + example_conf() +
                        " --config-name config --paired -- optimizer=adam,sgd seed=1,2,3");
  EXPECT_EQ(unequal.status, 2);
  EXPECT_THAT(unequal.err, HasSubstr("optimizer has 2, seed has 3"));

  auto capped = sortie("sweep preview " + example_conf() +
                       " --config-name config --max-jobs 3 -- 'seed=range(10)'");
  EXPECT_EQ(capped.status, 2);
  EXPECT_THAT(capped.err, HasSubstr("would make 10 jobs; at most 3"));
}

TEST_F(HydraCli, ComposesTheLargeTreeWithAnExperimentAndNestedGroups) {
  const Json composed = parse(sortie("hydra compose " + large_conf() +
                                     " --json -- +experiment=scale_up model/backbone=resnet50"));
  EXPECT_EQ(composed["config"]["model"], Json::parse(R"({
    "backbone": {"name": "resnet50", "depth": 50, "pretrained": true},
    "name": "vit", "patch_size": 16})"));
  EXPECT_EQ(composed["config"]["trainer"], Json::parse(R"({
    "precision": {"bits": 32, "amp": false}, "devices": 4, "strategy": "ddp",
    "max_epochs": 90})"));
  EXPECT_EQ(composed["config"]["ema"]["name"], "sgd");
  EXPECT_EQ(composed["choices"]["local"], "workstation");
  EXPECT_EQ(composed["choices"]["model/backbone"], "resnet50");
}

TEST_F(HydraCli, PreviewsTheLargeTreeAndNamesTheFirstJobThatFails) {
  const Json preview = parse(sortie("sweep preview " + large_conf() +
                                    " --json -- model=convnet,vit 'model/backbone=glob(*,"
                                    "exclude=vit*)' optimizer@ema=adam"));
  ASSERT_EQ(preview["job_count"], 4);
  EXPECT_EQ(preview["jobs"][1]["overrides"],
            Json::parse(R"(["model=convnet", "model/backbone=resnet50", "optimizer@ema=adam"])"));

  auto failing =
      sortie("sweep preview " + large_conf() + " -- optimizer=adam,sgd optimizer.betas.0=0.8");
  EXPECT_EQ(failing.status, 2);
  EXPECT_THAT(failing.err, HasSubstr("job #1 of 2 (optimizer=sgd optimizer.betas.0=0.8)"));
  EXPECT_EQ(failing.out, "");

  auto not_a_group = sortie("sweep preview " + large_conf() + " -- 'seed=glob(*)'");
  EXPECT_EQ(not_a_group.status, 3);
  EXPECT_THAT(not_a_group.err, HasSubstr("'seed' is not a config group"));
}

TEST_F(HydraCli, FindsTheConfigsOfAProjectFromItsEntryScript) {
  register_example("python3 train.py");
  const Json composed = parse(sortie("hydra compose --project tiny --json -- model=large"));
  EXPECT_EQ(composed["config"]["model"]["hidden"], 16);

  const Json groups = parse(sortie("hydra groups --project tiny --json"));
  EXPECT_EQ(groups["choices"], Json::parse(R"({"optimizer": "adam", "model": "small"})"));

  const Json preview = parse(sortie("sweep preview --project tiny --json -- 'model=glob(*)'"));
  EXPECT_EQ(preview["job_count"], 2);
  EXPECT_EQ(preview["config_dir"], (m_project.work() / "conf").string());
}

TEST_F(HydraCli, FindsTheConfigsOfAProjectThatRunsAModule) {
  register_example("python -m tiny.train", "tiny");
  const Json composed = parse(sortie("hydra compose --project tiny --json"));
  EXPECT_EQ(composed["config"], k_tiny_default);
}

TEST_F(HydraCli, SaysHowToPassTheConfigDirectoryWhenAProjectHasNoHydraApp) {
  auto added = sortie("projects add " + shell_quote(m_project.work().string()) + " --name plain");
  ASSERT_EQ(added.status, 0) << added.err;
  auto run = sortie("hydra compose --project plain");
  EXPECT_EQ(run.status, 2);
  EXPECT_THAT(run.err, HasSubstr("train.py has no @hydra.main(...) decorator"));
  EXPECT_THAT(run.err, HasSubstr("pass --config-dir DIR"));

  ASSERT_EQ(sortie("projects set plain --entry 'bash run.sh'").status, 0);
  auto no_script = sortie("hydra groups --project plain");
  EXPECT_EQ(no_script.status, 2);
  EXPECT_THAT(no_script.err, HasSubstr("no `.py` file"));
  EXPECT_THAT(no_script.err, HasSubstr("pass --config-dir DIR"));

  auto unknown = sortie("hydra groups --project nope");
  EXPECT_EQ(unknown.status, 3);
  EXPECT_THAT(unknown.err, HasSubstr("no project named 'nope'"));
}

TEST_F(HydraCli, TakesTheConfigNameWithItsExtensionAndChecksTheVersionBase) {
  const Json composed = parse(sortie("hydra compose " + example_conf() +
                                     " --config-name config.yaml --version-base 1.1 --json"));
  EXPECT_EQ(composed["config"], k_tiny_default);

  auto bad =
      sortie("hydra compose " + example_conf() + " --config-name config --version-base latest");
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("--version-base takes a Hydra version such as 1.1 or 1.3"));
}

TEST_F(HydraCli, RefusesBothAConfigDirectoryAndAProject) {
  auto run = sortie("hydra groups " + example_conf() + " --project tiny");
  EXPECT_EQ(run.status, 2);
  EXPECT_THAT(run.out + run.err, HasSubstr("excludes"));
}

}  // namespace
}  // namespace sortie
