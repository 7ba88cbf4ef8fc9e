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

namespace {

std::string_view type_name(const hydra::Value& value) {
  switch (value.data.index()) {
    case 0: return "null";
    case 1: return "bool";
    case 2: return "int";
    case 3: return "float";
    case 4: return "str";
    case 5: return "list";
    default: return "dict";
  }
}

void collect_types(const hydra::DictValue& dict, const std::string& prefix, Json& types) {
  for (const auto& [key, value] : dict.entries) {
    const std::string path = prefix.empty() ? key : prefix + "." + key;
    types[path] = type_name(value);
    if (const auto* child = std::get_if<hydra::DictValue>(&value.data)) {
      collect_types(*child, path, types);
    }
  }
}

}  // namespace

std::string hydra_config_document(const std::string& config_dir, const std::string& config_name,
                                  const hydra::ConfigTree& tree,
                                  const std::optional<hydra::Composition>& composition) {
  Json root;
  root["config_dir"] = config_dir;
  root["config_name"] = config_name.empty() ? Json(nullptr) : Json(config_name);
  Json groups = Json::array();
  for (const auto& group : tree.groups) {
    Json item;
    item["name"] = group.path;
    item["options"] = group.options;
    item["default"] = nullptr;
    item["in_defaults"] = false;
    if (composition) {
      for (const auto& choice : composition->choices) {
        if (choice.key != group.path) continue;
        item["in_defaults"] = true;
        if (choice.option) item["default"] = *choice.option;
      }
    }
    groups.push_back(std::move(item));
  }
  root["groups"] = std::move(groups);
  root["choices"] = composition ? choices_json(composition->choices) : Json::object();
  root["config"] = composition ? hydra_value_json(composition->config) : Json(nullptr);
  Json types = Json::object();
  if (composition) {
    if (const auto* dict = std::get_if<hydra::DictValue>(&composition->config.data)) {
      collect_types(*dict, "", types);
    }
  }
  root["types"] = std::move(types);
  return root.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sortie::json
