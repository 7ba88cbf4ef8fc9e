// /api/hydra/...: parse overrides, compose a project's config with them, and expand a sweep
// into its jobs' override lists, each composed (what a launch would run).
#include <fmt/format.h>

#include "sortie/api/app.hpp"
#include "sortie/api/responses.hpp"
#include "sortie/config/yaml_values.hpp"
#include "sortie/hydra/config_source.hpp"
#include "sortie/hydra/grammar.hpp"
#include "sortie/hydra/locate.hpp"
#include "sortie/hydra/preview.hpp"
#include "sortie/hydra/sweep.hpp"
#include "sortie/json/api.hpp"
#include "sortie/json/hydra_config.hpp"
#include "sortie/json/hydra_overrides.hpp"
#include "sortie/json/hydra_sweep.hpp"

namespace sortie::api {

// routes_projects.cpp
core::Result<hydra::ConfigLocation> project_configs(const store::Project& project);

namespace {

core::Result<hydra::ConfigLocation> locate(Context& context, const json::HydraBody& body) {
  if (!body.project_id) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "field 'project_id' is required: the project whose Hydra configs to use");
  }
  auto store = context.stores.acquire();
  if (!store) return std::unexpected(store.error());
  auto project = (*store)->project(store::ProjectId{*body.project_id});
  if (!project) return std::unexpected(project.error());
  auto location = project_configs(*project);
  if (!location) return std::unexpected(location.error());
  if (!location->config_name) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("project '{}': @hydra.main names no config_name",
                                  project->name));
  }
  return location;
}

}  // namespace

void add_hydra_routes(http::Router& router, Context& context) {
  router.add("POST", "/api/hydra/parse", [](const http::Request& request) {
    auto body = json::read_hydra(request.body);
    if (!body) return error_response(body.error());
    std::vector<core::Result<hydra::Override>> parsed;
    parsed.reserve(body->overrides.size());
    for (const auto& input : body->overrides) parsed.push_back(hydra::parse_override(input));
    auto sweeps = hydra::expand_overrides(parsed);
    std::vector<json::HydraOverrideReport> reports;
    reports.reserve(parsed.size());
    for (std::size_t i = 0; i < parsed.size(); ++i)
      reports.push_back({body->overrides[i], std::move(parsed[i]), std::move(sweeps[i])});
    return http::Response::json(200, json::to_json(reports));
  });

  router.add("POST", "/api/hydra/compose", [&context](const http::Request& request) {
    auto body = json::read_hydra(request.body);
    if (!body) return error_response(body.error());
    auto location = locate(context, *body);
    if (!location) return error_response(location.error());
    auto composition = hydra::compose_at(*location, body->overrides, config::parse_yaml_value);
    if (!composition) return error_response(composition.error());
    return http::Response::json(200, json::to_json(*composition));
  });

  router.add("POST", "/api/hydra/expand", [&context](const http::Request& request) {
    auto body = json::read_hydra(request.body);
    if (!body) return error_response(body.error());
    auto overrides = hydra::parse_overrides(body->overrides);
    if (!overrides) return error_response(overrides.error());
    hydra::PreviewOptions options;
    options.mode = body->paired ? hydra::SweepMode::paired : hydra::SweepMode::cartesian;
    json::SweepPreviewReport preview;
    preview.mode = options.mode;
    if (body->project_id) {
      // Each job composed, so a launch never submits a task that fails at once.
      auto location = locate(context, *body);
      if (!location) return error_response(location.error());
      options.version_base = location->version_base;
      hydra::FilesystemConfigSource source(location->config_dir);
      auto jobs = hydra::preview_sweep(source, config::parse_yaml_value, *location->config_name,
                                       *overrides, options);
      if (!jobs) return error_response(jobs.error());
      preview.config_dir = location->config_dir.string();
      preview.config_name = *location->config_name;
      preview.jobs = std::move(*jobs);
    } else {
      hydra::SweepOptions sweep;
      auto jobs = hydra::expand_jobs(*overrides, options.mode, sweep);
      if (!jobs) return error_response(jobs.error());
      preview.jobs = std::move(*jobs);
    }
    return http::Response::json(200, json::expansion_document(preview));
  });
}

}  // namespace sortie::api
