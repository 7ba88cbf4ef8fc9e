#pragma once

// A compact, unambiguous text form of parsed overrides for the hydra tests: strings in double
// quotes, ints bare, floats as Python prints them (always with `.`, `e`, inf or nan), sweeps as
// sweep(...) (comma-separated), choice(...), range(...), interval(...), glob(...).

#include <fmt/format.h>

#include <string>

#include "sortie/hydra/grammar.hpp"
#include "sortie/hydra/render.hpp"

namespace sortie::hydra::testing {

inline std::string describe(const Value& value) {
  return std::visit(
      [](const auto& data) -> std::string {
        using T = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          return data ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return fmt::format("{}", data);
        } else if constexpr (std::is_same_v<T, double>) {
          return render_float(data);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return fmt::format("\"{}\"", data);
        } else if constexpr (std::is_same_v<T, ListValue>) {
          std::string out = "[";
          for (std::size_t i = 0; i < data.items.size(); ++i)
            out += (i ? ", " : "") + describe(data.items[i]);
          return out + "]";
        } else {
          std::string out = "{";
          for (std::size_t i = 0; i < data.entries.size(); ++i)
            out += fmt::format("{}{}: {}", i ? ", " : "", data.entries[i].first,
                               describe(data.entries[i].second));
          return out + "}";
        }
      },
      value.data);
}

inline std::string describe_list(const std::vector<Value>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + describe(values[i]);
  return out;
}

inline std::string describe_strings(const std::vector<std::string>& values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + values[i];
  return out;
}

inline std::string describe_tags(const std::vector<std::string>& tags) {
  return tags.empty() ? std::string() : fmt::format(" tags=[{}]", describe_strings(tags));
}

inline std::string describe(const OverrideValue& value) {
  if (const auto* element = std::get_if<Value>(&value)) return describe(*element);
  if (const auto* choice = std::get_if<ChoiceSweep>(&value))
    return fmt::format("{}{}({}){}", choice->shuffle ? "shuffled " : "",
                       choice->simple_form ? "sweep" : "choice", describe_list(choice->choices),
                       describe_tags(choice->tags));
  if (const auto* range = std::get_if<RangeSweep>(&value))
    return fmt::format("{}range({}, {}, {}){}", range->shuffle ? "shuffled " : "",
                       describe(range->start), describe(range->stop), describe(range->step),
                       describe_tags(range->tags));
  if (const auto* interval = std::get_if<IntervalSweep>(&value))
    return fmt::format("interval({}, {}){}", render_float(interval->start),
                       render_float(interval->end), describe_tags(interval->tags));
  const auto& glob = std::get<GlobSweep>(value);
  return fmt::format("glob([{}], [{}])", describe_strings(glob.include),
                     describe_strings(glob.exclude));
}

// "change db@pkg = \"mysql\"", "delete foo.bar", or "error: <message>".
inline std::string describe(const core::Result<Override>& parsed) {
  if (!parsed) return "error: " + parsed.error().message;
  std::string out = fmt::format("{} {}", to_string(parsed->kind), parsed->key);
  if (parsed->package) out += "@" + *parsed->package;
  if (parsed->value) out += " = " + describe(*parsed->value);
  return out;
}

}  // namespace sortie::hydra::testing
