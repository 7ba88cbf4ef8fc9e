#include "sortie/hydra/preview.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "sortie/hydra/compose.hpp"
#include "sortie/hydra/functions.hpp"
#include "sortie/hydra/grammar.hpp"

namespace sortie::hydra {
namespace {

using core::ErrorCode;

// A glob that selects nothing would silently make a sweep of zero jobs; say which group and
// which options it saw instead.
core::Result<void> check_globs(const ConfigSource& source, const std::vector<Override>& overrides) {
  for (const auto& override_value : overrides) {
    if (!override_value.value) continue;
    const auto* glob = std::get_if<GlobSweep>(&*override_value.value);
    if (glob == nullptr) continue;
    if (!source.is_group(override_value.key))
      return core::fail(ErrorCode::not_found,
                        fmt::format("'{}': glob() sweeps over a config group's options, but '{}' "
                                    "is not a config group in {}",
                                    override_value.input, override_value.key, source.describe()));
    const auto options = group_options(source, override_value.key);
    const bool any = std::any_of(options.begin(), options.end(), [&](const std::string& name) {
      auto matches = [&](const std::vector<std::string>& patterns) {
        return std::any_of(patterns.begin(), patterns.end(),
                           [&](const std::string& pattern) { return glob_match(name, pattern); });
      };
      return matches(glob->include) && !matches(glob->exclude);
    });
    if (!any)
      return core::fail(ErrorCode::invalid_argument,
                        fmt::format("'{}' matches none of the options of config group '{}' ({}), "
                                    "so the sweep would have no jobs",
                                    override_value.input, override_value.key,
                                    options.empty() ? std::string("it has none")
                                                    : fmt::format("{}", fmt::join(options, ", "))));
  }
  return {};
}

}  // namespace

std::vector<std::string> group_options(const ConfigSource& source, std::string_view group) {
  std::vector<std::string> options = source.list(group).configs;
  std::sort(options.begin(), options.end());
  return options;
}

core::Result<std::vector<std::vector<std::string>>> preview_sweep(
    const ConfigSource& source, const ParseYaml& parse, std::string_view config_name,
    const std::vector<Override>& overrides, const PreviewOptions& options) {
  if (auto checked = check_multirun(overrides); !checked) return std::unexpected(checked.error());
  if (auto checked = check_globs(source, overrides); !checked)
    return std::unexpected(checked.error());

  SweepOptions sweep_options;
  sweep_options.group_options = [&source](std::string_view group) {
    return group_options(source, group);
  };
  sweep_options.max_jobs = options.max_jobs;
  auto jobs = expand_jobs(overrides, options.mode, sweep_options);
  if (!jobs) return std::unexpected(jobs.error());

  // Each job is checked from its rendered text, exactly as the job will receive it, so a value
  // that does not survive rendering is caught too.
  for (std::size_t index = 0; index < jobs->size(); ++index) {
    const auto& job = (*jobs)[index];
    auto describe_failure = [&](const core::Error& error) {
      return core::Error{error.code, fmt::format("job #{} of {} ({}): {}", index, jobs->size(),
                                                 fmt::join(job, " "), error.message)};
    };
    auto parsed = parse_overrides(job);
    if (!parsed) return std::unexpected(describe_failure(parsed.error()));
    auto composed = compose(source, parse, config_name, *parsed, options.version_base);
    if (!composed) return std::unexpected(describe_failure(composed.error()));
  }
  return jobs;
}

}  // namespace sortie::hydra
