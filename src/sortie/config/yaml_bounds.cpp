#include "sortie/config/yaml_bounds.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace sortie::config {
namespace {

std::unexpected<core::Error> refuse(std::string_view file_name, const YAML::Mark& mark,
                                    std::string_view why) {
  return core::fail(core::ErrorCode::config_invalid,
                    fmt::format("{}:{}:{}: {}", file_name, mark.line + 1, mark.column + 1, why));
}

}  // namespace

core::Result<void> check_yaml_bounds(const YAML::Node& root, std::string_view file_name) {
  struct Pending {
    YAML::Node node;
    std::size_t depth;
  };
  // Depth first with an explicit stack, so that no document can exhaust the call stack; `path`
  // holds the containers from the root to the node being visited.
  std::vector<Pending> pending{{root, 0}};
  std::vector<YAML::Node> path;
  std::size_t visited = 0;
  while (!pending.empty()) {
    Pending next = std::move(pending.back());
    pending.pop_back();
    if (++visited > k_max_yaml_nodes)
      return refuse(file_name, next.node.Mark(),
                    fmt::format("the document has more than {} nodes once its aliases are "
                                "followed (aliases of lists of aliases multiply); write the "
                                "values out or use fewer aliases",
                                k_max_yaml_nodes));
    if (!next.node.IsSequence() && !next.node.IsMap()) continue;
    path.resize(next.depth);
    const bool cycle = std::any_of(path.begin(), path.end(), [&](const YAML::Node& ancestor) {
      return ancestor.is(next.node);
    });
    if (cycle)
      return refuse(file_name, next.node.Mark(),
                    "this anchored node contains an alias of itself (like `a: &a [*a]`), which "
                    "never ends; refer to another node instead");
    if (next.depth >= k_max_yaml_depth)
      return refuse(file_name, next.node.Mark(),
                    fmt::format("the document nests mappings and lists more than {} deep",
                                k_max_yaml_depth));
    path.push_back(next.node);
    for (auto entry = next.node.begin(); entry != next.node.end(); ++entry) {
      if (next.node.IsMap()) {
        pending.push_back({entry->first, next.depth + 1});
        pending.push_back({entry->second, next.depth + 1});
      } else {
        pending.push_back({*entry, next.depth + 1});
      }
    }
  }
  return {};
}

}  // namespace sortie::config
