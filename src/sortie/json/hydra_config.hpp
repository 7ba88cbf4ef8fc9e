#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sortie/hydra/compose.hpp"
#include "sortie/hydra/config_tree.hpp"
#include "sortie/hydra/override.hpp"
#include "sortie/json/hydra_value.hpp"

namespace sortie::json {

// A composition as pretty JSON, keys in this order:
// {"config": <value as json/hydra_value.hpp encodes it>,
//  "choices": {"db": "mysql", "db@backup": "pg", "cache": null},   (hydra.runtime.choices)
//  "defaults": [{"config_path", "package", "parent" (null at the top), "is_self", "primary"}],
//  "hydra_overrides": ["hydra.run.dir=out"], "warnings": ["..."]}
std::string to_json(const hydra::Composition& composition);

// A config tree with the choices of a composition as pretty JSON:
// {"primary_configs": ["config"], "groups": [{"path": "db", "options": ["mysql", "pg"]}],
//  "choices": {"db": "mysql", ...}}
std::string to_json(const hydra::ConfigTree& tree, const std::vector<hydra::Choice>& choices);

// GET /api/projects/{id}/hydra-config, compact:
// {"config_dir", "config_name" (null when ""), "groups": [{"name", "options", "default" (the
//  composed choice or null), "in_defaults" (the group is in the defaults list)}],
//  "choices": {...}, "config": <value> or null without a primary config,
//  "types": {"dotted.key": "int"|"float"|"bool"|"str"|"null"|"list"|"dict"}} (every key of the
//  composed config, lists' items not included).
std::string hydra_config_document(const std::string& config_dir, const std::string& config_name,
                                  const hydra::ConfigTree& tree,
                                  const std::optional<hydra::Composition>& composition);

}  // namespace sortie::json
