// The API's request bodies (json/api.hpp): each reader names the field that is wrong and what
// to send instead, and never throws.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sortie/json/api.hpp"

namespace sortie::json {
namespace {

using ::testing::HasSubstr;

template <typename T>
std::string message(const core::Result<T>& result) {
  EXPECT_FALSE(result) << "expected a refusal";
  if (result) return "";
  EXPECT_EQ(result.error().code, core::ErrorCode::invalid_argument);
  return result.error().message;
}

TEST(RegistrationBody, ReadsEveryField) {
  auto read = read_registration(
      R"({"path": "/src/tiny", "name": "tiny", "entry_command": "python3 train.py",
          "setup": ["module load cuda"], "default_cluster": "sandbox"})");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->path, "/src/tiny");
  EXPECT_EQ(read->name, "tiny");
  EXPECT_EQ(read->entry_command, "python3 train.py");
  EXPECT_EQ(read->setup, std::vector<std::string>{"module load cuda"});
  EXPECT_EQ(read->default_cluster, "sandbox");
}

TEST(RegistrationBody, RequiresAPath) {
  EXPECT_THAT(message(read_registration(R"({"name": "tiny"})")), HasSubstr("'path' is required"));
}

TEST(RegistrationBody, RefusesAnUnknownFieldNamingTheKnownOnes) {
  auto refused = message(read_registration(R"({"path": "/src/tiny", "pth": 1})"));
  EXPECT_THAT(refused, HasSubstr("unknown field 'pth'"));
  EXPECT_THAT(refused, HasSubstr("path, name, entry_command"));
}

TEST(RegistrationBody, RefusesAWrongType) {
  EXPECT_THAT(message(read_registration(R"({"path": 12})")),
              HasSubstr("field 'path' must be a string"));
  EXPECT_THAT(message(read_registration(R"({"path": "/x", "setup": "module load cuda"})")),
              HasSubstr("field 'setup' must be a list of strings"));
  EXPECT_THAT(message(read_registration(R"({"path": "/x", "setup": ["ok", 3]})")),
              HasSubstr("field 'setup' must be a list of strings"));
}

TEST(RequestBodies, RefuseTextThatIsNotJson) {
  EXPECT_THAT(message(read_registration("{\"path\": ")), HasSubstr("not valid JSON"));
  EXPECT_THAT(message(read_launch("")), HasSubstr("not valid JSON"));
  EXPECT_THAT(message(read_token("token=abc")), HasSubstr("not valid JSON"));
}

TEST(RequestBodies, RefuseJsonThatIsNotAnObject) {
  EXPECT_THAT(message(read_registration(R"(["/src/tiny"])")), HasSubstr("must be a JSON object"));
  EXPECT_THAT(message(read_launch("42")), HasSubstr("must be a JSON object"));
  EXPECT_THAT(message(read_project_patch("null")), HasSubstr("must be a JSON object"));
}

TEST(ProjectPatchBody, LeavesAbsentFieldsUnchanged) {
  auto read = read_project_patch("{}");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_FALSE(read->entry_command);
  EXPECT_FALSE(read->setup);
  EXPECT_FALSE(read->default_cluster);
}

TEST(ProjectPatchBody, ClearsTheDefaultClusterOnNull) {
  auto read = read_project_patch(R"({"default_cluster": null})");
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_TRUE(read->default_cluster);
  EXPECT_FALSE(*read->default_cluster);
}

TEST(ProjectPatchBody, SetsTheDefaultCluster) {
  auto read = read_project_patch(R"({"default_cluster": "sandbox", "setup": []})");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->default_cluster, std::optional<std::string>("sandbox"));
  EXPECT_EQ(read->setup, std::vector<std::string>{});
}

TEST(ProjectPatchBody, RefusesAnEmptyEntryCommand) {
  EXPECT_THAT(message(read_project_patch(R"({"entry_command": ""})")),
              HasSubstr("'entry_command' must not be empty"));
}

TEST(ProjectPatchBody, RefusesFieldsOnlyRegistrationTakes) {
  EXPECT_THAT(message(read_project_patch(R"({"path": "/elsewhere"})")),
              HasSubstr("unknown field 'path'"));
}

TEST(LaunchBody, ReadsTheResources) {
  auto read = read_launch(
      R"({"project_id": 3, "cluster": "sandbox", "partition": "debug", "gpu_type": "a100",
          "gpus": 2, "nodes": 1, "cpus_per_task": 4, "memory": "8G", "time": "00:10:00",
          "name": "run", "arguments": ["optimizer.lr=0.1"], "mode": "git",
          "multirun": true, "paired": false, "parallelism": 2})");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->project_id, 3);
  EXPECT_EQ(read->cluster, "sandbox");
  EXPECT_EQ(read->spec.partition, "debug");
  EXPECT_EQ(read->spec.gpus, "a100:2");
  EXPECT_EQ(read->spec.nodes, 1);
  EXPECT_EQ(read->spec.cpus_per_task, 4);
  EXPECT_EQ(read->spec.arguments, std::vector<std::string>{"optimizer.lr=0.1"});
  EXPECT_TRUE(read->multirun);
  EXPECT_FALSE(read->paired);
  EXPECT_EQ(read->parallelism, 2);
}

TEST(LaunchBody, ReadsAGpuCountWithoutAType) {
  auto read = read_launch(R"({"project_id": 1, "gpus": 4})");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(read->spec.gpus, "4");
}

TEST(LaunchBody, RequiresAProjectId) {
  EXPECT_THAT(message(read_launch(R"({"partition": "debug"})")),
              HasSubstr("'project_id' is required"));
  EXPECT_THAT(message(read_launch(R"({"project_id": null})")),
              HasSubstr("'project_id' is required"));
}

TEST(LaunchBody, RefusesAProjectIdThatIsNotAPositiveInteger) {
  EXPECT_THAT(message(read_launch(R"({"project_id": "3"})")),
              HasSubstr("field 'project_id' must be an integer"));
  EXPECT_THAT(message(read_launch(R"({"project_id": 1.5})")),
              HasSubstr("field 'project_id' must be an integer"));
  EXPECT_THAT(message(read_launch(R"({"project_id": 0})")),
              HasSubstr("field 'project_id' must be between 1 and"));
  EXPECT_THAT(message(read_launch(R"({"project_id": -7})")),
              HasSubstr("field 'project_id' must be between 1 and"));
}

TEST(LaunchBody, RefusesIntegersOutOfRange) {
  EXPECT_THAT(message(read_launch(R"({"project_id": 1, "gpus": 1025})")),
              HasSubstr("field 'gpus' must be between 0 and 1024"));
  EXPECT_THAT(message(read_launch(R"({"project_id": 1, "nodes": 0})")),
              HasSubstr("field 'nodes' must be between 1 and 100000"));
  EXPECT_THAT(message(read_launch(R"({"project_id": 1, "parallelism": 2147483648})")),
              HasSubstr("field 'parallelism' must be between 1 and 2147483647"));
}

TEST(LaunchBody, RefusesIntegersBeyondSixtyFourBits) {
  EXPECT_THAT(message(read_launch(R"({"project_id": 18446744073709551615})")),
              HasSubstr("field 'project_id' must be between 1 and"));
  EXPECT_THAT(message(read_launch(R"({"project_id": 1, "cpus_per_task": 99999999999999999999})")),
              HasSubstr("cpus_per_task"));
}

TEST(LaunchBody, RefusesWrongTypes) {
  EXPECT_THAT(message(read_launch(R"({"project_id": 1, "multirun": "yes"})")),
              HasSubstr("field 'multirun' must be true or false"));
  EXPECT_THAT(message(read_launch(R"({"project_id": 1, "arguments": "lr=1"})")),
              HasSubstr("field 'arguments' must be a list of strings"));
  EXPECT_THAT(message(read_launch(R"({"project_id": 1, "partition": ["debug"]})")),
              HasSubstr("field 'partition' must be a string"));
}

TEST(LaunchBody, RefusesAnUnknownField) {
  EXPECT_THAT(message(read_launch(R"({"project_id": 1, "gpu": 2})")),
              HasSubstr("unknown field 'gpu'"));
}

TEST(HydraBody, TakesEveryFieldAsOptional) {
  auto read = read_hydra("{}");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_FALSE(read->project_id);
  EXPECT_TRUE(read->overrides.empty());
}

TEST(HydraBody, RefusesOverridesThatAreNotStrings) {
  EXPECT_THAT(message(read_hydra(R"({"overrides": [1, 2]})")),
              HasSubstr("field 'overrides' must be a list of strings"));
}

TEST(TokenBody, ReadsTheToken) {
  auto read = read_token(R"({"token": "sortie_abc"})");
  ASSERT_TRUE(read) << read.error().message;
  EXPECT_EQ(*read, "sortie_abc");
}

TEST(TokenBody, RequiresANonEmptyToken) {
  EXPECT_THAT(message(read_token("{}")), HasSubstr("'token' is required"));
  EXPECT_THAT(message(read_token(R"({"token": ""})")), HasSubstr("'token' is required"));
  EXPECT_THAT(message(read_token(R"({"token": 5})")), HasSubstr("field 'token' must be a string"));
}

TEST(ErrorDocument, EscapesTheMessageAsJsonText) {
  const auto document = error_document("invalid_argument", "bad \"name\" <script>\n");
  EXPECT_EQ(document.find('\n'), std::string::npos);
  EXPECT_THAT(document, HasSubstr(R"(\"name\")"));
  EXPECT_THAT(document, HasSubstr(R"("code")"));
}

}  // namespace
}  // namespace sortie::json
