#include "sortie/cli/app.hpp"

#include <CLI/CLI.hpp>

#include "sortie/cli/context.hpp"
#include "sortie/cli/server_file.hpp"
#include "sortie/config/clusters.hpp"
#include "sortie/store/database.hpp"

namespace sortie::cli {

namespace {
constexpr const char* k_version = kVersion.data();
}  // namespace

int run(int argc, char** argv) {
  Context context;
  context.config_file = config::default_clusters_file().string();
  const char* home = std::getenv("HOME");
  context.db_file = store::Database::default_path(home && *home ? home : ".").string();

  CLI::App app{"sortie: from a local Git project to a training run on a SLURM GPU cluster"};
  app.require_subcommand(1);
  app.set_version_flag("--version", k_version);
  app.add_option("--config", context.config_file, "clusters.yaml to read")->capture_default_str();
  app.add_option("--db", context.db_file, "SQLite database of projects and jobs")
      ->capture_default_str();

  add_cluster_commands(app, context);
  add_project_commands(app, context);
  add_job_commands(app, context);
  add_serve_command(app, context);
  add_hydra_commands(app, context);
  add_token_commands(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    int code = app.exit(error);
    return code == 0 ? 0 : 2;
  }
  return context.status;
}

}  // namespace sortie::cli
