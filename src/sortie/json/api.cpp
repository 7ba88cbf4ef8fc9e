#include "sortie/json/api.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>

#include "sortie/gpus/availability.hpp"
#include "sortie/gpus/table.hpp"
#include "sortie/json/gpus.hpp"

namespace sortie::json {
namespace {

using Json = nlohmann::json;
using Ordered = nlohmann::ordered_json;

std::string dump(const Ordered& value) {
  // Names and log text come from outside and may hold bytes that are not UTF-8: replace.
  return value.dump(-1, ' ', false, Ordered::error_handler_t::replace);
}

Ordered status_object(const store::JobStatus& status) {
  return {{"phase", std::string(store::to_string(status.phase))},
          {"state", status.state ? Ordered(std::string(slurm::to_string(*status.state)))
                                 : Ordered(nullptr)}};
}

// The fields of a request body, read one by one with a message naming the field.
class Fields {
 public:
  static core::Result<Fields> parse(std::string_view body,
                                    std::initializer_list<std::string_view> known) {
    Fields fields;
    fields.m_object = Json::parse(body, nullptr, false);
    if (fields.m_object.is_discarded()) {
      return core::fail(core::ErrorCode::invalid_argument,
                        "the body is not valid JSON; send a JSON object with "
                        "Content-Type: application/json");
    }
    if (!fields.m_object.is_object()) {
      return core::fail(core::ErrorCode::invalid_argument,
                        "the body must be a JSON object ({...})");
    }
    for (const auto& [name, value] : fields.m_object.items()) {
      if (std::find(known.begin(), known.end(), name) == known.end()) {
        return core::fail(core::ErrorCode::invalid_argument,
                          fmt::format("unknown field '{}'; this call takes: {}", name,
                                      fmt::join(known, ", ")));
      }
    }
    return fields;
  }

  bool has(std::string_view name) const {
    auto found = m_object.find(name);
    return found != m_object.end() && !found->is_null();
  }
  bool is_null(std::string_view name) const {
    auto found = m_object.find(name);
    return found != m_object.end() && found->is_null();
  }

  core::Result<std::optional<std::string>> text(std::string_view name) const {
    if (!has(name)) return std::optional<std::string>{};
    const auto& value = m_object.at(std::string(name));
    if (!value.is_string()) return wrong(name, "a string");
    return std::optional(value.get<std::string>());
  }

  core::Result<std::optional<std::int64_t>> integer(std::string_view name, std::int64_t low,
                                                    std::int64_t high) const {
    if (!has(name)) return std::optional<std::int64_t>{};
    const auto& value = m_object.at(std::string(name));
    if (!value.is_number_integer()) return wrong(name, "an integer");
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() > static_cast<std::uint64_t>(high)) {
      return out_of_range(name, low, high);
    }
    const auto number = value.get<std::int64_t>();
    if (number < low || number > high) return out_of_range(name, low, high);
    return std::optional(number);
  }

  core::Result<std::optional<bool>> boolean(std::string_view name) const {
    if (!has(name)) return std::optional<bool>{};
    const auto& value = m_object.at(std::string(name));
    if (!value.is_boolean()) return wrong(name, "true or false");
    return std::optional(value.get<bool>());
  }

  core::Result<std::optional<std::vector<std::string>>> strings(std::string_view name) const {
    if (!has(name)) return std::optional<std::vector<std::string>>{};
    const auto& value = m_object.at(std::string(name));
    if (!value.is_array()) return wrong(name, "a list of strings");
    std::vector<std::string> list;
    for (const auto& item : value) {
      if (!item.is_string()) return wrong(name, "a list of strings");
      list.push_back(item.get<std::string>());
    }
    return std::optional(std::move(list));
  }

 private:
  static std::unexpected<core::Error> wrong(std::string_view name, std::string_view expected) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("field '{}' must be {}", name, expected));
  }
  static std::unexpected<core::Error> out_of_range(std::string_view name, std::int64_t low,
                                                   std::int64_t high) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("field '{}' must be between {} and {}", name, low, high));
  }

  Json m_object;
};

// Copies a present optional field into `target`; returns the error, if any.
#define SORTIE_READ(expression, target)                    \
  do {                                                     \
    auto read_value = (expression);                        \
    if (!read_value) return std::unexpected(read_value.error()); \
    if (*read_value) target = std::move(**read_value);     \
  } while (false)

constexpr std::int64_t kMaxInt = std::numeric_limits<int>::max();

}  // namespace

std::string error_document(std::string_view code, std::string_view message) {
  return R"({"error":)" + error_object(code, message) + "}";
}

std::string error_object(std::string_view code, std::string_view message) {
  return dump(Ordered{{"code", code}, {"message", message}});
}

std::string quoted(std::string_view text) { return dump(Ordered(text)); }

std::string jobs_array(const std::vector<JobDocument>& jobs) {
  std::string out = "[";
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (i > 0) out += ',';
    out += job_compact(jobs[i]);
  }
  out += ']';
  return out;
}

std::string job_compact(const JobDocument& job) {
  return dump(Ordered::parse(to_json(job)));
}

std::string events_array(const std::vector<store::JobEvent>& events) {
  Ordered list = Ordered::array();
  for (const auto& event : events) {
    list.push_back({{"sequence", event.sequence},
                    {"job_id", event.job.value},
                    {"at", fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", event.at)},
                    {"from", event.from ? status_object(*event.from) : Ordered(nullptr)},
                    {"to", status_object(event.to)},
                    {"detail", event.detail}});
  }
  return dump(list);
}

std::string availability_open(const gpus::Availability& availability) {
  std::string text = dump(Ordered::parse(to_json(availability)));
  text.pop_back();  // the closing brace
  return text;
}

std::string nodes_array(const std::vector<slurm::Node>& nodes) {
  std::vector<const slurm::Node*> sorted;
  for (const auto& node : nodes) sorted.push_back(&node);
  std::sort(sorted.begin(), sorted.end(),
            [](const slurm::Node* a, const slurm::Node* b) { return a->name < b->name; });
  Ordered list = Ordered::array();
  for (const slurm::Node* node : sorted) {
    Ordered gpus = Ordered::array();
    for (const auto& item : node->gres) {
      if (item.name != "gpu") continue;
      const std::string type = item.type.empty() ? std::string(gpus::kUntyped) : item.type;
      std::int64_t used = 0;
      for (const auto& held : node->gres_used) {
        if (held.name == "gpu" && held.type == item.type) used += held.count;
      }
      gpus.push_back({{"type", type}, {"total", item.count}, {"used", used}});
    }
    if (gpus.empty()) continue;
    std::string_view capacity = "up";
    switch (gpus::capacity_of(node->state)) {
      case gpus::NodeCapacity::up: capacity = "up"; break;
      case gpus::NodeCapacity::powered_down: capacity = "powered_down"; break;
      case gpus::NodeCapacity::unavailable: capacity = "unavailable"; break;
    }
    list.push_back({{"name", node->name},
                    {"state", node->state.text},
                    {"capacity", capacity},
                    {"reason", node->reason},
                    {"partitions", node->partitions},
                    {"gpus", std::move(gpus)}});
  }
  return dump(list);
}

std::string partitions_array(const std::vector<slurm::Partition>& partitions) {
  Ordered list = Ordered::array();
  for (const auto& partition : partitions) {
    list.push_back(
        {{"name", partition.name},
         {"default", partition.is_default},
         {"state", std::string(slurm::to_string(partition.state))},
         {"nodes", partition.nodes},
         {"total_nodes", partition.total_nodes},
         {"total_cpus", partition.total_cpus},
         {"max_time_minutes",
          partition.max_time ? Ordered(partition.max_time->count()) : Ordered(nullptr)},
         {"default_time_minutes",
          partition.default_time ? Ordered(partition.default_time->count()) : Ordered(nullptr)}});
  }
  return dump(list);
}

core::Result<projects::Registration> read_registration(std::string_view body) {
  auto fields =
      Fields::parse(body, {"path", "name", "entry_command", "setup", "default_cluster"});
  if (!fields) return std::unexpected(fields.error());
  projects::Registration registration;
  SORTIE_READ(fields->text("path"), registration.path);
  if (registration.path.empty()) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "field 'path' is required: the path of a Git checkout on the server's "
                      "machine");
  }
  SORTIE_READ(fields->text("name"), registration.name);
  SORTIE_READ(fields->text("entry_command"), registration.entry_command);
  SORTIE_READ(fields->strings("setup"), registration.setup);
  std::string cluster;
  SORTIE_READ(fields->text("default_cluster"), cluster);
  if (!cluster.empty()) registration.default_cluster = cluster;
  return registration;
}

core::Result<ProjectPatch> read_project_patch(std::string_view body) {
  auto fields = Fields::parse(body, {"entry_command", "setup", "default_cluster"});
  if (!fields) return std::unexpected(fields.error());
  ProjectPatch patch;
  SORTIE_READ(fields->text("entry_command"), patch.entry_command);
  if (patch.entry_command && patch.entry_command->empty()) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "field 'entry_command' must not be empty (e.g. \"python train.py\")");
  }
  SORTIE_READ(fields->strings("setup"), patch.setup);
  if (fields->is_null("default_cluster")) {
    patch.default_cluster = std::optional<std::string>{};
  } else {
    std::optional<std::string> cluster;
    SORTIE_READ(fields->text("default_cluster"), cluster);
    if (cluster) patch.default_cluster = cluster;
  }
  return patch;
}

core::Result<LaunchBody> read_launch(std::string_view body) {
  auto fields = Fields::parse(
      body, {"project_id", "cluster", "partition", "gpu_type", "gpus", "nodes", "cpus_per_task",
             "memory", "time", "name", "arguments", "mode", "account", "qos", "constraint",
             "multirun", "paired", "parallelism"});
  if (!fields) return std::unexpected(fields.error());
  LaunchBody launch;
  std::optional<std::int64_t> project;
  SORTIE_READ(fields->integer("project_id", 1, std::numeric_limits<std::int64_t>::max()), project);
  if (!project) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "field 'project_id' is required: the id of a registered project");
  }
  launch.project_id = *project;
  SORTIE_READ(fields->text("cluster"), launch.cluster);
  auto& spec = launch.spec;
  SORTIE_READ(fields->text("partition"), spec.partition);
  std::optional<std::int64_t> gpus;
  SORTIE_READ(fields->integer("gpus", 0, 1024), gpus);
  std::string gpu_type;
  SORTIE_READ(fields->text("gpu_type"), gpu_type);
  if (gpus && *gpus > 0) {
    spec.gpus = gpu_type.empty() ? std::to_string(*gpus) : fmt::format("{}:{}", gpu_type, *gpus);
  } else if (!gpu_type.empty()) {
    spec.gpus = fmt::format("{}:1", gpu_type);
  }
  std::optional<std::int64_t> number;
  SORTIE_READ(fields->integer("nodes", 1, 100'000), number);
  if (number) spec.nodes = static_cast<int>(*number);
  number.reset();
  SORTIE_READ(fields->integer("cpus_per_task", 1, 100'000), number);
  if (number) spec.cpus_per_task = static_cast<int>(*number);
  SORTIE_READ(fields->text("memory"), spec.memory);
  SORTIE_READ(fields->text("time"), spec.time);
  SORTIE_READ(fields->text("name"), spec.name);
  SORTIE_READ(fields->strings("arguments"), spec.arguments);
  SORTIE_READ(fields->text("mode"), spec.mode);
  SORTIE_READ(fields->text("account"), spec.account);
  SORTIE_READ(fields->text("qos"), spec.qos);
  SORTIE_READ(fields->text("constraint"), spec.constraint);
  SORTIE_READ(fields->boolean("multirun"), launch.multirun);
  SORTIE_READ(fields->boolean("paired"), launch.paired);
  std::optional<std::int64_t> parallelism;
  SORTIE_READ(fields->integer("parallelism", 1, kMaxInt), parallelism);
  if (parallelism) launch.parallelism = static_cast<int>(*parallelism);
  return launch;
}

core::Result<HydraBody> read_hydra(std::string_view body) {
  auto fields = Fields::parse(body, {"project_id", "overrides", "paired"});
  if (!fields) return std::unexpected(fields.error());
  HydraBody hydra;
  SORTIE_READ(fields->integer("project_id", 1, std::numeric_limits<std::int64_t>::max()),
              hydra.project_id);
  SORTIE_READ(fields->strings("overrides"), hydra.overrides);
  SORTIE_READ(fields->boolean("paired"), hydra.paired);
  return hydra;
}

core::Result<std::string> read_token(std::string_view body) {
  auto fields = Fields::parse(body, {"token"});
  if (!fields) return std::unexpected(fields.error());
  std::string token;
  SORTIE_READ(fields->text("token"), token);
  if (token.empty()) {
    return core::fail(core::ErrorCode::invalid_argument,
                      "field 'token' is required: an API token from `sortie tokens create NAME`");
  }
  return token;
}

std::string launch_document(const LaunchBody& launch) {
  const auto& spec = launch.spec;
  Ordered body = {{"project_id", launch.project_id}};
  auto text = [&](const char* name, const std::string& value) {
    if (!value.empty()) body[name] = value;
  };
  text("cluster", launch.cluster);
  text("partition", spec.partition);
  if (!spec.gpus.empty()) {
    // "TYPE:N" or "N", as the CLI takes it.
    const auto colon = spec.gpus.rfind(':');
    const std::string count = colon == std::string::npos ? spec.gpus : spec.gpus.substr(colon + 1);
    if (colon != std::string::npos) body["gpu_type"] = spec.gpus.substr(0, colon);
    std::int64_t number = 0;
    auto [end, error] = std::from_chars(count.data(), count.data() + count.size(), number);
    if (error == std::errc{} && end == count.data() + count.size()) {
      body["gpus"] = number;
    } else {
      body["gpus"] = count;  // refused by the server with the field named
    }
  }
  body["nodes"] = spec.nodes;
  if (spec.cpus_per_task > 0) body["cpus_per_task"] = spec.cpus_per_task;
  text("memory", spec.memory);
  text("time", spec.time);
  text("name", spec.name);
  text("mode", spec.mode);
  text("account", spec.account);
  text("qos", spec.qos);
  text("constraint", spec.constraint);
  body["arguments"] = spec.arguments;
  if (launch.multirun) body["multirun"] = true;
  if (launch.paired) body["paired"] = true;
  if (launch.parallelism) body["parallelism"] = *launch.parallelism;
  return dump(body);
}

std::optional<core::Error> read_error(std::string_view body) {
  auto document = Json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.is_object() || !document.contains("error")) {
    return std::nullopt;
  }
  const auto& error = document["error"];
  if (!error.is_object() || !error.contains("message") || !error["message"].is_string()) {
    return std::nullopt;
  }
  const std::string code = error.value("code", "");
  return core::Error{core::parse_error_code(code).value_or(core::ErrorCode::command_failed),
                     error["message"].get<std::string>()};
}

Created read_created(std::string_view body) {
  Created created;
  auto document = Json::parse(body, nullptr, false);
  if (document.is_discarded() || !document.is_object()) return created;
  if (document.contains("sweep_id") && document["sweep_id"].is_string()) {
    created.sweep_id = document["sweep_id"].get<std::string>();
    if (document.contains("jobs") && document["jobs"].is_array()) {
      for (const auto& job : document["jobs"]) {
        if (job.is_object() && job.contains("id") && job["id"].is_number_integer()) {
          created.job_ids.push_back(job["id"].get<std::int64_t>());
        }
      }
    }
  } else if (document.contains("id") && document["id"].is_number_integer()) {
    created.job_ids.push_back(document["id"].get<std::int64_t>());
  } else if (document.contains("job") && document["job"].is_object() &&
             document["job"].contains("id") && document["job"]["id"].is_number_integer()) {
    // A refused submission that left a record: {"error": ..., "job": {...}}.
    created.job_ids.push_back(document["job"]["id"].get<std::int64_t>());
  }
  return created;
}

}  // namespace sortie::json
