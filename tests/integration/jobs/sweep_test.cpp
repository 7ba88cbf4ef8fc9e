// `sortie submit -m` on the sandbox cluster: a Hydra sweep of examples/tiny-train submitted as
// ONE SLURM array over real SSH, each task tracked to its end and given its own overrides;
// cancel of one task and of a whole sweep; rerun of a task and of a sweep's failed tasks.

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/integration/jobs/sandbox_project.hpp"

namespace sortie {
namespace {

using git::fixtures::git;
using ::testing::HasSubstr;

std::string read_text(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// What `sortie submit -m` printed: the sweep's short id and each task's job id, by index.
struct Submitted {
  std::string sweep;
  std::vector<std::int64_t> tasks;
};

class SweepOnSandbox : public testing::SandboxProject {
 protected:
  explicit SweepOnSandbox(std::string train_py = read_text(std::string(SORTIE_SOURCE_DIR) +
                                                           "/examples/tiny-train/train.py"))
      : SandboxProject(std::move(train_py)) {}

  // The sweep's tasks are cancelled at the end of the test like single jobs.
  Submitted submit_sweep(const std::string& arguments) {
    auto submitted =
        sortie("submit tiny --cluster sandbox --partition debug --time 5 " + arguments);
    EXPECT_EQ(submitted.status, 0) << submitted.output;
    Submitted result;
    std::smatch match;
    if (std::regex_search(submitted.output, match,
                          std::regex("Submitted sweep sortie-[0-9a-f]+ \\(([0-9a-f]{8})\\)"))) {
      result.sweep = match[1];
    }
    EXPECT_FALSE(result.sweep.empty()) << submitted.output;
    const std::regex task("  task ([0-9]+): job ([0-9]+)");
    for (auto it = std::sregex_iterator(submitted.output.begin(), submitted.output.end(), task);
         it != std::sregex_iterator(); ++it) {
      EXPECT_EQ(std::stoul((*it)[1]), result.tasks.size());
      result.tasks.push_back(std::stoll((*it)[2]));
      m_submitted.push_back(result.tasks.back());
    }
    return result;
  }

  // The sweep's tasks as `jobs --sweep --json` lists them, by array index.
  std::vector<nlohmann::json> tasks_of(const std::string& sweep) {
    auto listed = sortie_stdout("jobs --sweep " + sweep + " --json");
    EXPECT_EQ(listed.status, 0) << listed.output;
    std::vector<nlohmann::json> tasks;
    try {
      const auto document = nlohmann::json::parse(listed.output);
      for (const auto& job : document["jobs"]) tasks.push_back(job);
    } catch (const std::exception& error) {
      ADD_FAILURE() << error.what() << "\n" << listed.output;
    }
    std::ranges::sort(tasks, {},
                      [](const nlohmann::json& job) { return job["array_task_index"].get<int>(); });
    return tasks;
  }

  // Refreshes until every task of the sweep is in `state`, or `limit` passes; returns the tasks
  // and the most tasks seen RUNNING at once.
  std::pair<std::vector<nlohmann::json>, int> wait_for_sweep(const std::string& sweep,
                                                             const std::string& state,
                                                             std::chrono::seconds limit) {
    std::vector<nlohmann::json> tasks;
    int most_running = 0;
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      auto refreshed = sortie("jobs --refresh --limit 1");
      EXPECT_EQ(refreshed.status, 0) << refreshed.output;
      tasks = tasks_of(sweep);
      int running = 0;
      bool all = !tasks.empty();
      for (const auto& task : tasks) {
        running += task["state"] == "RUNNING";
        all = all && task["state"] == state;
      }
      most_running = std::max(most_running, running);
      if (all) return {tasks, most_running};
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    nlohmann::json dump = tasks;
    ADD_FAILURE() << "sweep " << sweep << " did not reach " << state << ": " << dump.dump(2);
    return {tasks, most_running};
  }

  void SetUp() override {
    SandboxProject::SetUp();
    // examples/tiny-train as the project: its train.py (above) and its Hydra configs.
    std::filesystem::copy(std::string(SORTIE_SOURCE_DIR) + "/examples/tiny-train/conf",
                          m_dir / "tiny" / "conf", std::filesystem::copy_options::recursive);
    git(m_dir / "tiny", "add conf");
    git(m_dir / "tiny", "commit -q -m 'Hydra configs'");
    // The remote now belongs to the cluster user (git refuses to push into it): take it back
    // for the push, then hand it over again.
    const std::string remote = git::fixtures::shell_quote((m_dir / "remote.git").string());
    git::fixtures::run_shell("chown -R root " + remote);
    git(m_dir / "tiny", "push -q origin main");
    git::fixtures::run_shell("chmod -R a+rX " + git::fixtures::shell_quote(m_dir.path().string()) +
                             " && chown -R researcher " + remote);
  }
};

TEST_P(SweepOnSandbox, SixTaskSweepIsOneArrayWhoseTasksEachRunTheirOwnOverrides) {
  const auto started = std::chrono::steady_clock::now();
  auto submitted = submit_sweep("-m --parallel 3 -- optimizer.lr=0.1,0.01,0.001 model=large,small");
  ASSERT_EQ(submitted.tasks.size(), 6u);

  auto tasks = tasks_of(submitted.sweep);
  ASSERT_EQ(tasks.size(), 6u);
  const auto array_id = tasks[0]["slurm_job_id"];
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    EXPECT_EQ(tasks[i]["array_task_index"], i);
    EXPECT_EQ(tasks[i]["slurm_job_id"], array_id);  // ONE array
    EXPECT_THAT(tasks[i]["sweep_id"].get<std::string>(), HasSubstr(submitted.sweep));
  }
  EXPECT_EQ(tasks[0]["arguments"], (nlohmann::json{"optimizer.lr=0.1", "model=large"}));
  EXPECT_EQ(tasks[5]["arguments"], (nlohmann::json{"optimizer.lr=0.001", "model=small"}));
  // One script with the array and the %3 limit; task 5's file holds its overrides, one a line.
  const std::string job_dir = tasks[5]["workspace"].get<std::string>();
  auto script = on_cluster("grep -- '--array=' " + job_dir + ".sbatch");
  EXPECT_EQ(script.output, "#SBATCH --array=0-5%3\n");
  auto task_file = on_cluster("cat " + job_dir + "/tasks/5");
  EXPECT_EQ(task_file.output, "optimizer.lr=0.001\nmodel=small\n");

  auto [done, most_running] =
      wait_for_sweep(submitted.sweep, "COMPLETED", std::chrono::seconds(90));
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
  std::cout << "[ figures  ] submit to all 6 tasks COMPLETED: " << seconds.count()
            << " s; most tasks seen RUNNING at once: " << most_running << "\n";
  EXPECT_LE(most_running, 3);
  for (std::size_t i = 0; i < done.size(); ++i) {
    const auto& task = done[i];
    EXPECT_EQ(task["exit_code"], 0);
    EXPECT_TRUE(task["started_at"].is_string());
    EXPECT_TRUE(task["ended_at"].is_string());
    EXPECT_THAT(task["log_paths"]["stdout"].get<std::string>(),
                HasSubstr("." + std::to_string(array_id.get<std::int64_t>()) + "_" +
                          std::to_string(i) + ".out"));
    // Each task's W&B run, which the example prints on stderr as wandb does.
    EXPECT_EQ(task["wandb_urls"],
              (nlohmann::json{fmt::format("https://wandb.ai/sortie-examples/tiny-train/runs/{}-{}",
                                          array_id.get<std::int64_t>(), i)}));
    // Each task's own log shows the overrides it received.
    const std::string lr = task["arguments"][0].get<std::string>().substr(13);
    const std::string model = task["arguments"][1].get<std::string>().substr(6);
    auto log = sortie("logs " + std::to_string(task["id"].get<std::int64_t>()) + " --tail 3");
    EXPECT_EQ(log.status, 0) << log.output;
    EXPECT_THAT(log.output, HasSubstr("done: model=" + model + " optimizer=adam lr=" + lr + " "));
  }

  // One task again, as a single job with its own overrides.
  auto rerun = sortie("rerun " + std::to_string(submitted.tasks[3]));
  const auto rerun_id = submitted_id(rerun);
  auto job = wait_for(rerun_id, "COMPLETED");
  EXPECT_EQ(job["rerun_of"], submitted.tasks[3]);
  EXPECT_TRUE(job["sweep_id"].is_null());
  auto log = sortie("logs " + std::to_string(rerun_id) + " --tail 3");
  EXPECT_THAT(log.output, HasSubstr("done: model=small optimizer=adam lr=0.01 "));
}

TEST_P(SweepOnSandbox, ASweepWithoutMultirunIsRefusedWithHydrasMessageAndRecordsNothing) {
  auto refused = sortie("submit tiny --cluster sandbox --partition debug -- optimizer.lr=0.1,0.01");
  EXPECT_NE(refused.status, 0);
  EXPECT_THAT(refused.output, HasSubstr("Ambiguous value for argument 'optimizer.lr=0.1,0.01'"));
  EXPECT_THAT(refused.output, HasSubstr("--multirun"));
  auto bad = sortie("submit tiny --cluster sandbox --partition debug -m -- model=large,tiny");
  EXPECT_NE(bad.status, 0);
  EXPECT_THAT(bad.output, HasSubstr("job #1 of 2"));
  auto listed = sortie_stdout("jobs --json");
  EXPECT_EQ(nlohmann::json::parse(listed.output)["jobs"].size(), 0u);
}

// A script that prints its arguments and sleeps `sleep=S` seconds.
constexpr const char* kSleeper =
    "import sys, time\n"
    "args = dict(a.split('=', 1) for a in sys.argv[1:])\n"
    "print('args', sys.argv[1:], flush=True)\n"
    "time.sleep(float(args.get('sleep', 0)))\n";

class SweepCancelOnSandbox : public SweepOnSandbox {
 protected:
  SweepCancelOnSandbox() : SweepOnSandbox(kSleeper) {}
};

TEST_P(SweepCancelOnSandbox, CancelOfOneTaskLeavesTheOthersAndCancelOfTheSweepEndsThemAll) {
  auto submitted = submit_sweep("-m --parallel 2 -- sleep=120 i=0,1,2,3");
  ASSERT_EQ(submitted.tasks.size(), 4u);
  // Tasks 0 and 1 run; 2 and 3 wait for the limit.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::vector<nlohmann::json> tasks;
  while (std::chrono::steady_clock::now() < deadline) {
    ASSERT_EQ(sortie("jobs --refresh --limit 1").status, 0);
    tasks = tasks_of(submitted.sweep);
    if (tasks.size() == 4 && tasks[0]["state"] == "RUNNING" && tasks[1]["state"] == "RUNNING")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ASSERT_EQ(tasks.size(), 4u);
  EXPECT_EQ(tasks[2]["state"], "PENDING");
  EXPECT_EQ(tasks[2]["reason"], "JobArrayTaskLimit");

  // One running task and one pending task, each on its own.
  auto one = sortie("cancel " + std::to_string(submitted.tasks[1]));
  EXPECT_EQ(one.status, 0) << one.output;
  EXPECT_THAT(one.output, HasSubstr("_1)"));
  auto pending = sortie("cancel " + std::to_string(submitted.tasks[3]));
  EXPECT_EQ(pending.status, 0) << pending.output;
  wait_for(submitted.tasks[1], "CANCELLED", std::chrono::seconds(30));
  wait_for(submitted.tasks[3], "CANCELLED", std::chrono::seconds(30));
  tasks = tasks_of(submitted.sweep);
  EXPECT_EQ(tasks[0]["state"], "RUNNING");
  EXPECT_NE(tasks[2]["state"], "CANCELLED");

  // The rest at once.
  auto all = sortie("cancel --sweep " + submitted.sweep);
  EXPECT_EQ(all.status, 0) << all.output;
  EXPECT_THAT(all.output, HasSubstr("Asked SLURM to cancel sweep"));
  auto [ended, most_running] =
      wait_for_sweep(submitted.sweep, "CANCELLED", std::chrono::seconds(30));
  EXPECT_EQ(ended.size(), 4u);
  EXPECT_LE(most_running, 2);

  // Rerun only what did not complete: all four, as a new array of 4 (cancelled at once).
  auto rerun = sortie("rerun --sweep " + submitted.sweep + " --failed");
  EXPECT_EQ(rerun.status, 0) << rerun.output;
  EXPECT_THAT(rerun.output, HasSubstr("a rerun of sweep " + submitted.sweep));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(
      rerun.output, match, std::regex("Submitted sweep sortie-[0-9a-f]+ \\(([0-9a-f]{8})\\)")));
  const std::string again = match[1];
  EXPECT_EQ(sortie("cancel --sweep " + again).status, 0);
  auto rerun_tasks = tasks_of(again);
  ASSERT_EQ(rerun_tasks.size(), 4u);
  EXPECT_EQ(rerun_tasks[3]["arguments"], (nlohmann::json{"sleep=120", "i=3"}));
  EXPECT_EQ(rerun_tasks[3]["rerun_of"], submitted.tasks[3]);
  for (const auto& task : rerun_tasks) m_submitted.push_back(task["id"].get<std::int64_t>());
}

SORTIE_ON_EACH_SANDBOX(SweepOnSandbox);
SORTIE_ON_EACH_SANDBOX(SweepCancelOnSandbox);

}  // namespace
}  // namespace sortie
