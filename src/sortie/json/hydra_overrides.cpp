#include "sortie/json/hydra_overrides.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

#include "sortie/hydra/grammar.hpp"

namespace sortie::json {
namespace {

using Json = nlohmann::ordered_json;

Json value_json(const hydra::Value& value) {
  return std::visit(
      [](const auto& data) -> Json {
        using T = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, std::int64_t> ||
                             std::is_same_v<T, std::string>) {
          return data;
        } else if constexpr (std::is_same_v<T, double>) {
          // JSON has no inf or nan; nlohmann writes finite doubles with a `.` or an exponent.
          if (std::isnan(data)) return Json{{"float", "nan"}};
          if (std::isinf(data)) return Json{{"float", data > 0 ? "inf" : "-inf"}};
          return data;
        } else if constexpr (std::is_same_v<T, hydra::ListValue>) {
          Json array = Json::array();
          for (const auto& item : data.items) array.push_back(value_json(item));
          return array;
        } else {
          Json object = Json::object();
          for (const auto& [key, item] : data.entries) object[key] = value_json(item);
          return object;
        }
      },
      value.data);
}

Json strings_json(const std::vector<std::string>& strings) {
  Json array = Json::array();
  for (const auto& text : strings) array.push_back(text);
  return array;
}

Json sweep_json(const hydra::OverrideValue& value) {
  if (const auto* element = std::get_if<hydra::Value>(&value)) return value_json(*element);
  Json object = Json::object();
  if (const auto* choice = std::get_if<hydra::ChoiceSweep>(&value)) {
    Json choices = Json::array();
    for (const auto& item : choice->choices) choices.push_back(value_json(item));
    object["choices"] = std::move(choices);
    object["shuffle"] = choice->shuffle;
    object["tags"] = strings_json(choice->tags);
  } else if (const auto* range = std::get_if<hydra::RangeSweep>(&value)) {
    object["start"] = value_json(range->start);
    object["stop"] = value_json(range->stop);
    object["step"] = value_json(range->step);
    object["shuffle"] = range->shuffle;
    object["tags"] = strings_json(range->tags);
  } else if (const auto* interval = std::get_if<hydra::IntervalSweep>(&value)) {
    object["start"] = value_json(hydra::Value{interval->start});
    object["end"] = value_json(hydra::Value{interval->end});
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

std::string to_json(const hydra::Value& value) {
  return value_json(value).dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sortie::json
