#include "sortie/hydra/sweep.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>
#include <random>

#include "sortie/hydra/functions.hpp"
#include "sortie/hydra/grammar.hpp"
#include "sortie/hydra/render.hpp"

namespace sortie::hydra {
namespace {

core::Error invalid(std::string message) {
  return core::Error{core::ErrorCode::invalid_argument, std::move(message)};
}

template <class T>
void shuffle_in_place(std::vector<T>& items, std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  for (std::size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[generator() % i]);
}

// Each override shuffles with its own stream, so two shuffled keys do not move in lockstep.
std::uint64_t seed_for(const Override& override_value, std::uint64_t seed) {
  return seed ^ std::hash<std::string>{}(override_value.key);
}

std::string upper_name(ValueType type) {
  switch (type) {
    case ValueType::element:
      return "ELEMENT";
    case ValueType::simple_choice_sweep:
      return "SIMPLE_CHOICE_SWEEP";
    case ValueType::choice_sweep:
      return "CHOICE_SWEEP";
    case ValueType::range_sweep:
      return "RANGE_SWEEP";
    case ValueType::interval_sweep:
      return "INTERVAL_SWEEP";
    case ValueType::glob_sweep:
      return "GLOB_CHOICE_SWEEP";
  }
  return "ELEMENT";
}

bool is_hydra_key(const std::string& key) {
  return key.starts_with("hydra.") || key.starts_with("hydra/");
}

std::string count_text(SweepSize size) {
  switch (size.precision) {
    case SweepSize::Precision::exact:
      return fmt::format("{}", size.count);
    case SweepSize::Precision::about:
      return fmt::format("about {}", size.count);
    case SweepSize::Precision::at_least:
      return size.count == std::numeric_limits<std::uint64_t>::max()
                 ? std::string("more than 2^64")
                 : fmt::format("at least {}", size.count);
  }
  return fmt::format("{}", size.count);
}

// a * b, or the largest count (marked a lower bound) when it does not fit in 64 bits.
SweepSize times(SweepSize size, std::uint64_t factor) {
  if (factor != 0 && size.count > std::numeric_limits<std::uint64_t>::max() / factor)
    return SweepSize{std::numeric_limits<std::uint64_t>::max(), SweepSize::Precision::at_least};
  return SweepSize{size.count * factor, size.precision};
}

// The values of a sweep shown in a message: `'x=1,2,3'`, or the start of a long one.
std::string shown(const std::string& input) {
  constexpr std::size_t k_shown = 100;
  if (input.size() <= k_shown) return fmt::format("'{}'", input);
  return fmt::format("'{}...'", input.substr(0, k_shown));
}

// The options of the group a glob() selects, sorted as Hydra lists them, without making
// any override text.
core::Result<std::vector<std::string>> glob_selection(const Override& override_value,
                                                      const SweepOptions& options) {
  const auto& glob = std::get<GlobSweep>(*override_value.value);
  if (!options.group_options)
    return std::unexpected(
        invalid(fmt::format("'{}' needs the options of config group '{}' to expand glob()",
                            override_value.input, override_value.key)));
  std::vector<std::string> names = options.group_options(override_value.key);
  std::sort(names.begin(), names.end());
  auto matches_any = [](const std::string& name, const std::vector<std::string>& patterns) {
    return std::any_of(patterns.begin(), patterns.end(),
                       [&](const std::string& pattern) { return glob_match(name, pattern); });
  };
  std::erase_if(names, [&](const std::string& name) {
    return !matches_any(name, glob.include) || matches_any(name, glob.exclude);
  });
  return names;
}

}  // namespace

core::Result<void> check_sweep_size(std::string_view what, SweepSize size, std::string_view unit,
                                    std::string_view hint, std::size_t limit) {
  if (size.count <= limit) return {};
  return std::unexpected(invalid(
      fmt::format("{} would make {} {}; at most {}: {}", what, count_text(size), unit, limit, hint)));
}

core::Result<SweepSize> sweep_size(const Override& override_value, const SweepOptions& options) {
  if (!override_value.value || std::holds_alternative<Value>(*override_value.value))
    return SweepSize{1};
  const auto& value = *override_value.value;
  if (const auto* choice = std::get_if<ChoiceSweep>(&value)) return SweepSize{choice->choices.size()};
  if (const auto* range = std::get_if<RangeSweep>(&value)) {
    auto size = range_size(*range, k_max_jobs);
    if (!size)
      return std::unexpected(invalid(fmt::format("{} in '{}': {}", size.error().type,
                                                 override_value.input, size.error().message)));
    return *size;
  }
  if (std::holds_alternative<GlobSweep>(value)) {
    auto names = glob_selection(override_value, options);
    if (!names) return std::unexpected(names.error());
    return SweepSize{names->size()};
  }
  return std::unexpected(
      invalid(fmt::format("BasicSweeper does not support sweep type : {} ('{}')",
                          upper_name(value_type(override_value)), override_value.input)));
}

core::Result<std::vector<std::string>> expand_override(const Override& override_value,
                                                       const SweepOptions& options) {
  if (!override_value.value || std::holds_alternative<Value>(*override_value.value))
    return std::vector<std::string>{render_element_override(override_value)};
  auto size = sweep_size(override_value, options);
  if (!size) return std::unexpected(size.error());
  const auto& value = *override_value.value;
  const auto* range = std::get_if<RangeSweep>(&value);
  const std::string what = range ? fmt::format("{}: {}", shown(override_value.input),
                                               describe_range(*range))
                                 : shown(override_value.input);
  const std::string_view hint = range                                  ? "use a larger step or a smaller range"
                                : std::holds_alternative<GlobSweep>(value) ? "narrow the patterns"
                                                                           : "sweep fewer values";
  if (auto checked = check_sweep_size(what, *size, "values", hint,
                                      std::min(options.max_jobs, k_max_jobs));
      !checked)
    return std::unexpected(checked.error());

  const std::string key = render_key(override_value);
  std::vector<std::string> jobs;
  jobs.reserve(size->count);
  if (const auto* choice = std::get_if<ChoiceSweep>(&value)) {
    std::vector<Value> choices = choice->choices;
    if (choice->shuffle) shuffle_in_place(choices, seed_for(override_value, options.shuffle_seed));
    for (const auto& item : choices) jobs.push_back(fmt::format("{}={}", key, render_value(item)));
    return jobs;
  }
  if (range) {
    auto values = range_values(*range);
    if (!values)
      return std::unexpected(invalid(fmt::format("{} in '{}': {}", values.error().type,
                                                 override_value.input, values.error().message)));
    if (range->shuffle) shuffle_in_place(*values, seed_for(override_value, options.shuffle_seed));
    for (const auto& item : *values) jobs.push_back(fmt::format("{}={}", key, render_value(item)));
    return jobs;
  }
  // A glob: Hydra passes the option names through unrendered.
  auto names = glob_selection(override_value, options);
  if (!names) return std::unexpected(names.error());
  for (const auto& name : *names) jobs.push_back(fmt::format("{}={}", key, name));
  return jobs;
}

std::vector<core::Result<std::vector<std::string>>> expand_overrides(
    const std::vector<core::Result<Override>>& overrides, const SweepOptions& options) {
  const std::size_t limit = std::min(options.max_jobs, k_max_jobs);
  std::uint64_t made = 0;
  std::vector<core::Result<std::vector<std::string>>> sweeps;
  sweeps.reserve(overrides.size());
  for (const auto& override_value : overrides) {
    if (!override_value) {
      sweeps.push_back(std::unexpected(override_value.error()));
      continue;
    }
    if (!is_sweep(*override_value)) {
      sweeps.push_back(expand_override(*override_value, options));
      continue;
    }
    auto size = sweep_size(*override_value, options);
    if (!size) {
      sweeps.push_back(std::unexpected(size.error()));
      continue;
    }
    if (size->count <= limit && size->count > limit - made) {
      sweeps.push_back(std::unexpected(invalid(fmt::format(
          "{} would make {} values, but the sweeps before it made {} and one request may make "
          "at most {} in all: ask for it on its own or with fewer sweeps",
          shown(override_value->input), size->count, made, limit))));
      continue;
    }
    auto expanded = expand_override(*override_value, options);
    if (expanded) made += expanded->size();
    sweeps.push_back(std::move(expanded));
  }
  return sweeps;
}

core::Result<std::vector<std::vector<std::string>>> expand_jobs(
    const std::vector<Override>& overrides, SweepMode mode, const SweepOptions& options) {
  struct Column {
    std::string key;
    std::string input;
    bool swept = false;
    std::vector<std::string> values;
  };
  // Each column may have up to k_max_jobs values; max_jobs bounds their product below.
  SweepOptions column_options = options;
  column_options.max_jobs = k_max_jobs;
  std::vector<Column> columns;
  for (const auto& override_value : overrides) {
    auto values = expand_override(override_value, column_options);
    if (!values) return std::unexpected(values.error());
    const std::string key = render_key(override_value);
    auto existing = std::find_if(columns.begin(), columns.end(),
                                 [&](const Column& column) { return column.key == key; });
    Column column{key, override_value.input, is_sweep(override_value), std::move(*values)};
    if (existing != columns.end())
      *existing = std::move(column);
    else
      columns.push_back(std::move(column));
  }

  const std::size_t limit = std::min(options.max_jobs, k_max_jobs);
  std::size_t job_count = 1;
  if (mode == SweepMode::paired) {
    const Column* first_swept = nullptr;
    for (const auto& column : columns) {
      if (!column.swept) continue;
      if (first_swept == nullptr) {
        first_swept = &column;
        job_count = column.values.size();
      } else if (column.values.size() != job_count) {
        std::vector<std::string> lengths;
        for (const auto& swept : columns)
          if (swept.swept)
            lengths.push_back(fmt::format("{} has {}", swept.key, swept.values.size()));
        return std::unexpected(
            invalid(fmt::format("paired sweeps must all have the same number of values, but {}",
                                fmt::join(lengths, ", "))));
      }
    }
    if (auto checked = check_sweep_size("the sweep", SweepSize{job_count}, "jobs",
                                        "sweep fewer values", limit);
        !checked)
      return std::unexpected(checked.error());
    std::vector<std::vector<std::string>> jobs(job_count);
    for (std::size_t job = 0; job < job_count; ++job) {
      jobs[job].reserve(columns.size());
      for (const auto& column : columns)
        jobs[job].push_back(column.swept ? column.values[job] : column.values.front());
    }
    return jobs;
  }

  std::vector<std::string> factors;
  for (const auto& column : columns)
    if (column.swept) factors.push_back(fmt::format("{} ({})", column.values.size(), column.key));
  SweepSize product{1};
  for (const auto& column : columns) product = times(product, column.values.size());
  if (auto checked = check_sweep_size(fmt::format("the sweep ({})", fmt::join(factors, " x ")),
                                      product, "jobs", "sweep fewer values or fewer keys", limit);
      !checked)
    return std::unexpected(checked.error());
  job_count = product.count;
  std::vector<std::vector<std::string>> jobs;
  jobs.reserve(job_count);
  if (job_count == 0) return jobs;
  // An odometer over the columns: the last column turns fastest, as itertools.product does.
  std::vector<std::size_t> digits(columns.size(), 0);
  for (std::size_t job = 0; job < job_count; ++job) {
    std::vector<std::string> line;
    line.reserve(columns.size());
    for (std::size_t i = 0; i < columns.size(); ++i) line.push_back(columns[i].values[digits[i]]);
    jobs.push_back(std::move(line));
    for (std::size_t i = columns.size(); i > 0; --i) {
      if (++digits[i - 1] < columns[i - 1].values.size()) break;
      digits[i - 1] = 0;
    }
  }
  return jobs;
}

core::Result<void> check_single_run(const std::vector<Override>& overrides, OverrideSource source) {
  for (const auto& override_value : overrides) {
    if (!is_sweep(override_value)) continue;
    if (value_type(override_value) == ValueType::simple_choice_sweep) {
      const std::string example =
          source == OverrideSource::shell ? "key=\\'value1,value2\\'" : "key='value1,value2'";
      return std::unexpected(
          invalid(fmt::format("Ambiguous value for argument '{}'\n"
                              "1. To use it as a list, use key=[value1,value2]\n"
                              "2. To use it as string, quote the value: {}\n"
                              "3. To sweep over it, add --multirun to your command line",
                              override_value.input, example)));
    }
    return std::unexpected(
        invalid(fmt::format("Sweep parameters '{}' requires --multirun", override_value.input)));
  }
  return {};
}

core::Result<void> check_multirun(const std::vector<Override>& overrides) {
  for (const auto& override_value : overrides)
    if (is_sweep(override_value) && is_hydra_key(override_value.key))
      return std::unexpected(invalid(fmt::format(
          "Sweeping over Hydra's configuration is not supported : '{}'", override_value.input)));
  return {};
}

}  // namespace sortie::hydra
