#include "sortie/cli/context.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>

#include "sortie/cli/exit_codes.hpp"

namespace sortie::cli {

core::Result<const config::Clusters*> Context::clusters() {
  if (!m_clusters) {
    auto loaded = config::load_clusters(config_file);
    if (!loaded) return std::unexpected(loaded.error());
    m_clusters = std::move(*loaded);
  }
  return &*m_clusters;
}

core::Result<const config::Cluster*> Context::cluster(const std::string& name) {
  auto all = clusters();
  if (!all) return std::unexpected(all.error());
  if (!name.empty()) return (*all)->find(name);
  if ((*all)->clusters.size() == 1) return &(*all)->clusters.front();
  return core::fail(core::ErrorCode::invalid_argument,
                    (*all)->clusters.empty()
                        ? fmt::format("no clusters in {}", (*all)->file.string())
                        : "several clusters are configured: name one (see `sortie clusters list`)");
}

core::Result<store::Database*> Context::database() {
  if (!m_database) {
    auto opened = store::Database::open(db_file);
    if (!opened) return std::unexpected(opened.error());
    m_database.emplace(std::move(*opened));
  }
  return &*m_database;
}

core::Result<store::Store*> Context::store() {
  if (!m_store) {
    auto opened = database();
    if (!opened) return std::unexpected(opened.error());
    m_store.emplace(**opened);
  }
  return &*m_store;
}

core::Result<store::Project> find_project(store::Store& store, const std::string& text) {
  std::int64_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error == std::errc() && end == text.data() + text.size() && !text.empty()) {
    return store.project(store::ProjectId{id});
  }
  auto project = store.project_by_name(text);
  if (!project) return std::unexpected(project.error());
  if (!*project) {
    return core::fail(core::ErrorCode::not_found,
                      fmt::format("no project named '{}' (see `sortie projects list`)", text));
  }
  return std::move(**project);
}

int report(const core::Error& error) {
  fmt::print(stderr, "sortie: {}\n", error.message);
  return exit_code_for(error.code);
}

std::chrono::milliseconds seconds(double value) {
  return std::chrono::milliseconds(static_cast<long>(value * 1000));
}

}  // namespace sortie::cli
