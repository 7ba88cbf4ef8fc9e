// /api/projects/...: register, list, show (with the live Git state), change, sync, delete, and
// the project's Hydra config.
#include <fmt/format.h>

#include "sortie/api/app.hpp"
#include "sortie/api/responses.hpp"
#include "sortie/config/yaml_values.hpp"
#include "sortie/hydra/config_source.hpp"
#include "sortie/hydra/config_tree.hpp"
#include "sortie/hydra/locate.hpp"
#include "sortie/json/api.hpp"
#include "sortie/json/hydra_config.hpp"
#include "sortie/json/projects.hpp"
#include "sortie/projects/registry.hpp"

namespace sortie::api {
namespace {

http::Response project_response(int status, const store::Project& project,
                                const std::optional<git::RepoState>& live) {
  return http::Response::json(status, json::to_json(project, live));
}

}  // namespace

core::Result<hydra::ConfigLocation> project_configs(const store::Project& project) {
  return hydra::locate_project_configs(project.path, project.settings.entry_command, project.name,
                                       "make the entry command run a script with "
                                       "@hydra.main(config_path=..., config_name=...)");
}

void add_project_routes(http::Router& router, Context& context) {
  router.add("GET", "/api/projects", [&context](const http::Request& request) {
    auto limit = query_integer(request, "limit", 50, 1, 1000);
    if (!limit) return error_response(limit.error());
    auto offset = query_integer(request, "offset", 0, 0, 1'000'000'000);
    if (!offset) return error_response(offset.error());
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto projects = (*store)->projects();
    if (!projects) return error_response(projects.error());
    const auto total = static_cast<std::int64_t>(projects->size());
    const auto first = std::min(*offset, total);
    const auto last = std::min(first + *limit, total);
    std::vector<store::Project> page(projects->begin() + first, projects->begin() + last);
    auto response = http::Response::json(200, json::to_json(page));
    response.headers.emplace_back("X-Total-Count", std::to_string(total));
    return response;
  });

  router.add("POST", "/api/projects", [&context](const http::Request& request) {
    auto registration = json::read_registration(request.body);
    if (!registration) return error_response(registration.error());
    if (registration->default_cluster) {
      if (auto cluster = context.cluster(*registration->default_cluster); !cluster) {
        return error_response(cluster.error());
      }
    }
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto registered = projects::register_project(**store, *registration);
    if (!registered) {
      if (registered.error().message.find("already registered") != std::string::npos) {
        return error_response(409, "conflict", registered.error().message);
      }
      return error_response(registered.error());
    }
    auto response = project_response(201, registered->project, registered->git);
    response.headers.emplace_back("Location",
                                  fmt::format("/api/projects/{}", registered->project.id.value));
    return response;
  });

  router.add("GET", "/api/projects/{id}", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto project = (*store)->project(store::ProjectId{*id});
    if (!project) return error_response(project.error());
    // The live state is read outside the database lease: Git may take a moment.
    auto live = git::read_state(project->path);
    return project_response(200, *project,
                            live ? std::optional(std::move(*live)) : std::nullopt);
  });

  router.add("PATCH", "/api/projects/{id}", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    auto patch = json::read_project_patch(request.body);
    if (!patch) return error_response(patch.error());
    if (patch->default_cluster && *patch->default_cluster) {
      if (auto cluster = context.cluster(**patch->default_cluster); !cluster) {
        return error_response(cluster.error());
      }
    }
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto project = (*store)->project(store::ProjectId{*id});
    if (!project) return error_response(project.error());
    store::ProjectSettings settings = project->settings;
    if (patch->entry_command) settings.entry_command = *patch->entry_command;
    if (patch->setup) settings.setup = *patch->setup;
    if (patch->default_cluster) {
      settings.default_cluster.reset();
      if (*patch->default_cluster) settings.default_cluster = store::ClusterName{**patch->default_cluster};
    }
    if (auto saved = (*store)->update_settings(project->id, settings); !saved) {
      return error_response(saved.error());
    }
    auto updated = (*store)->project(project->id);
    if (!updated) return error_response(updated.error());
    return project_response(200, *updated, std::nullopt);
  });

  router.add("DELETE", "/api/projects/{id}", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto removed = (*store)->delete_project(store::ProjectId{*id});
    if (!removed) {
      if (removed.error().code == core::ErrorCode::invalid_argument) {
        return error_response(409, "conflict", removed.error().message);
      }
      return error_response(removed.error());
    }
    return http::Response::empty();
  });

  router.add("POST", "/api/projects/{id}/sync", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    auto store = context.stores.acquire();
    if (!store) return error_response(store.error());
    auto synced = projects::sync_project(**store, store::ProjectId{*id});
    if (!synced) return error_response(synced.error());
    return project_response(200, synced->project, synced->git);
  });

  router.add("GET", "/api/projects/{id}/hydra-config", [&context](const http::Request& request) {
    auto id = path_id(request);
    if (!id) return error_response(id.error());
    std::optional<store::Project> project;
    {
      auto store = context.stores.acquire();
      if (!store) return error_response(store.error());
      auto found = (*store)->project(store::ProjectId{*id});
      if (!found) return error_response(found.error());
      project = std::move(*found);
    }
    auto location = project_configs(*project);
    if (!location) return error_response(location.error());
    hydra::FilesystemConfigSource source(location->config_dir);
    const hydra::ConfigTree tree = hydra::read_config_tree(source);
    std::optional<hydra::Composition> composition;
    if (location->config_name) {
      auto composed = hydra::compose_at(*location, {}, config::parse_yaml_value);
      if (!composed) return error_response(composed.error());
      composition = std::move(*composed);
    }
    return http::Response::json(
        200, json::hydra_config_document(location->config_dir.string(),
                                         location->config_name.value_or(""), tree, composition));
  });
}

}  // namespace sortie::api
