#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "sortie/cli/context.hpp"
#include "sortie/cli/exit_codes.hpp"
#include "sortie/hydra/grammar.hpp"
#include "sortie/hydra/render.hpp"
#include "sortie/hydra/sweep.hpp"
#include "sortie/json/hydra_overrides.hpp"

namespace sortie::cli {
namespace {

struct HydraOptions {
  bool json = false;
  std::vector<std::string> overrides;
};

std::string join_rendered(const std::vector<hydra::Value>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += hydra::render_value(values[i]);
  }
  return out;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += (i > 0 ? "," : "") + words[i];
  return out;
}

// The value in override syntax, so that what is shown could be pasted back.
std::string describe(const hydra::OverrideValue& value) {
  std::string text;
  std::vector<std::string> tags;
  bool shuffled = false;
  if (const auto* element = std::get_if<hydra::Value>(&value)) {
    return hydra::render_value(*element);
  } else if (const auto* choice = std::get_if<hydra::ChoiceSweep>(&value)) {
    text = choice->simple_form ? join_rendered(choice->choices)
                               : fmt::format("choice({})", join_rendered(choice->choices));
    tags = choice->tags;
    shuffled = choice->shuffle;
  } else if (const auto* range = std::get_if<hydra::RangeSweep>(&value)) {
    text = fmt::format("range({},{},{})", hydra::render_value(range->start),
                       hydra::render_value(range->stop), hydra::render_value(range->step));
    tags = range->tags;
    shuffled = range->shuffle;
  } else if (const auto* interval = std::get_if<hydra::IntervalSweep>(&value)) {
    text = fmt::format("interval({},{})", hydra::render_float(interval->start),
                       hydra::render_float(interval->end));
    tags = interval->tags;
  } else {
    const auto& glob = std::get<hydra::GlobSweep>(value);
    text =
        fmt::format("glob([{}],exclude=[{}])", join_words(glob.include), join_words(glob.exclude));
  }
  if (shuffled) text = fmt::format("shuffle({})", text);
  if (!tags.empty()) text = fmt::format("tag({},{})", join_words(tags), text);
  return text;
}

int hydra_parse(const HydraOptions& options) {
  std::vector<json::HydraOverrideReport> reports;
  bool all_parsed = true;
  for (const auto& input : options.overrides) {
    json::HydraOverrideReport report{input, hydra::parse_override(input)};
    if (report.parsed)
      report.jobs = hydra::expand_override(*report.parsed);
    else
      all_parsed = false;
    reports.push_back(std::move(report));
  }
  if (options.json) {
    fmt::print("{}\n", json::to_json(reports));
  } else {
    for (const auto& report : reports) {
      if (!report.parsed) {
        fmt::print("{}\terror: {}\n", report.input, report.parsed.error().message);
        continue;
      }
      const auto& parsed = *report.parsed;
      fmt::print("{}\t{} key={} package={} type={} value={}\n", report.input,
                 hydra::to_string(parsed.kind), parsed.key,
                 parsed.package ? (parsed.package->empty() ? "''" : *parsed.package) : "-",
                 hydra::to_string(hydra::value_type(parsed)),
                 parsed.value ? describe(*parsed.value) : "-");
    }
  }
  return all_parsed ? 0 : exit_code_for(core::ErrorCode::invalid_argument);
}

}  // namespace

void add_hydra_commands(CLI::App& app, Context& context) {
  auto options = std::make_shared<HydraOptions>();
  auto* hydra = app.add_subcommand("hydra", "Hydra overrides as sortie understands them");
  hydra->require_subcommand(1);
  auto* parse = hydra->add_subcommand(
      "parse",
      "Parse Hydra 1.3 command-line overrides and show how each is read and swept "
      "(put `--` before overrides that start with `-` or `+`)");
  parse->add_flag("--json", options->json, "Print JSON (shape in docs/hydra/overrides.md)");
  parse->add_option("overrides", options->overrides, "Overrides, e.g. db=mysql lr=0.1,0.01")
      ->required();
  parse->callback([&context, options] { context.status = hydra_parse(*options); });
}

}  // namespace sortie::cli
