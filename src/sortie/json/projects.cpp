#include "sortie/json/projects.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace sortie::json {
namespace {

using nlohmann::ordered_json;

std::string iso8601(store::Timestamp time) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", time);
}

ordered_json project_object(const store::Project& project) {
  ordered_json overrides = ordered_json::object();
  for (const auto& [cluster, settings] : project.settings.cluster_overrides) {
    overrides[cluster] = {
        {"entry_command",
         settings.entry_command ? ordered_json(*settings.entry_command) : ordered_json(nullptr)},
        {"setup", settings.setup ? ordered_json(*settings.setup) : ordered_json(nullptr)},
    };
  }
  ordered_json git = nullptr;
  if (project.git) {
    git = {{"remote_url", project.git->remote_url}, {"branch", project.git->branch},
           {"commit", project.git->commit},         {"dirty", project.git->dirty},
           {"pushed", project.git->pushed},         {"synced_at", iso8601(project.git->synced_at)}};
  }
  return {
      {"id", project.id.value},
      {"name", project.name},
      {"path", project.path},
      {"created_at", iso8601(project.created_at)},
      {"entry_command", project.settings.entry_command},
      {"setup", project.settings.setup},
      {"cluster_overrides", overrides},
      {"default_cluster", project.settings.default_cluster
                              ? ordered_json(project.settings.default_cluster->value)
                              : ordered_json(nullptr)},
      {"template_path", project.settings.template_path
                            ? ordered_json(*project.settings.template_path)
                            : ordered_json(nullptr)},
      {"git", git},
  };
}

ordered_json live_object(const git::RepoState& state) {
  ordered_json remotes = ordered_json::array();
  for (const auto& remote : state.remotes)
    remotes.push_back({{"name", remote.name}, {"url", remote.url}});
  ordered_json changed = ordered_json::array();
  for (const auto& file : state.changed_files) {
    changed.push_back({{"path", file.path},
                       {"status", std::string(git::to_string(file.status))},
                       {"old_path", file.old_path.empty() ? ordered_json(nullptr)
                                                          : ordered_json(file.old_path)}});
  }
  return {
      {"root", state.root.string()},
      {"remotes", remotes},
      {"branch", state.branch},
      {"detached", state.detached},
      {"commit", state.head_commit},
      {"summary", state.head_summary},
      {"upstream", state.upstream},
      {"pushed", state.pushed},
      {"ahead", state.ahead},
      {"behind", state.behind},
      {"changed_files", changed},
      {"submodules", state.submodules},
      {"delivery", git::needs_snapshot(state) ? "snapshot" : "git"},
  };
}

std::string dump(const ordered_json& document) {
  return document.dump(2, ' ', false, ordered_json::error_handler_t::replace);
}

}  // namespace

std::string to_json(const store::Project& project, const std::optional<git::RepoState>& live) {
  ordered_json document = project_object(project);
  if (live) document["live_git"] = live_object(*live);
  return dump(document);
}

std::string to_json(const std::vector<store::Project>& projects) {
  ordered_json list = ordered_json::array();
  for (const auto& project : projects) list.push_back(project_object(project));
  return dump(list);
}

}  // namespace sortie::json
