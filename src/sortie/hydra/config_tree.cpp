#include "sortie/hydra/config_tree.hpp"

namespace sortie::hydra {
namespace {

void add_groups(const ConfigSource& source, const std::string& parent, ConfigTree& tree) {
  for (const auto& name : source.list(parent).groups) {
    const std::string path = parent.empty() ? name : parent + "/" + name;
    tree.groups.push_back(ConfigGroup{path, source.list(path).configs});
    add_groups(source, path, tree);
  }
}

}  // namespace

ConfigTree read_config_tree(const ConfigSource& source) {
  ConfigTree tree;
  tree.primary_configs = source.list("").configs;
  add_groups(source, "", tree);
  return tree;
}

}  // namespace sortie::hydra
