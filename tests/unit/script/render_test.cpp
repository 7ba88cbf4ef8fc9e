#include "sortie/script/render.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sortie/script/default_template.hpp"

namespace sortie::script {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* kCommit = "0123456789abcdef0123456789abcdef01234567";

ScriptContext sample_context() {
  ScriptContext context;
  context.resources.job_name = "train";
  context.resources.partition = "gpu";
  context.resources.gpu_type = "h100";
  context.resources.gpus_per_node = 4;
  context.resources.nodes = 2;
  context.resources.time_limit = std::chrono::minutes{90};
  context.submission_key = "sortie-7f3a9c";
  context.cluster = "sandbox";
  context.project = "mnist";
  context.workspace_dir = "/scratch/alice/sortie";
  context.job_dir = "/scratch/alice/sortie/jobs/7f3a9c";
  context.code_dir = "/scratch/alice/sortie/jobs/7f3a9c/code";
  context.delivery = CodeDelivery::git;
  context.commit = kCommit;
  context.repository_url = "git@github.com:alice/mnist.git";
  context.clone_cache_dir = "/scratch/alice/sortie/cache/mnist.git";
  return context;
}

std::string rendered(const std::string& text, const ScriptContext& context = sample_context()) {
  auto result = render({text, "test.mustache"}, context);
  EXPECT_TRUE(result) << result.error().message;
  return result ? *result : "";
}

std::string refusal(const std::string& text, const ScriptContext& context = sample_context()) {
  auto result = render({text, "test.mustache"}, context);
  EXPECT_FALSE(result) << "rendered: " << *result;
  if (result) return "";
  EXPECT_EQ(result.error().code, core::ErrorCode::invalid_argument);
  return result.error().message;
}

TEST(ScriptRender, GivesEveryVariableItsValue) {
  ScriptContext context = sample_context();
  context.resources.tasks_per_node = 1;
  context.resources.ntasks = 2;
  context.resources.cpus_per_task = 8;
  context.resources.memory = "64G";
  context.resources.account = "lab";
  context.resources.qos = "high";
  context.resources.constraint = "ib";
  context.resources.array = "0-5%2";
  context.resources.extra_sbatch_lines = {"#SBATCH --exclusive", "#SBATCH --mail-type=END"};
  context.setup_lines = {"module load cuda/12", "source .venv/bin/activate"};
  context.entry_command = "torchrun --nproc_per_node={{gpus_per_node}} train.py";
  context.arguments = {"lr=0.1", "name=a b"};
  context.environment = {{"WANDB_PROJECT", "mnist"}, {"WANDB_RUN_GROUP", "it's"}};
  context.task_arguments_dir = "/scratch/alice/sortie/jobs/7f3a9c/overrides";
  const std::string text =
      "{{{job_name}}} {{{submission_key}}} {{{cluster}}} {{{project}}}\n"
      "{{{partition}}} {{{gpu_type}}} {{{gpus}}} {{{gpus_per_node}}} {{{total_gpus}}} {{{gres}}}\n"
      "{{{nodes}}} {{{tasks_per_node}}} {{{ntasks}}} {{{cpus_per_task}}} {{{memory}}}\n"
      "{{{time_limit}}} {{{account}}} {{{qos}}} {{{constraint}}} {{{array}}}\n"
      "{{#extra_sbatch_lines}}\n{{{.}}}\n{{/extra_sbatch_lines}}\n"
      "{{{workspace_dir}}} {{{job_dir}}} {{{code_dir}}}\n"
      "{{{stdout_path}}} {{{stderr_path}}}\n"
      "{{{delivery}}} {{#git}}git{{/git}}{{^snapshot}}!snapshot{{/snapshot}} {{{commit}}}\n"
      "{{{repository_url}}} {{{clone_cache_dir}}} [{{{snapshot_path}}}{{{snapshot_hash}}}]\n"
      "{{#setup_lines}}\n{{{.}}}\n{{/setup_lines}}\n"
      "{{{entry_command}}} {{{arguments_shell}}}\n"
      "{{#arguments}}<{{.}}>{{/arguments}}\n"
      "{{#environment}}\nexport {{name}}={{value}}\n{{/environment}}\n"
      "{{{task_arguments_dir}}}\n";
  EXPECT_EQ(rendered(text, context),
            "train sortie-7f3a9c sandbox mnist\n"
            "gpu h100 4 4 8 gpu:h100:4\n"
            "2 1 2 8 64G\n"
            "01:30:00 lab high ib 0-5%2\n"
            "#SBATCH --exclusive\n"
            "#SBATCH --mail-type=END\n"
            "/scratch/alice/sortie /scratch/alice/sortie/jobs/7f3a9c "
            "/scratch/alice/sortie/jobs/7f3a9c/code\n"
            "/scratch/alice/sortie/jobs/7f3a9c.%A_%a.out "
            "/scratch/alice/sortie/jobs/7f3a9c.%A_%a.err\n"
            "git git!snapshot 0123456789abcdef0123456789abcdef01234567\n"
            "git@github.com:alice/mnist.git /scratch/alice/sortie/cache/mnist.git []\n"
            "module load cuda/12\n"
            "source .venv/bin/activate\n"
            "torchrun --nproc_per_node=4 train.py 'lr=0.1' 'name=a b'\n"
            "<'lr=0.1'><'name=a b'>\n"
            "export WANDB_PROJECT=mnist\n"
            "export WANDB_RUN_GROUP='it'\\''s'\n"
            "/scratch/alice/sortie/jobs/7f3a9c/overrides\n");
}

TEST(ScriptRender, ListsEveryVariableAndDocumentsEachInTemplatesMd) {
  const std::vector<std::string> expected = {"account",
                                             "arguments",
                                             "arguments_shell",
                                             "array",
                                             "clone_cache_dir",
                                             "cluster",
                                             "code_dir",
                                             "commit",
                                             "constraint",
                                             "cpus_per_task",
                                             "delivery",
                                             "entry_command",
                                             "environment",
                                             "extra_sbatch_lines",
                                             "git",
                                             "gpu_type",
                                             "gpus",
                                             "gpus_per_node",
                                             "gres",
                                             "job_dir",
                                             "job_name",
                                             "memory",
                                             "nodes",
                                             "ntasks",
                                             "partition",
                                             "project",
                                             "qos",
                                             "repository_url",
                                             "setup_lines",
                                             "snapshot",
                                             "snapshot_hash",
                                             "snapshot_path",
                                             "stderr_path",
                                             "stdout_path",
                                             "submission_key",
                                             "task_arguments_dir",
                                             "tasks_per_node",
                                             "time_limit",
                                             "total_gpus",
                                             "workspace_dir"};
  EXPECT_EQ(variable_names(), expected);

  std::ifstream file(std::string(SORTIE_TEST_DATA) + "/../../docs/TEMPLATES.md");
  ASSERT_TRUE(file.good()) << "docs/TEMPLATES.md is missing";
  std::ostringstream docs;
  docs << file.rdbuf();
  for (const auto& name : variable_names()) {
    EXPECT_THAT(docs.str(), HasSubstr("| `" + name + "` |")) << name << " is not documented";
  }
}

TEST(ScriptRender, QuotesTwoBraceValuesForTheShell) {
  ScriptContext context = sample_context();
  context.project = "x'; touch pwned; echo '$(id) `id` \"q\"";
  EXPECT_EQ(rendered("P={{project}}", context),
            "P='x'\\''; touch pwned; echo '\\''$(id) `id` \"q\"'");
  context.project = "";
  EXPECT_EQ(rendered("P={{project}}", context), "P=''");
}

TEST(ScriptRender, GivesThreeBraceAndAmpersandValuesRaw) {
  ScriptContext context = sample_context();
  context.project = "a b$c";
  EXPECT_EQ(rendered("{{{project}}}|{{&project}}|{{project}}", context), "a b$c|a b$c|'a b$c'");
}

TEST(ScriptRender, OmitsSectionsOfUnsetValues) {
  EXPECT_EQ(rendered("{{#account}}\n#SBATCH --account={{{account}}}\n{{/account}}\nend\n"),
            "end\n");
  ScriptContext context = sample_context();
  context.resources.account = "lab";
  EXPECT_EQ(rendered("{{#account}}\n#SBATCH --account={{{account}}}\n{{/account}}\nend\n", context),
            "#SBATCH --account=lab\nend\n");
}

TEST(ScriptRender, DropsLinesHoldingOnlyACommentOrASectionTag) {
  EXPECT_EQ(rendered("a\n  {{! a note }}\nb\n{{#qos}}\nq\n{{/qos}}\n\nc\n"), "a\nb\n\nc\n");
  EXPECT_EQ(rendered("a\n{{#environment}}\nexport {{name}}\n{{/environment}}\nb\n"), "a\nb\n");
  EXPECT_THAT(refusal("{{#sortie-standalone-line}}{{/sortie-standalone-line}}"),
              HasSubstr("unknown variable"));
}

TEST(ScriptRender, RefusesAnUnknownVariableNamingFileLineAndTheCloseName) {
  EXPECT_EQ(refusal("#!/bin/bash\n#SBATCH --job-name={{{job_name}}}\n"
                    "#SBATCH --partition={{{partiton}}}\n"),
            "test.mustache:3: unknown variable 'partiton' in {{{partiton}}}; did you mean "
            "'partition'? (docs/TEMPLATES.md lists every variable)");
}

TEST(ScriptRender, RefusesAnUnknownSectionName) {
  EXPECT_THAT(refusal("a\n{{#acount}}x{{/acount}}\n"),
              HasSubstr("test.mustache:2: unknown variable 'acount'"));
}

TEST(ScriptRender, RefusesFieldNamesOutsideTheirListSection) {
  EXPECT_THAT(refusal("export {{name}}={{value}}\n"),
              HasSubstr("test.mustache:1: unknown variable 'name'"));
  EXPECT_THAT(refusal("{{.}}\n"), HasSubstr("'.' outside a list section"));
}

TEST(ScriptRender, RefusesAnUnclosedSectionNamingTheLineItOpens) {
  EXPECT_EQ(refusal("a\nb\n{{#account}}\nc\n"),
            "test.mustache:3: section 'account' is never closed (add {{/account}})");
}

TEST(ScriptRender, RefusesAMismatchedOrUnopenedClose) {
  EXPECT_THAT(refusal("{{#account}}\n{{#qos}}\n{{/account}}\n{{/qos}}\n"),
              HasSubstr("test.mustache:3: {{/account}} does not close section 'qos' opened on "
                        "line 2"));
  EXPECT_THAT(refusal("x\n{{/qos}}\n"),
              HasSubstr("test.mustache:2: {{/qos}} closes a section that was never opened"));
}

TEST(ScriptRender, RefusesAnUnterminatedTag) {
  EXPECT_THAT(refusal("a\nb {{job_name\n"), HasSubstr("test.mustache:2: tag '{{job_name"));
}

TEST(ScriptRender, RefusesPartialsAndDelimiterChanges) {
  EXPECT_THAT(refusal("{{> header}}"), HasSubstr("partials"));
  EXPECT_THAT(refusal("{{=<% %>=}}"), HasSubstr("changing delimiters"));
}

TEST(ScriptRender, RefusesTwoBracesOnAnSbatchLine) {
  EXPECT_THAT(refusal("#!/bin/bash\n#SBATCH --job-name={{job_name}}\n"),
              HasSubstr("test.mustache:2: {{job_name}} on an #SBATCH line: sbatch reads no shell "
                        "quoting, write {{{job_name}}}"));
}

TEST(ScriptRender, RefusesAValueThatWouldEscapeItsSbatchLine) {
  ScriptContext context = sample_context();
  context.resources.job_name = "x\n#SBATCH --qos=admin";
  EXPECT_THAT(refusal("#SBATCH --job-name={{{job_name}}}\necho {{job_name}}\n", context),
              HasSubstr("test.mustache:1: the value of 'job_name' ('x\n#SBATCH --qos=admin') "
                        "contains a line break: it cannot go on an #SBATCH line"));
  context.resources.job_name = "my run";
  EXPECT_THAT(refusal("{{#job_name}}#SBATCH -J {{{job_name}}}{{/job_name}}\n", context),
              HasSubstr("contains a space"));
  // The same value is fine where the shell reads it, quoted.
  EXPECT_EQ(rendered("echo {{job_name}}\n", context), "echo 'my run'\n");
}

TEST(ScriptRender, RefusesShellVariablesWithTwoBraces) {
  EXPECT_THAT(refusal("{{entry_command}}\n"),
              HasSubstr("variable 'entry_command' is shell by design and {{entry_command}} "
                        "would quote it into one word: write {{{entry_command}}}"));
  EXPECT_THAT(refusal("{{#setup_lines}}\n{{.}}\n{{/setup_lines}}\n"),
              HasSubstr("test.mustache:2: variable '.' is shell by design"));
}

TEST(ScriptRender, RendersTheEntryCommandAsATemplate) {
  ScriptContext context = sample_context();
  context.entry_command = "python -m mypkg.train --out {{job_dir}}/out";
  context.arguments = {"a b", "$(x)"};
  EXPECT_EQ(rendered("{{{entry_command}}} {{{arguments_shell}}}", context),
            "python -m mypkg.train --out /scratch/alice/sortie/jobs/7f3a9c/out 'a b' '$(x)'");
}

TEST(ScriptRender, NamesTheEntryCommandWhenItsTemplateIsWrong) {
  ScriptContext context = sample_context();
  context.entry_command = "torchrun --nproc_per_node={{gpus_per_nod}} train.py";
  EXPECT_THAT(refusal("{{{entry_command}}}", context),
              HasSubstr("entry command:1: unknown variable 'gpus_per_nod' in {{gpus_per_nod}}; did "
                        "you mean 'gpus_per_node'?"));
  context.entry_command = "python {{{entry_command}}}";
  EXPECT_THAT(refusal("{{{entry_command}}}", context), HasSubstr("entry command:1"));
  context = sample_context();
  context.setup_lines = {"module load x", "source {{venv}}"};
  EXPECT_THAT(refusal("{{{entry_command}}}", context), HasSubstr("setup line 2:1"));
}

TEST(ScriptRender, RefusesAMultiLineEntryCommand) {
  ScriptContext context = sample_context();
  context.entry_command = "cd x\npython train.py";
  EXPECT_THAT(refusal("{{{entry_command}}}", context), HasSubstr("spans several lines"));
}

TEST(ScriptRender, UsesJobIdLogPatternsOutsideArrays) {
  EXPECT_EQ(rendered("{{{stdout_path}}} {{{stderr_path}}}"),
            "/scratch/alice/sortie/jobs/7f3a9c.%j.out "
            "/scratch/alice/sortie/jobs/7f3a9c.%j.err");
}

TEST(ScriptRender, SetsSnapshotVariablesOnlyInSnapshotMode) {
  ScriptContext context = sample_context();
  context.delivery = CodeDelivery::snapshot;
  context.snapshot_path = "/scratch/alice/sortie/jobs/7f3a9c/code.tar";
  context.snapshot_hash = "sha256:abc";
  EXPECT_EQ(rendered("{{{delivery}}} {{#snapshot}}s{{/snapshot}}{{#git}}g{{/git}} "
                     "{{{snapshot_path}}} {{{snapshot_hash}}} [{{{repository_url}}}]",
                     context),
            "snapshot s /scratch/alice/sortie/jobs/7f3a9c/code.tar sha256:abc []");
}

TEST(ScriptRender, RefusesAnIncompleteOrUnsafeContextNamingTheField) {
  ScriptContext context = sample_context();
  context.job_dir = "~/sortie/jobs/1";
  EXPECT_THAT(refusal("x", context), HasSubstr("job dir '~/sortie/jobs/1' is not an absolute"));
  context = sample_context();
  context.job_dir = "/scratch/100%/jobs";
  EXPECT_THAT(refusal("x", context), HasSubstr("job dir '/scratch/100%/jobs' contains '%'"));
  context = sample_context();
  context.commit = "HEAD";
  EXPECT_THAT(refusal("x", context), HasSubstr("commit 'HEAD' is not a full"));
  context = sample_context();
  context.clone_cache_dir = "";
  EXPECT_THAT(refusal("x", context), HasSubstr("clone cache dir is empty"));
  context = sample_context();
  context.delivery = CodeDelivery::snapshot;
  EXPECT_THAT(refusal("x", context), HasSubstr("snapshot path is empty"));
  context = sample_context();
  context.environment = {{"BAD-NAME", "x"}};
  EXPECT_THAT(refusal("x", context), HasSubstr("'BAD-NAME' is not a shell identifier"));
  context = sample_context();
  context.arguments = {std::string("a\0b", 3)};
  EXPECT_THAT(refusal("x", context), HasSubstr("arguments contains a NUL byte"));
  context = sample_context();
  context.resources.extra_sbatch_lines = {"--exclusive"};
  EXPECT_THAT(refusal("x", context), HasSubstr("extra #SBATCH line '--exclusive'"));
}

TEST(ScriptRender, WritesTaskArgumentFilesOneArgumentPerLine) {
  EXPECT_EQ(task_arguments_file({"lr=0.1", "model=a b", ""}), "lr=0.1\nmodel=a b\n\n");
  auto refused = task_arguments_file({"ok", "two\nlines"});
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.error().message, HasSubstr("task argument 2"));
}

TEST(ScriptRender, RendersTheDefaultTemplateWithUnsetOptionsLeftOut) {
  auto script = render(default_template(), sample_context());
  ASSERT_TRUE(script) << script.error().message;
  EXPECT_TRUE(
      script->starts_with("#!/bin/bash -l\n#SBATCH --job-name=train\n"
                          "#SBATCH --comment=sortie-7f3a9c\n"
                          "#SBATCH --partition=gpu\n#SBATCH --nodes=2\n"
                          "#SBATCH --gres=gpu:h100:4\n#SBATCH --time=01:30:00\n"
                          "#SBATCH --output=/scratch/alice/sortie/jobs/7f3a9c.%j.out\n"
                          "#SBATCH --error=/scratch/alice/sortie/jobs/7f3a9c.%j.err\n"
                          "\n"))
      << *script;
  EXPECT_THAT(*script, Not(HasSubstr("--account")));
  EXPECT_THAT(*script, Not(HasSubstr("--array")));
  EXPECT_THAT(*script, Not(HasSubstr("mapfile")));
  EXPECT_THAT(*script, Not(HasSubstr("tar -xf")));
  EXPECT_THAT(*script, HasSubstr("\npython train.py  ${sortie_task_arguments[@]+"));
}

}  // namespace
}  // namespace sortie::script
