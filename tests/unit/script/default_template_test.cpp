// The default template: the copy built into the binary matches templates/, every rendering is
// valid bash, and the rendered script really delivers the code and runs the entry command with
// exactly the arguments given, in a temporary directory standing in for the cluster.
#include "sortie/script/default_template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sortie/remote/quote.hpp"
#include "sortie/script/render.hpp"

namespace sortie::script {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

std::string read_file(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  EXPECT_TRUE(file.good()) << "cannot read " << path;
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream file(path, std::ios::binary);
  file << content;
  ASSERT_TRUE(file.good()) << "cannot write " << path;
}

// Runs `command` with /bin/sh; returns its exit status.
int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A directory standing in for the cluster's workspace, removed afterwards.
class TemplateRun : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sortie-template-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    m_root = pattern;
  }
  void TearDown() override { fs::remove_all(m_root); }

  ScriptContext job(const std::string& id) {
    ScriptContext context;
    context.resources.job_name = "train";
    context.resources.partition = "gpu";
    context.submission_key = "key-" + id;
    context.cluster = "sandbox";
    context.project = "mnist";
    context.workspace_dir = m_root.string();
    context.job_dir = (m_root / "jobs" / id).string();
    context.code_dir = (m_root / "jobs" / id / "code").string();
    fs::create_directories(context.job_dir);
    // The fake program records its argv (NUL-separated), its directory and some environment.
    write_file(fs::path(context.job_dir) / "fake.sh",
               "printf '%s\\0' \"$@\" > \"$SORTIE_JOB_DIR/argv.${SLURM_ARRAY_TASK_ID:-x}\"\n"
               "printf '%s\\n' \"$PWD\" \"${FROM_SETUP:-}\" \"${WANDB_PROJECT:-}\" "
               "> \"$SORTIE_JOB_DIR/seen\"\n"
               "exit \"${FAKE_EXIT:-0}\"\n");
    context.entry_command = "bash {{job_dir}}/fake.sh";
    return context;
  }

  // Renders the default template for `context`, runs it with bash as SLURM would (with
  // `environment`, from the job dir) and returns bash's exit status.
  int run(const ScriptContext& context, const std::string& environment = "SLURM_JOB_ID=42") {
    auto script = render(default_template(), context);
    EXPECT_TRUE(script) << script.error().message;
    if (!script) return -1;
    const fs::path job_dir = context.job_dir;
    write_file(job_dir / "job.sbatch", *script);
    return shell("cd " + remote::quote(job_dir.string()) + " && env -u SLURM_ARRAY_TASK_ID " +
                 environment + " bash job.sbatch > out.log 2> err.log");
  }

  std::string log(const ScriptContext& context, const std::string& name) {
    return read_file(fs::path(context.job_dir) / name);
  }

  static std::string nul_joined(const std::vector<std::string>& words) {
    std::string joined;
    for (const auto& word : words) joined += word + '\0';
    return joined;
  }

  // A snapshot tar of a small tree holding train.py.
  std::string make_snapshot() {
    const fs::path tree = m_root / "tree";
    fs::create_directories(tree / "pkg");
    write_file(tree / "train.py", "print('hi')\n");
    write_file(tree / "pkg" / "model.py", "\n");
    const fs::path tar = m_root / "snapshot.tar";
    EXPECT_EQ(shell("tar -cf " + remote::quote(tar.string()) + " -C " +
                    remote::quote(tree.string()) + " ."),
              0);
    return tar.string();
  }

  // A git repository with one commit; returns its id.
  std::string make_repository(const std::string& content) {
    const fs::path repository = m_root / "origin";
    fs::create_directories(repository);
    write_file(repository / "train.py", content);
    const std::string git = "git -C " + remote::quote(repository.string()) +
                            " -c user.name=t -c user.email=t@example.com ";
    EXPECT_EQ(shell("(" + git + "init -q 2>/dev/null || true) && " + git + "add -A && " + git +
                    "commit -q -m c"),
              0);
    EXPECT_EQ(shell(git + "rev-parse HEAD > " + remote::quote((m_root / "head").string())), 0);
    std::string head = read_file(m_root / "head");
    while (!head.empty() && head.back() == '\n') head.pop_back();
    return head;
  }

  fs::path m_root;
};

const std::vector<std::string> kHostileArguments = {"it's",
                                                    "$(touch pwned)",
                                                    "`touch pwned2`",
                                                    "two\nlines",
                                                    " spaced  out ",
                                                    "",
                                                    "--flag=a b",
                                                    "*",
                                                    "\\",
                                                    "\"dq\"",
                                                    "$HOME",
                                                    "semi;colon",
                                                    "ünïcode",
                                                    "-"};

TEST(TemplateDefault, IsByteIdenticalToTheShippedFile) {
  EXPECT_EQ(default_template().text,
            read_file(SORTIE_TEST_DATA "/../../templates/default.sbatch.mustache"));
  EXPECT_EQ(default_template().file_name, "default.sbatch.mustache");
}

TEST_F(TemplateRun, RendersValidBashForEveryKindOfJob) {
  const std::string tar = make_snapshot();
  std::vector<ScriptContext> contexts;
  ScriptContext git = job("git");
  git.delivery = CodeDelivery::git;
  git.commit = std::string(40, 'a');
  git.repository_url = "https://example.com/x y.git";
  git.clone_cache_dir = (m_root / "cache" / "mnist.git").string();
  contexts.push_back(git);

  ScriptContext everything = git;
  everything.resources.gpu_type = "h100";
  everything.resources.gpus_per_node = 8;
  everything.resources.nodes = 2;
  everything.resources.tasks_per_node = 1;
  everything.resources.ntasks = 2;
  everything.resources.cpus_per_task = 16;
  everything.resources.memory = "64G";
  everything.resources.time_limit = std::chrono::minutes{600};
  everything.resources.account = "lab";
  everything.resources.qos = "high";
  everything.resources.constraint = "ib&a100";
  everything.resources.array = "0-5%2";
  everything.resources.extra_sbatch_lines = {"#SBATCH --exclusive"};
  everything.setup_lines = {"module load cuda/12 || true", "if true; then :; fi"};
  everything.entry_command = "torchrun --nproc_per_node={{gpus_per_node}} train.py";
  everything.arguments = kHostileArguments;
  everything.environment = {{"WANDB_PROJECT", "it's $(x)"}};
  everything.task_arguments_dir = everything.job_dir + "/overrides";
  contexts.push_back(everything);

  ScriptContext snapshot = job("snapshot");
  snapshot.delivery = CodeDelivery::snapshot;
  snapshot.snapshot_path = tar;
  contexts.push_back(snapshot);
  snapshot.snapshot_hash = "sha256:0f";
  snapshot.commit = std::string(64, 'b');
  contexts.push_back(snapshot);

  for (std::size_t i = 0; i < contexts.size(); ++i) {
    auto script = render(default_template(), contexts[i]);
    ASSERT_TRUE(script) << script.error().message;
    const fs::path file = m_root / ("check-" + std::to_string(i) + ".sh");
    write_file(file, *script);
    EXPECT_EQ(shell("bash -n " + remote::quote(file.string())), 0) << *script;
    EXPECT_THAT(*script, Not(HasSubstr("\n\n\n"))) << "skipped sections leave blank lines";
  }
}

TEST_F(TemplateRun, RunsTheEntryCommandWithExactlyTheHostileArgumentsGiven) {
  ScriptContext context = job("1");
  context.delivery = CodeDelivery::snapshot;
  context.snapshot_path = make_snapshot();
  context.snapshot_hash = "sha256:feed";
  context.arguments = kHostileArguments;
  context.project = "x'; touch pwned3; echo '";
  context.setup_lines = {"export FROM_SETUP=\"set up in $PWD\""};
  context.environment = {{"WANDB_PROJECT", "it's $(touch pwned4) `x`"}};

  ASSERT_EQ(run(context), 0) << log(context, "err.log");
  EXPECT_EQ(log(context, "argv.x"), nul_joined(kHostileArguments));
  EXPECT_EQ(log(context, "seen"),
            context.code_dir + "\nset up in " + context.code_dir + "\nit's $(touch pwned4) `x`\n");
  EXPECT_TRUE(fs::exists(fs::path(context.code_dir) / "pkg" / "model.py"));
  const std::string out = log(context, "out.log");
  EXPECT_TRUE(out.starts_with("sortie: job 42 task none on ")) << out;
  EXPECT_THAT(out, HasSubstr("runs snapshot sha256:feed (based on commit none)\n"));
  EXPECT_THAT(out, HasSubstr("sortie: entry command exited with status 0\n"));
  for (const char* pwned : {"pwned", "pwned2", "pwned3", "pwned4"}) {
    EXPECT_FALSE(fs::exists(fs::path(context.code_dir) / pwned)) << pwned;
    EXPECT_FALSE(fs::exists(fs::path(context.job_dir) / pwned)) << pwned;
  }
}

TEST_F(TemplateRun, AppendsThePerTaskArgumentFileOfAnArrayTask) {
  ScriptContext context = job("array");
  context.delivery = CodeDelivery::snapshot;
  context.snapshot_path = make_snapshot();
  context.resources.array = "0-1";
  context.arguments = {"+experiment=base", "it's"};
  context.task_arguments_dir = context.job_dir + "/overrides";
  fs::create_directories(*context.task_arguments_dir);
  const std::vector<std::string> task_arguments = {"lr=0.1", "name=$(x) `y` 'z'", "", "  spaced  "};
  auto file = task_arguments_file(task_arguments);
  ASSERT_TRUE(file);
  write_file(fs::path(*context.task_arguments_dir) / "1", *file);

  ASSERT_EQ(run(context, "SLURM_ARRAY_JOB_ID=7 SLURM_ARRAY_TASK_ID=1 SLURM_JOB_ID=8"), 0)
      << log(context, "err.log");
  std::vector<std::string> expected = context.arguments;
  expected.insert(expected.end(), task_arguments.begin(), task_arguments.end());
  EXPECT_EQ(log(context, "argv.1"), nul_joined(expected));

  // A task without its file fails clearly instead of running with the wrong arguments.
  EXPECT_EQ(run(context, "SLURM_ARRAY_TASK_ID=0 SLURM_JOB_ID=9"), 1);
  EXPECT_THAT(log(context, "err.log"), HasSubstr("sortie: no argument file"));
  EXPECT_FALSE(fs::exists(fs::path(context.job_dir) / "argv.0"));
}

TEST_F(TemplateRun, PassesTheEntryCommandsExitStatusOn) {
  ScriptContext context = job("fails");
  context.delivery = CodeDelivery::snapshot;
  context.snapshot_path = make_snapshot();
  EXPECT_EQ(run(context, "SLURM_JOB_ID=5 FAKE_EXIT=3"), 3);
  EXPECT_THAT(log(context, "out.log"), HasSubstr("sortie: entry command exited with status 3\n"));
}

TEST_F(TemplateRun, ClonesTheExactCommitThroughTheCloneCache) {
  const std::string first = make_repository("print(1)\n");
  ScriptContext context = job("g1");
  context.delivery = CodeDelivery::git;
  context.commit = first;
  context.repository_url = (m_root / "origin").string();
  context.clone_cache_dir = (m_root / "cache" / "mnist.git").string();
  context.arguments = {"a b"};
  ASSERT_EQ(run(context), 0) << log(context, "err.log");
  EXPECT_EQ(read_file(fs::path(context.code_dir) / "train.py"), "print(1)\n");
  EXPECT_THAT(log(context, "out.log"), HasSubstr("runs commit " + first + " of "));
  EXPECT_EQ(log(context, "argv.x"), nul_joined({"a b"}));
  EXPECT_TRUE(fs::exists(context.clone_cache_dir + "/HEAD")) << "the cache is a bare mirror";

  // A later commit: the second job updates the cache and checks out exactly that commit.
  const std::string second = make_repository("print(2)\n");
  ScriptContext later = job("g2");
  later.delivery = CodeDelivery::git;
  later.commit = second;
  later.repository_url = context.repository_url;
  later.clone_cache_dir = context.clone_cache_dir;
  ASSERT_EQ(run(later), 0) << log(later, "err.log");
  EXPECT_EQ(read_file(fs::path(later.code_dir) / "train.py"), "print(2)\n");
  EXPECT_EQ(
      shell("test \"$(git -C " + remote::quote(later.code_dir) + " rev-parse HEAD)\" = " + second),
      0);

  // Re-running the job (a requeue) keeps the delivered code as it is.
  write_file(fs::path(later.code_dir) / "checkpoint.pt", "state");
  ASSERT_EQ(run(later), 0) << log(later, "err.log");
  EXPECT_TRUE(fs::exists(fs::path(later.code_dir) / "checkpoint.pt"));

  // The first job's commit still checks out exactly, from the cache.
  ScriptContext again = job("g3");
  again.delivery = CodeDelivery::git;
  again.commit = first;
  again.repository_url = context.repository_url;
  again.clone_cache_dir = context.clone_cache_dir;
  ASSERT_EQ(run(again), 0) << log(again, "err.log");
  EXPECT_EQ(read_file(fs::path(again.code_dir) / "train.py"), "print(1)\n");
}

TEST_F(TemplateRun, FailsClearlyWhenTheCommitWasNeverPushed) {
  make_repository("print(1)\n");
  ScriptContext context = job("missing");
  context.delivery = CodeDelivery::git;
  context.commit = std::string(40, 'd');
  context.repository_url = (m_root / "origin").string();
  context.clone_cache_dir = (m_root / "cache" / "mnist.git").string();
  EXPECT_EQ(run(context), 1);
  EXPECT_THAT(log(context, "err.log"),
              HasSubstr("sortie: commit " + context.commit + " is not in " +
                        context.repository_url + ": push it"));
  EXPECT_FALSE(fs::exists(fs::path(context.job_dir) / "argv.x"));
}

}  // namespace
}  // namespace sortie::script
