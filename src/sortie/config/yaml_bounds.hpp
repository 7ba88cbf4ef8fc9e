#pragma once

// Bounds on walking a YAML document that yaml-cpp has loaded. yaml-cpp shares an aliased node
// instead of copying it, so a "billion laughs" document (lists of aliases of lists of aliases)
// loads small, and an alias inside its own anchor (`a: &a [*a]`) loads as a cycle; the danger
// is in whatever walks the tree afterwards. Every walk in config/ is checked here first. Only
// config/ includes this header: it is the home of yaml-cpp.

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string_view>

#include "sortie/core/error.hpp"

namespace sortie::config {

// The most nodes one document may have once every alias is followed (each use counted): far
// more than any clusters.yaml or Hydra config, far less than memory.
inline constexpr std::size_t k_max_yaml_nodes = 1'000'000;

// The deepest one document may nest mappings and lists.
inline constexpr std::size_t k_max_yaml_depth = 256;

// Walks `root` as the tree it stands for, following aliases, and fails with config_invalid
// "<file_name>:<line>:<column>: why" when it holds an alias of a node that contains it, nests
// deeper than k_max_yaml_depth, or has more than k_max_yaml_nodes nodes. It stops at the first
// limit passed, so it takes time bounded by k_max_yaml_nodes whatever the document.
core::Result<void> check_yaml_bounds(const YAML::Node& root, std::string_view file_name);

}  // namespace sortie::config
