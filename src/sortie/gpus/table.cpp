#include "sortie/gpus/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace sortie::gpus {
namespace {

std::string nodes_with_free(const TypeAvailability& type) {
  std::string text;
  for (const auto& node : type.nodes) {
    if (!text.empty()) text += ' ';
    text += fmt::format("{}:{}", node.name, node.free);
  }
  return text.empty() ? "-" : text;
}

void render_types(std::string& out, const std::vector<TypeAvailability>& types,
                  std::int64_t pending_untyped, std::string_view indent) {
  if (types.empty()) {
    out += fmt::format("{}no GPUs\n", indent);
  } else {
    std::size_t width = std::string_view("TYPE").size();
    for (const auto& type : types) width = std::max(width, type.type.size());
    out += fmt::format("{}{:<{}}  {:>5}  {:>5}  {:>5}  {:>8}  {:>7}  {:>7}  {}\n", indent, "TYPE",
                       width, "TOTAL", "USED", "FREE", "PWR-DOWN", "UNAVAIL", "PENDING",
                       "NODES-WITH-FREE");
    for (const auto& type : types) {
      out += fmt::format("{}{:<{}}  {:>5}  {:>5}  {:>5}  {:>8}  {:>7}  {:>7}  {}\n", indent,
                         type.type, width, type.total, type.used, type.free, type.powered_down,
                         type.unavailable, type.pending, nodes_with_free(type));
    }
  }
  if (pending_untyped > 0) {
    out += fmt::format("{}pending GPUs of any type: {}\n", indent, pending_untyped);
  }
}

}  // namespace

std::string iso8601_utc(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto seconds = floor<std::chrono::seconds>(time);
  const auto day = floor<days>(seconds);
  const year_month_day date{day};
  const hh_mm_ss clock{seconds - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                     clock.hours().count(), clock.minutes().count(), clock.seconds().count());
}

std::string render_table(const Availability& availability) {
  std::string out =
      fmt::format("GPUs on {} at {}\n\n",
                  availability.cluster.empty() ? "(unnamed cluster)" : availability.cluster,
                  iso8601_utc(availability.queried_at));
  render_types(out, availability.gpu_types, availability.pending_untyped, "");
  for (const auto& partition : availability.partitions) {
    out += fmt::format("\npartition {}\n", partition.name);
    render_types(out, partition.gpu_types, partition.pending_untyped, "  ");
  }
  return out;
}

}  // namespace sortie::gpus
