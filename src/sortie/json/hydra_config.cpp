#include "sortie/json/hydra_config.hpp"

#include <cmath>

#include "sortie/json/hydra_value_json.hpp"

namespace sortie::json {
namespace {

using Json = nlohmann::ordered_json;

Json choices_json(const std::vector<hydra::Choice>& choices) {
  Json object = Json::object();
  for (const auto& choice : choices) {
    if (choice.option)
      object[choice.key] = *choice.option;
    else
      object[choice.key] = nullptr;
  }
  return object;
}

std::string dump(const Json& json) {
  // Config text comes from users' files and may hold bytes that are not UTF-8: replace.
  return json.dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace

std::string to_json(const hydra::Composition& composition) {
  Json root;
  root["config"] = hydra_value_json(composition.config);
  root["choices"] = choices_json(composition.choices);
  Json defaults = Json::array();
  for (const auto& entry : composition.defaults) {
    Json item;
    item["config_path"] = entry.config_path;
    item["package"] = entry.package;
    if (entry.parent)
      item["parent"] = *entry.parent;
    else
      item["parent"] = nullptr;
    item["is_self"] = entry.is_self;
    item["primary"] = entry.primary;
    defaults.push_back(std::move(item));
  }
  root["defaults"] = std::move(defaults);
  root["hydra_overrides"] = composition.hydra_overrides;
  root["warnings"] = composition.warnings;
  return dump(root);
}

std::string to_json(const hydra::ConfigTree& tree, const std::vector<hydra::Choice>& choices) {
  Json root;
  root["primary_configs"] = tree.primary_configs;
  Json groups = Json::array();
  for (const auto& group : tree.groups) {
    Json item;
    item["path"] = group.path;
    item["options"] = group.options;
    groups.push_back(std::move(item));
  }
  root["groups"] = std::move(groups);
  root["choices"] = choices_json(choices);
  return dump(root);
}

}  // namespace sortie::json
