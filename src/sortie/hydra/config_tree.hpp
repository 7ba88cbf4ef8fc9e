#pragma once

// A project's Hydra config tree as a UI shows it: the primary configs at the root and every
// config group, nested ones included, with its options.

#include <string>
#include <vector>

#include "sortie/hydra/config_source.hpp"

namespace sortie::hydra {

// One config group: "db", or nested "server/db".
struct ConfigGroup {
  std::string path;
  std::vector<std::string> options;  // config names, sorted; empty for a group of groups
  bool operator==(const ConfigGroup&) const = default;
};

struct ConfigTree {
  std::vector<std::string> primary_configs;  // configs at the root, sorted
  std::vector<ConfigGroup> groups;           // depth-first, each level sorted by name
  bool operator==(const ConfigTree&) const = default;
};

// Walks `source` from the root. A directory is a group even when it holds only sub-groups,
// as in Hydra; `__pycache__` is skipped.
ConfigTree read_config_tree(const ConfigSource& source);

}  // namespace sortie::hydra
