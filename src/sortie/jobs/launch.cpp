#include "sortie/jobs/launch.hpp"

#include <fmt/format.h>

#include <charconv>

#include "sortie/jobs/code.hpp"
#include "sortie/jobs/template.hpp"

namespace sortie::jobs {
namespace {

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

core::Result<void> read_gpus(const std::string& text, script::Resources& resources) {
  if (text.empty()) return {};
  const auto colon = text.rfind(':');
  const std::string count = colon == std::string::npos ? text : text.substr(colon + 1);
  auto number = parse_integer(count);
  if (!number || *number < 0 || (colon != std::string::npos && colon == 0)) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("gpus '{}': write TYPE:N (e.g. a100:2) or N", text));
  }
  resources.gpus = *number;
  if (colon != std::string::npos) resources.gpu_type = text.substr(0, colon);
  return {};
}

core::Result<std::optional<store::DeliveryMode>> read_mode(const std::string& text) {
  if (text.empty()) return std::optional<store::DeliveryMode>{};
  if (text == "git") return std::optional{store::DeliveryMode::git};
  if (text == "snapshot") return std::optional{store::DeliveryMode::snapshot};
  return core::fail(core::ErrorCode::invalid_argument,
                    fmt::format("mode '{}': use git or snapshot", text));
}

core::Result<SubmitRequest> prepare_request(const store::Project& project,
                                            const config::Cluster& cluster,
                                            const LaunchSpec& spec) {
  SubmitRequest request;
  request.project = project;
  request.cluster = cluster;
  request.name = spec.name;
  request.arguments = spec.arguments;

  script::Resources& resources = request.resources;
  if (!spec.partition.empty()) resources.partition = spec.partition;
  if (auto ok = read_gpus(spec.gpus, resources); !ok) return std::unexpected(ok.error());
  if (spec.nodes < 1) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("nodes {}: ask for at least 1 node", spec.nodes));
  }
  resources.nodes = spec.nodes;
  if (spec.cpus_per_task < 0) {
    return core::fail(core::ErrorCode::invalid_argument,
                      fmt::format("cpus {}: ask for a positive number of CPUs per task, or "
                                  "leave it out for SLURM's default",
                                  spec.cpus_per_task));
  }
  if (spec.cpus_per_task > 0) resources.cpus_per_task = spec.cpus_per_task;
  if (!spec.memory.empty()) resources.memory = spec.memory;
  if (!spec.account.empty()) resources.account = spec.account;
  if (!spec.qos.empty()) resources.qos = spec.qos;
  if (!spec.constraint.empty()) resources.constraint = spec.constraint;
  if (!spec.time.empty()) {
    auto limit = script::parse_time_request(spec.time);
    if (!limit) return std::unexpected(limit.error());
    resources.time_limit = *limit;
  }

  auto mode = read_mode(spec.mode);
  if (!mode) return std::unexpected(mode.error());
  auto chosen = choose_template(project, cluster);
  if (!chosen) return std::unexpected(chosen.error());
  request.script_template = std::move(chosen->script_template);

  auto code = resolve_code(project.path, *mode);
  if (!code) return std::unexpected(code.error());
  request.code = std::move(*code);
  return request;
}

}  // namespace sortie::jobs
