// Store: projects.
#include <fmt/format.h>

#include "sortie/store/columns.hpp"
#include "sortie/store/store.hpp"

namespace sortie::store {
namespace {

constexpr std::string_view k_select_project =
    "SELECT id, name, path, created_at, entry_command, default_cluster, git_remote_url, "
    "git_branch, git_commit, git_dirty, git_pushed, git_synced_at, template_path FROM projects ";

// The scope of a project's own setup lines in project_setup_lines; cluster names are never empty.
constexpr std::string_view k_project_scope = "";

core::Result<void> insert_setup(Database& database, ProjectId id, std::string_view scope,
                                const std::vector<std::string>& lines) {
  for (std::size_t position = 0; position < lines.size(); ++position) {
    auto insert = database.prepare(
        "INSERT INTO project_setup_lines (project_id, scope, position, line) VALUES (?, ?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->bind(1, id.value).bind(2, scope).bind(3, static_cast<std::int64_t>(position));
    insert->bind(4, lines[position]);
    if (auto ran = insert->run(); !ran) return ran;
  }
  return {};
}

}  // namespace

Timestamp system_now() {
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

Store::Store(Database& database, Clock clock) : m_database(database), m_clock(std::move(clock)) {}

core::Result<Project> Store::create_project(const NewProject& project) {
  return m_database.transaction([&]() -> core::Result<Project> {
    // Checked under the write lock, so the answer cannot change before the insert.
    for (auto [column, value] : {std::pair{"name", &project.name}, {"path", &project.path}}) {
      auto clash = m_database.prepare(fmt::format("SELECT id FROM projects WHERE {} = ?", column));
      if (!clash) return std::unexpected(clash.error());
      clash->bind(1, *value);
      auto row = clash->step();
      if (!row) return std::unexpected(row.error());
      if (*row) {
        return core::fail(
            core::ErrorCode::invalid_argument,
            fmt::format("a project with {} \"{}\" is already registered", column, *value));
      }
    }
    auto insert = m_database.prepare(
        "INSERT INTO projects (name, path, created_at, entry_command) VALUES (?, ?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->bind(1, project.name).bind(2, project.path).bind(3, to_column(m_clock()));
    insert->bind(4, project.settings.entry_command);
    if (auto ran = insert->run(); !ran) return std::unexpected(ran.error());
    const ProjectId id{m_database.last_insert_id()};
    if (auto written = write_settings(id, project.settings); !written) {
      return std::unexpected(written.error());
    }
    return this->project(id);
  });
}

core::Result<Project> Store::project(ProjectId id) {
  return m_database.read_transaction([&]() -> core::Result<Project> {
    auto select = m_database.prepare(std::string(k_select_project) + "WHERE id = ?");
    if (!select) return std::unexpected(select.error());
    select->bind(1, id.value);
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) {
      return core::fail(core::ErrorCode::not_found,
                        fmt::format("there is no project {}", id.value));
    }
    return read_project(*select);
  });
}

core::Result<std::optional<Project>> Store::project_where(std::string_view where,
                                                          std::string_view value) {
  return m_database.read_transaction([&]() -> core::Result<std::optional<Project>> {
    auto select = m_database.prepare(std::string(k_select_project) + std::string(where));
    if (!select) return std::unexpected(select.error());
    select->bind(1, value);
    auto row = select->step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return std::nullopt;
    auto project = read_project(*select);
    if (!project) return std::unexpected(project.error());
    return std::move(*project);
  });
}

core::Result<std::optional<Project>> Store::project_by_name(std::string_view name) {
  return project_where("WHERE name = ?", name);
}

core::Result<std::optional<Project>> Store::project_by_path(std::string_view path) {
  return project_where("WHERE path = ?", path);
}

core::Result<std::vector<Project>> Store::projects() {
  return m_database.read_transaction([&]() -> core::Result<std::vector<Project>> {
    auto select = m_database.prepare(std::string(k_select_project) + "ORDER BY name");
    if (!select) return std::unexpected(select.error());
    std::vector<Project> projects;
    for (;;) {
      auto row = select->step();
      if (!row) return std::unexpected(row.error());
      if (!*row) return projects;
      auto project = read_project(*select);
      if (!project) return std::unexpected(project.error());
      projects.push_back(std::move(*project));
    }
  });
}

core::Result<void> Store::update_settings(ProjectId id, const ProjectSettings& settings) {
  return m_database.transaction([&]() -> core::Result<void> {
    auto update = m_database.prepare("UPDATE projects SET entry_command = ? WHERE id = ?");
    if (!update) return std::unexpected(update.error());
    update->bind(1, settings.entry_command).bind(2, id.value);
    if (auto ran = update->run(); !ran) return ran;
    if (m_database.changes() == 0) {
      return core::fail(core::ErrorCode::not_found,
                        fmt::format("there is no project {}", id.value));
    }
    for (auto sql : {"DELETE FROM project_setup_lines WHERE project_id = ?",
                     "DELETE FROM project_overrides WHERE project_id = ?"}) {
      auto remove = m_database.prepare(sql);
      if (!remove) return std::unexpected(remove.error());
      remove->bind(1, id.value);
      if (auto ran = remove->run(); !ran) return ran;
    }
    return write_settings(id, settings);
  });
}

core::Result<void> Store::record_git_state(ProjectId id, const GitSnapshot& git) {
  auto update = m_database.prepare(
      "UPDATE projects SET git_remote_url = ?, git_branch = ?, git_commit = ?, git_dirty = ?, "
      "git_pushed = ?, git_synced_at = ? WHERE id = ?");
  if (!update) return std::unexpected(update.error());
  update->bind(1, git.remote_url).bind(2, git.branch).bind(3, git.commit);
  update->bind(4, git.dirty ? 1 : 0).bind(5, git.pushed ? 1 : 0).bind(6, to_column(git.synced_at));
  update->bind(7, id.value);
  if (auto ran = update->run(); !ran) return ran;
  if (m_database.changes() == 0) {
    return core::fail(core::ErrorCode::not_found, fmt::format("there is no project {}", id.value));
  }
  return {};
}

core::Result<void> Store::delete_project(ProjectId id) {
  return m_database.transaction([&]() -> core::Result<void> {
    auto count = m_database.prepare("SELECT count(*) FROM jobs WHERE project_id = ?");
    if (!count) return std::unexpected(count.error());
    count->bind(1, id.value);
    auto row = count->step();
    if (!row) return std::unexpected(row.error());
    const std::int64_t jobs = *row ? count->integer(0) : 0;
    if (jobs > 0) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("project {} has {} recorded job{}: remove them first with "
                                    "`sortie rm JOB`",
                                    id.value, jobs, jobs == 1 ? "" : "s"));
    }
    auto remove = m_database.prepare("DELETE FROM projects WHERE id = ?");
    if (!remove) return std::unexpected(remove.error());
    remove->bind(1, id.value);
    if (auto ran = remove->run(); !ran) return ran;
    if (m_database.changes() == 0) {
      return core::fail(core::ErrorCode::not_found,
                        fmt::format("there is no project {}", id.value));
    }
    return {};
  });
}

// Writes the settings that live outside the projects row (the caller wrote entry_command).
core::Result<void> Store::write_settings(ProjectId id, const ProjectSettings& settings) {
  auto update =
      m_database.prepare("UPDATE projects SET default_cluster = ?, template_path = ? WHERE id = ?");
  if (!update) return std::unexpected(update.error());
  if (settings.default_cluster) {
    update->bind(1, settings.default_cluster->value);
  } else {
    update->bind_null(1);
  }
  update->bind(2, settings.template_path).bind(3, id.value);
  if (auto ran = update->run(); !ran) return ran;
  if (auto lines = insert_setup(m_database, id, k_project_scope, settings.setup); !lines) {
    return lines;
  }
  for (const auto& [cluster, override_settings] : settings.cluster_overrides) {
    if (cluster.empty()) {
      return core::fail(core::ErrorCode::invalid_argument,
                        "a cluster override needs a cluster name");
    }
    auto insert = m_database.prepare(
        "INSERT INTO project_overrides (project_id, cluster, entry_command, overrides_setup) "
        "VALUES (?, ?, ?, ?)");
    if (!insert) return std::unexpected(insert.error());
    insert->bind(1, id.value).bind(2, cluster).bind(3, override_settings.entry_command);
    insert->bind(4, override_settings.setup ? 1 : 0);
    if (auto ran = insert->run(); !ran) return ran;
    if (override_settings.setup) {
      auto lines = insert_setup(m_database, id, cluster, *override_settings.setup);
      if (!lines) return lines;
    }
  }
  return {};
}

core::Result<Project> Store::read_project(Statement& row) {
  Project project;
  project.id = ProjectId{row.integer(0)};
  project.name = row.text(1);
  project.path = row.text(2);
  project.created_at = timestamp_from_column(row.integer(3));
  project.settings.entry_command = row.text(4);
  if (auto cluster = row.optional_text(5)) project.settings.default_cluster = ClusterName{*cluster};
  project.settings.template_path = row.optional_text(12);
  if (!row.is_null(11)) {
    project.git = GitSnapshot{row.text(6),          row.text(7),
                              row.text(8),          row.integer(9) != 0,
                              row.integer(10) != 0, timestamp_from_column(row.integer(11))};
  }

  auto overrides = m_database.prepare(
      "SELECT cluster, entry_command, overrides_setup FROM project_overrides WHERE project_id = ?");
  if (!overrides) return std::unexpected(overrides.error());
  overrides->bind(1, project.id.value);
  for (;;) {
    auto next = overrides->step();
    if (!next) return std::unexpected(next.error());
    if (!*next) break;
    auto& entry = project.settings.cluster_overrides[overrides->text(0)];
    entry.entry_command = overrides->optional_text(1);
    if (overrides->integer(2) != 0) entry.setup.emplace();
  }

  auto lines = m_database.prepare(
      "SELECT scope, line FROM project_setup_lines WHERE project_id = ? ORDER BY scope, position");
  if (!lines) return std::unexpected(lines.error());
  lines->bind(1, project.id.value);
  for (;;) {
    auto next = lines->step();
    if (!next) return std::unexpected(next.error());
    if (!*next) break;
    const auto scope = lines->text(0);
    if (scope == k_project_scope) {
      project.settings.setup.push_back(lines->text(1));
      continue;
    }
    auto& entry = project.settings.cluster_overrides[scope];
    if (!entry.setup) entry.setup.emplace();
    entry.setup->push_back(lines->text(1));
  }
  return project;
}

}  // namespace sortie::store
