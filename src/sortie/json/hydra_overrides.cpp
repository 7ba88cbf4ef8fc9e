#include "sortie/json/hydra_overrides.hpp"

#include <cmath>

#include "sortie/hydra/grammar.hpp"
#include "sortie/json/hydra_value_json.hpp"

namespace sortie::json {
namespace {

using Json = nlohmann::ordered_json;

Json strings_json(const std::vector<std::string>& strings) {
  Json array = Json::array();
  for (const auto& text : strings) array.push_back(text);
  return array;
}

Json sweep_json(const hydra::OverrideValue& value) {
  if (const auto* element = std::get_if<hydra::Value>(&value)) return hydra_value_json(*element);
  Json object = Json::object();
  if (const auto* choice = std::get_if<hydra::ChoiceSweep>(&value)) {
    Json choices = Json::array();
    for (const auto& item : choice->choices) choices.push_back(hydra_value_json(item));
    object["choices"] = std::move(choices);
    object["shuffle"] = choice->shuffle;
    object["tags"] = strings_json(choice->tags);
  } else if (const auto* range = std::get_if<hydra::RangeSweep>(&value)) {
    object["start"] = hydra_value_json(range->start);
    object["stop"] = hydra_value_json(range->stop);
    object["step"] = hydra_value_json(range->step);
    object["shuffle"] = range->shuffle;
    object["tags"] = strings_json(range->tags);
  } else if (const auto* interval = std::get_if<hydra::IntervalSweep>(&value)) {
    object["start"] = hydra_value_json(hydra::Value{interval->start});
    object["end"] = hydra_value_json(hydra::Value{interval->end});
    object["tags"] = strings_json(interval->tags);
  } else {
    const auto& glob = std::get<hydra::GlobSweep>(value);
    object["include"] = strings_json(glob.include);
    object["exclude"] = strings_json(glob.exclude);
    object["tags"] = strings_json(glob.tags);
  }
  return object;
}

Json report_json(const HydraOverrideReport& report) {
  Json entry;
  entry["input"] = report.input;
  if (!report.parsed) {
    entry["error"] = report.parsed.error().message;
    return entry;
  }
  const auto& parsed = *report.parsed;
  entry["kind"] = std::string(hydra::to_string(parsed.kind));
  entry["key"] = parsed.key;
  entry["package"] = parsed.package ? Json(*parsed.package) : Json(nullptr);
  entry["value_type"] = std::string(hydra::to_string(hydra::value_type(parsed)));
  entry["value"] = parsed.value ? sweep_json(*parsed.value) : Json(nullptr);
  if (report.jobs) {
    entry["sweep"] = strings_json(*report.jobs);
  } else {
    entry["sweep"] = nullptr;
    entry["sweep_error"] = report.jobs.error().message;
  }
  return entry;
}

}  // namespace

std::string to_json(const std::vector<HydraOverrideReport>& reports) {
  Json array = Json::array();
  for (const auto& report : reports) array.push_back(report_json(report));
  return array.dump(2, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sortie::json
