#include "sortie/json/gpus.hpp"

#include <nlohmann/json.hpp>

#include "sortie/gpus/table.hpp"

namespace sortie::json {
namespace {

using Json = nlohmann::ordered_json;

Json types_json(const std::vector<gpus::TypeAvailability>& types) {
  Json array = Json::array();
  for (const auto& type : types) {
    Json nodes = Json::array();
    for (const auto& node : type.nodes) {
      Json entry;
      entry["name"] = node.name;
      entry["free"] = node.free;
      nodes.push_back(std::move(entry));
    }
    Json entry;
    entry["type"] = type.type;
    entry["total"] = type.total;
    entry["used"] = type.used;
    entry["free"] = type.free;
    entry["powered_down"] = type.powered_down;
    entry["unavailable"] = type.unavailable;
    entry["pending"] = type.pending;
    entry["nodes"] = std::move(nodes);
    array.push_back(std::move(entry));
  }
  return array;
}

}  // namespace

std::string to_json(const gpus::Availability& availability) {
  Json root;
  root["cluster"] = availability.cluster;
  root["queried_at"] = gpus::iso8601_utc(availability.queried_at);
  root["pending_untyped"] = availability.pending_untyped;
  root["gpu_types"] = types_json(availability.gpu_types);
  Json partitions = Json::array();
  for (const auto& partition : availability.partitions) {
    Json entry;
    entry["name"] = partition.name;
    entry["pending_untyped"] = partition.pending_untyped;
    entry["gpu_types"] = types_json(partition.gpu_types);
    partitions.push_back(std::move(entry));
  }
  root["partitions"] = std::move(partitions);
  // Names come from the cluster and may hold bytes that are not UTF-8: replace, never throw.
  return root.dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sortie::json
