#pragma once

#include <string>
#include <vector>

#include "sortie/hydra/compose.hpp"
#include "sortie/hydra/config_tree.hpp"
#include "sortie/hydra/override.hpp"

namespace sortie::json {

// A config value as pretty JSON (2-space indent), dict keys in their order. Ints are JSON
// integers; floats always show a decimal point or an exponent (1.0, 0.001, 1e+300) so a
// reader can tell them from ints; non-finite floats, which JSON cannot hold, are objects:
// {"float": "inf"}, {"float": "-inf"}, {"float": "nan"}. Strings that are not UTF-8 have the
// bad bytes replaced. Never throws.
std::string to_json(const hydra::Value& value);

// A composition as pretty JSON, keys in this order:
// {"config": <value as above>,
//  "choices": {"db": "mysql", "db@backup": "pg", "cache": null},   (hydra.runtime.choices)
//  "defaults": [{"config_path", "package", "parent" (null at the top), "is_self", "primary"}],
//  "hydra_overrides": ["hydra.run.dir=out"], "warnings": ["..."]}
std::string to_json(const hydra::Composition& composition);

// A config tree with the choices of a composition as pretty JSON:
// {"primary_configs": ["config"], "groups": [{"path": "db", "options": ["mysql", "pg"]}],
//  "choices": {"db": "mysql", ...}}
std::string to_json(const hydra::ConfigTree& tree, const std::vector<hydra::Choice>& choices);

}  // namespace sortie::json
