#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "sortie/config/clusters.hpp"
#include "sortie/core/error.hpp"
#include "sortie/store/database.hpp"
#include "sortie/store/store.hpp"

namespace CLI {
class App;
}

namespace sortie::cli {

// What every command may need, opened on first use: the options shared by all commands,
// clusters.yaml and the database. One per process run.
class Context {
 public:
  std::string config_file;  // --config
  std::string db_file;      // --db
  int status = 0;           // the exit status the command chose

  // clusters.yaml, read once.
  core::Result<const config::Clusters*> clusters();
  // The cluster the user named, or the only one configured when they named none.
  core::Result<const config::Cluster*> cluster(const std::string& name);
  // The database, opened (and migrated) once.
  core::Result<store::Database*> database();
  // The store over that database, made once.
  core::Result<store::Store*> store();

 private:
  std::optional<config::Clusters> m_clusters;
  std::optional<store::Database> m_database;
  std::optional<store::Store> m_store;
};

// The project named by `text`: its id, else its name. not_found names what to run instead.
core::Result<store::Project> find_project(store::Store& store, const std::string& text);

// Prints the error as one line on stderr and returns its exit status.
int report(const core::Error& error);

// Seconds from a --timeout option.
std::chrono::milliseconds seconds(double value);

// Each adds its subcommands to `app`; their callbacks set `context.status`.
void add_cluster_commands(CLI::App& app, Context& context);
void add_project_commands(CLI::App& app, Context& context);
void add_job_commands(CLI::App& app, Context& context);
void add_serve_command(CLI::App& app, Context& context);
void add_hydra_commands(CLI::App& app, Context& context);
void add_token_commands(CLI::App& app, Context& context);

}  // namespace sortie::cli
