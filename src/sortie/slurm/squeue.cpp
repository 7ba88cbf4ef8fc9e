#include "sortie/slurm/squeue.hpp"

#include <fmt/format.h>

#include <array>
#include <optional>

#include "sortie/slurm/fields.hpp"

namespace sortie::slurm {
namespace {

// A count as a TRES string or squeue prints it, with an optional K/M/G multiplier.
std::optional<std::int64_t> parse_tres_count(std::string_view text) {
  std::int64_t multiplier = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K':
      case 'k':
        multiplier = 1024;
        break;
      case 'M':
      case 'm':
        multiplier = std::int64_t{1024} * 1024;
        break;
      case 'G':
      case 'g':
        multiplier = std::int64_t{1024} * 1024 * 1024;
        break;
      default:
        break;
    }
    if (multiplier != 1) text.remove_suffix(1);
  }
  const auto count = detail::parse_count(text);
  if (!count || *count > (std::int64_t{1} << 40)) return std::nullopt;
  return *count * multiplier;
}

void add_request(std::vector<GpuRequest>& requests, std::string_view type, std::int64_t count) {
  for (auto& request : requests) {
    if (request.type == type) {
      request.count += count;
      return;
    }
  }
  requests.push_back(GpuRequest{std::string(type), count});
}

// The first whole number in `text` ("2", or the minimum of a range such as "2-4").
std::optional<std::int64_t> leading_count(std::string_view text) {
  std::size_t length = 0;
  while (length < text.size() && text[length] >= '0' && text[length] <= '9') ++length;
  if (length != text.size() && (length == 0 || text[length] != '-')) return std::nullopt;
  return detail::parse_count(text.substr(0, length));
}

}  // namespace

std::string pending_jobs_format() {
  std::string format;
  std::string_view fields = kPendingJobsFields;
  while (true) {
    const auto comma = fields.find(',');
    if (!format.empty()) format += ',';
    format += fields.substr(0, comma);
    format += ":|";
    if (comma == std::string_view::npos) break;
    fields.remove_prefix(comma + 1);
  }
  return format;
}

core::Result<std::vector<GpuRequest>> parse_tres_gpus(std::string_view text) {
  std::vector<GpuRequest> requests;
  text = detail::trim(text);
  if (text.empty() || text == "N/A" || text == "(null)") return requests;
  while (true) {
    const auto comma = text.find(',');
    std::string_view entry = detail::trim(text.substr(0, comma));
    if (entry.starts_with("gres:") || entry.starts_with("gres/")) entry.remove_prefix(5);
    std::string_view spec = entry;
    std::optional<std::string_view> count_text;
    if (const auto equals = entry.find('='); equals != std::string_view::npos) {
      spec = entry.substr(0, equals);
      count_text = entry.substr(equals + 1);
    }
    // spec: name[:type][:count] (the count only in the colon form)
    std::array<std::string_view, 4> parts{};
    std::size_t count = 0;
    bool too_many = false;
    while (true) {
      const auto colon = spec.find(':');
      if (count == parts.size()) {
        too_many = true;
        break;
      }
      parts[count++] = spec.substr(0, colon);
      if (colon == std::string_view::npos) break;
      spec.remove_prefix(colon + 1);
    }
    if (!too_many && parts[0] == "gpu") {
      std::string_view type;
      if (!count_text && count > 1) {
        // gpu:2, gpu:a100:2 or gpu:a100
        if (parse_tres_count(parts[count - 1])) {
          count_text = parts[count - 1];
          --count;
        }
      }
      if (count > 2) {
        return core::fail(core::ErrorCode::parse_error,
                          fmt::format("unrecognised GPU request '{}'", entry));
      }
      if (count == 2) type = parts[1];
      if (type == "(null)") type = {};
      std::int64_t gpus = 1;
      if (count_text) {
        const auto parsed = parse_tres_count(*count_text);
        if (!parsed) {
          return core::fail(core::ErrorCode::parse_error,
                            fmt::format("GPU request '{}' has no valid count", entry));
        }
        gpus = *parsed;
      }
      if (gpus > 0) add_request(requests, type, gpus);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return requests;
}

core::Result<std::vector<PendingJob>> parse_pending_jobs(std::string_view output) {
  std::vector<PendingJob> jobs;
  std::optional<core::Error> error;
  constexpr std::size_t kFieldCount = 7;
  detail::for_each_line(output, [&](std::size_t number, std::string_view line) {
    auto fail = [&](std::string message) {
      error = core::Error{core::ErrorCode::parse_error,
                          fmt::format("squeue, line {}: {}", number, message)};
      return false;
    };
    if (detail::trim(line).empty()) return true;
    std::array<std::string_view, kFieldCount> fields{};
    std::size_t count = 0;
    std::string_view rest = line;
    while (count < kFieldCount) {
      const auto bar = rest.find('|');
      if (bar == std::string_view::npos) break;
      fields[count++] = detail::trim(rest.substr(0, bar));
      rest.remove_prefix(bar + 1);
    }
    if (count != kFieldCount || !detail::trim(rest).empty()) {
      return fail(fmt::format("expected {} fields ({}), each followed by '|', got '{}'",
                              kFieldCount, kPendingJobsFields, line.substr(0, 120)));
    }
    PendingJob job;
    job.job_id = std::string(fields[0]);
    if (job.job_id.empty()) return fail("empty JobID");
    std::string_view partitions = fields[1];
    while (!partitions.empty()) {
      const auto comma = partitions.find(',');
      if (const auto name = partitions.substr(0, comma); !name.empty()) {
        job.partitions.emplace_back(name);
      }
      if (comma == std::string_view::npos) break;
      partitions.remove_prefix(comma + 1);
    }
    const auto nodes = leading_count(fields[2]);
    const auto tasks = leading_count(fields[3]);
    if (!nodes) return fail(fmt::format("NumNodes '{}' is not a number", fields[2]));
    if (!tasks) return fail(fmt::format("NumTasks '{}' is not a number", fields[3]));
    const std::array<std::int64_t, 3> multipliers{std::max<std::int64_t>(*nodes, 1), 1,
                                                  std::max<std::int64_t>(*tasks, 1)};
    for (std::size_t i = 0; i < multipliers.size(); ++i) {
      auto requests = parse_tres_gpus(fields[4 + i]);
      if (!requests) return fail(fmt::format("job {}: {}", job.job_id, requests.error().message));
      for (const auto& request : *requests) {
        add_request(job.gpus, request.type, request.count * multipliers[i]);
      }
    }
    jobs.push_back(std::move(job));
    return true;
  });
  if (error) return std::unexpected(std::move(*error));
  return jobs;
}

}  // namespace sortie::slurm
