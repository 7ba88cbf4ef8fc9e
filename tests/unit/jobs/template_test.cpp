// Choosing a job's sbatch template: the project's, else the cluster's, else the built-in one.

#include "sortie/jobs/template.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "../store/temp_dir.hpp"
#include "sortie/script/default_template.hpp"

namespace sortie::jobs {
namespace {

using ::testing::HasSubstr;

class TemplateChoice : public ::testing::Test {
 protected:
  void SetUp() override {
    m_project.name = "tiny";
    m_cluster.name = "della";
    m_cluster.host = "della";
  }

  std::string write(const std::string& name, const std::string& text) {
    const auto path = (m_dir.path() / name).string();
    std::ofstream(path) << text;
    return path;
  }

  store::testing::TempDir m_dir;
  store::Project m_project;
  config::Cluster m_cluster;
};

TEST_F(TemplateChoice, UsesTheBuiltInOneWhenNeitherNamesOne) {
  auto chosen = choose_template(m_project, m_cluster);
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ(chosen->script_template.text, script::default_template().text);
  EXPECT_EQ(chosen->chosen_by, "built in");
}

TEST_F(TemplateChoice, TheClusterBeatsTheBuiltInOneAndTheProjectBeatsTheCluster) {
  m_cluster.template_path = write("cluster.sbatch.mustache", "#!/bin/bash\n# cluster\n");
  auto chosen = choose_template(m_project, m_cluster);
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ(chosen->script_template.text, "#!/bin/bash\n# cluster\n");
  EXPECT_EQ(chosen->script_template.file_name, *m_cluster.template_path);

  m_project.settings.template_path = write("project.sbatch.mustache", "#!/bin/bash\n# project\n");
  chosen = choose_template(m_project, m_cluster);
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ(chosen->script_template.text, "#!/bin/bash\n# project\n");
  EXPECT_EQ(chosen->script_template.file_name, *m_project.settings.template_path);
  EXPECT_EQ(chosen->chosen_by, "project 'tiny'");
}

TEST_F(TemplateChoice, AMissingFileNamesTheFileAndWhoNamedIt) {
  m_cluster.template_path = (m_dir.path() / "gone.mustache").string();
  auto chosen = choose_template(m_project, m_cluster);
  ASSERT_FALSE(chosen);
  EXPECT_EQ(chosen.error().code, core::ErrorCode::not_found);
  EXPECT_THAT(chosen.error().message, HasSubstr(*m_cluster.template_path));
  EXPECT_THAT(chosen.error().message, HasSubstr("cluster 'della'"));

  m_project.settings.template_path = m_dir.path().string();
  chosen = choose_template(m_project, m_cluster);
  ASSERT_FALSE(chosen);
  EXPECT_THAT(chosen.error().message, HasSubstr(m_dir.path().string()));
  EXPECT_THAT(chosen.error().message, HasSubstr("project 'tiny'"));
  EXPECT_THAT(chosen.error().message, HasSubstr("sortie projects set tiny --template"));
}

}  // namespace
}  // namespace sortie::jobs
