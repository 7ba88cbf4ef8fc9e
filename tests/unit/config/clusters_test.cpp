#include "sortie/config/clusters.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sortie::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Clusters, ReadsTheSeedFormat) {
  auto clusters = parse_clusters(R"(
clusters:
  - name: della
    host: alice@della.princeton.edu
    ssh_key_path: ~/.ssh/id_ed25519
    workspace: /scratch/alice/sortie
    allowed_partitions: [gpu, pli]
    allowed_gpu_types:
      - a100
      - h100
)",
                                 "clusters.yaml");
  ASSERT_TRUE(clusters) << clusters.error().message;
  ASSERT_EQ(clusters->clusters.size(), 1u);
  const Cluster& della = clusters->clusters[0];
  EXPECT_EQ(della.name, "della");
  EXPECT_EQ(della.user(), "alice");
  EXPECT_EQ(della.hostname(), "della.princeton.edu");
  EXPECT_EQ(della.ssh_key_path, "~/.ssh/id_ed25519");
  EXPECT_EQ(della.workspace, "/scratch/alice/sortie");
  EXPECT_THAT(della.allowed_partitions, ElementsAre("gpu", "pli"));
  EXPECT_THAT(della.allowed_gpu_types, ElementsAre("a100", "h100"));
  EXPECT_FALSE(della.port);
  EXPECT_FALSE(della.is_local());
}

TEST(Clusters, ReadsTemplatePathsRelativeToTheFileWithTildeExpanded) {
  auto clusters = parse_clusters(R"(
clusters:
  - name: relative
    host: h
    template: templates/../slurm/della.sbatch.mustache
  - name: absolute
    host: h
    template: /srv/templates/t.mustache
  - name: home
    host: h
    template: ~/t.mustache
  - name: none
    host: h
)",
                                 "/etc/sortie/clusters.yaml");
  ASSERT_TRUE(clusters) << clusters.error().message;
  EXPECT_EQ(clusters->clusters[0].template_path, "/etc/sortie/slurm/della.sbatch.mustache");
  EXPECT_EQ(clusters->clusters[1].template_path, "/srv/templates/t.mustache");
  EXPECT_EQ(clusters->clusters[2].template_path, expand_home("~/t.mustache"));
  EXPECT_TRUE(clusters->clusters[2].template_path->starts_with("/"));
  EXPECT_FALSE(clusters->clusters[3].template_path);
}

TEST(Clusters, ReadsPortProxyJumpKnownHostsAndLocal) {
  auto clusters = parse_clusters(R"(
clusters:
  - name: behind-bastion
    host: cluster-alias
    port: 2222
    proxy_jump: bob@bastion.example.org:22
    known_hosts: /etc/sortie/known_hosts
  - name: here
    host: local
)",
                                 "c.yaml");
  ASSERT_TRUE(clusters) << clusters.error().message;
  const Cluster& remote = clusters->clusters[0];
  EXPECT_EQ(remote.port, 2222);
  EXPECT_EQ(remote.proxy_jump, "bob@bastion.example.org:22");
  EXPECT_EQ(remote.known_hosts, "/etc/sortie/known_hosts");
  EXPECT_FALSE(remote.user());
  EXPECT_EQ(remote.workspace, "~/sortie");
  EXPECT_TRUE(clusters->clusters[1].is_local());
}

TEST(Clusters, EmptyFileMeansNoClusters) {
  auto clusters = parse_clusters("", "c.yaml");
  ASSERT_TRUE(clusters);
  EXPECT_TRUE(clusters->clusters.empty());
}

TEST(Clusters, UnknownKeyNamesFileLineAndKey) {
  auto clusters = parse_clusters("clusters:\n  - name: a\n    host: h\n    hots: typo\n", "c.yaml");
  ASSERT_FALSE(clusters);
  EXPECT_EQ(clusters.error().code, core::ErrorCode::config_invalid);
  EXPECT_THAT(clusters.error().message, HasSubstr("c.yaml:4: unknown key 'hots'"));
}

TEST(Clusters, WrongTypeNamesFileLineAndKey) {
  auto port = parse_clusters("clusters:\n  - name: a\n    host: h\n    port: ssh\n", "c.yaml");
  ASSERT_FALSE(port);
  EXPECT_THAT(port.error().message, HasSubstr("c.yaml:4: 'port' must be a whole number"));

  auto list = parse_clusters("clusters:\n  - name: a\n    host: h\n    allowed_partitions: gpu\n",
                             "c.yaml");
  ASSERT_FALSE(list);
  EXPECT_THAT(list.error().message, HasSubstr("c.yaml:4: 'allowed_partitions' must be a list"));

  auto host = parse_clusters("clusters:\n  - name: a\n    host: [h]\n", "c.yaml");
  ASSERT_FALSE(host);
  EXPECT_THAT(host.error().message, HasSubstr("c.yaml:3: 'host' must be a string"));
}

TEST(Clusters, PortOutOfRangeIsRefused) {
  auto clusters = parse_clusters("clusters:\n  - name: a\n    host: h\n    port: 70000\n", "c.yaml");
  ASSERT_FALSE(clusters);
  EXPECT_THAT(clusters.error().message, HasSubstr("from 1 to 65535"));
}

TEST(Clusters, MissingHostAndNameAreRefused) {
  auto no_host = parse_clusters("clusters:\n  - name: a\n", "c.yaml");
  ASSERT_FALSE(no_host);
  EXPECT_THAT(no_host.error().message, HasSubstr("c.yaml:2: cluster 'a' has no 'host'"));
  auto no_name = parse_clusters("clusters:\n  - host: h\n", "c.yaml");
  ASSERT_FALSE(no_name);
  EXPECT_THAT(no_name.error().message, HasSubstr("has no 'name'"));
}

TEST(Clusters, DuplicateNamesAreRefused) {
  auto clusters =
      parse_clusters("clusters:\n  - {name: a, host: h}\n  - {name: a, host: g}\n", "c.yaml");
  ASSERT_FALSE(clusters);
  EXPECT_THAT(clusters.error().message, HasSubstr("c.yaml:3: cluster name 'a' is used twice"));
}

TEST(Clusters, NamesAndHostsWithShellCharactersAreRefused) {
  auto name = parse_clusters("clusters:\n  - {name: 'a b', host: h}\n", "c.yaml");
  ASSERT_FALSE(name);
  EXPECT_THAT(name.error().message, HasSubstr("may use only letters"));
  auto host = parse_clusters("clusters:\n  - {name: a, host: 'h;rm -rf /'}\n", "c.yaml");
  ASSERT_FALSE(host);
  EXPECT_THAT(host.error().message, HasSubstr("is not a host name"));
}

TEST(Clusters, InvalidYamlNamesTheLine) {
  auto clusters = parse_clusters("clusters:\n  - name: a\n   host: [unclosed\n", "c.yaml");
  ASSERT_FALSE(clusters);
  EXPECT_THAT(clusters.error().message, HasSubstr("c.yaml:"));
  EXPECT_THAT(clusters.error().message, HasSubstr("not valid YAML"));
}

TEST(Clusters, UnknownTopLevelKeyIsRefused) {
  auto clusters = parse_clusters("cluster:\n  - {name: a, host: h}\n", "c.yaml");
  ASSERT_FALSE(clusters);
  EXPECT_THAT(clusters.error().message, HasSubstr("c.yaml:1: unknown top-level key 'cluster'"));
}

TEST(Clusters, FindListsConfiguredNamesWhenMissing) {
  auto clusters = parse_clusters("clusters:\n  - {name: a, host: h}\n  - {name: b, host: g}\n",
                                 "c.yaml");
  ASSERT_TRUE(clusters);
  EXPECT_EQ((*clusters->find("b"))->host, "g");
  auto missing = clusters->find("c");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::not_found);
  EXPECT_THAT(missing.error().message, HasSubstr("configured: a, b"));
}

TEST(Clusters, MissingFileSaysHowToCreateOne) {
  auto clusters = load_clusters("/nonexistent/sortie/clusters.yaml");
  ASSERT_FALSE(clusters);
  EXPECT_EQ(clusters.error().code, core::ErrorCode::not_found);
  EXPECT_THAT(clusters.error().message, HasSubstr("does not exist"));
}

}  // namespace
}  // namespace sortie::config
