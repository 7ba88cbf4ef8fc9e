#include "sortie/hydra/functions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <random>
#include <tuple>

#include "sortie/hydra/config_values.hpp"
#include "sortie/hydra/render.hpp"

namespace sortie::hydra {
namespace {

using Evaluated = std::expected<OverrideValue, FunctionError>;
using ValueResult = std::expected<Value, FunctionError>;

std::unexpected<FunctionError> raise(std::string type, std::string message) {
  return std::unexpected(FunctionError{std::move(type), std::move(message)});
}

constexpr std::string_view k_available =
    "bool,choice,float,glob,int,interval,json_str,range,shuffle,sort,str,tag";

template <class T>
const T* as(const OverrideValue& value) {
  return std::get_if<T>(&value);
}

const Value* as_value(const OverrideValue& value) {
  return std::get_if<Value>(&value);
}

template <class T>
const T* holds(const OverrideValue& value) {
  const Value* element = as_value(value);
  return element ? std::get_if<T>(&element->data) : nullptr;
}

bool is_number(const Value& value) {
  return std::holds_alternative<bool>(value.data) ||
         std::holds_alternative<std::int64_t>(value.data) ||
         std::holds_alternative<double>(value.data);
}

bool is_primitive(const OverrideValue& value) {
  const Value* element = as_value(value);
  return element && (is_number(*element) || std::holds_alternative<std::string>(element->data));
}

bool is_sweep_value(const OverrideValue& value) {
  return as<ChoiceSweep>(value) || as<RangeSweep>(value) || as<IntervalSweep>(value);
}

double number_of(const Value& value) {
  if (auto* flag = std::get_if<bool>(&value.data)) return *flag ? 1.0 : 0.0;
  if (auto* integer = std::get_if<std::int64_t>(&value.data)) return static_cast<double>(*integer);
  return std::get<double>(value.data);
}

std::string_view strip(std::string_view text) {
  constexpr std::string_view spaces = " \t\n\r\f\v";
  const auto begin = text.find_first_not_of(spaces);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(spaces) - begin + 1);
}

// Digits with single underscores between them, as Python's int() and float() accept.
bool valid_underscores(std::string_view digits) {
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (digits[i] != '_') continue;
    if (i == 0 || i + 1 == digits.size()) return false;
    if (!std::isdigit(static_cast<unsigned char>(digits[i - 1])) ||
        !std::isdigit(static_cast<unsigned char>(digits[i + 1])))
      return false;
  }
  return true;
}

std::string without_underscores(std::string_view text) {
  std::string out;
  for (char c : text)
    if (c != '_') out.push_back(c);
  return out;
}

// Python's int(str).
ValueResult int_from_string(const std::string& original) {
  const auto text = strip(original);
  std::size_t start = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
  const auto digits = text.substr(start);
  const bool ok = !digits.empty() && valid_underscores(digits) &&
                  std::all_of(digits.begin(), digits.end(), [](char c) {
                    return std::isdigit(static_cast<unsigned char>(c)) || c == '_';
                  });
  if (!ok)
    return raise("ValueError", fmt::format("invalid literal for int() with base 10: {}",
                                           python_string_repr(original)));
  const std::string clean = without_underscores(text);
  errno = 0;
  const long long value = std::strtoll(clean.c_str(), nullptr, 10);
  if (errno == ERANGE)
    return raise("OverflowError", "int too large to convert to a 64-bit integer");
  return Value{static_cast<std::int64_t>(value)};
}

// Python's float(str).
ValueResult float_from_string(const std::string& original) {
  const auto text = strip(original);
  std::size_t start = (!text.empty() && (text[0] == '+' || text[0] == '-')) ? 1 : 0;
  std::string lower;
  for (char c : text.substr(start))
    lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  const bool negative = start == 1 && text[0] == '-';
  if (lower == "inf" || lower == "infinity")
    return Value{negative ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity()};
  if (lower == "nan") return Value{std::numeric_limits<double>::quiet_NaN()};
  // digits [. digits] [e [sign] digits], with at least one digit in the mantissa.
  std::size_t i = 0;
  std::size_t mantissa_digits = 0;
  auto take_digits = [&] {
    const std::size_t begin = i;
    while (i < lower.size() &&
           (std::isdigit(static_cast<unsigned char>(lower[i])) || lower[i] == '_'))
      ++i;
    mantissa_digits += i - begin;
    return lower.substr(begin, i - begin);
  };
  bool ok = valid_underscores(take_digits());
  if (i < lower.size() && lower[i] == '.') {
    ++i;
    ok = ok && valid_underscores(take_digits());
  }
  ok = ok && mantissa_digits > 0;
  if (ok && i < lower.size() && lower[i] == 'e') {
    ++i;
    if (i < lower.size() && (lower[i] == '+' || lower[i] == '-')) ++i;
    const std::size_t before = mantissa_digits;
    const auto exponent = take_digits();
    ok = mantissa_digits > before && valid_underscores(exponent);
  }
  if (!ok || i != lower.size())
    return raise("ValueError", fmt::format("could not convert string to float: {}",
                                           python_string_repr(original)));
  return Value{std::strtod(without_underscores(text).c_str(), nullptr)};
}

enum class Cast { to_int, to_float, to_str, to_bool };

std::string_view cast_name(Cast cast) {
  switch (cast) {
    case Cast::to_int:
      return "int";
    case Cast::to_float:
      return "float";
    case Cast::to_str:
      return "str";
    case Cast::to_bool:
      return "bool";
  }
  return "?";
}

// Hydra's cast_int/cast_float/cast_str/cast_bool of one element, recursing into lists and
// dict values (keys are left as they are).
ValueResult cast_value(const Value& value, Cast cast) {
  if (auto* list = std::get_if<ListValue>(&value.data)) {
    ListValue out;
    for (const auto& item : list->items) {
      auto converted = cast_value(item, cast);
      if (!converted) return converted;
      out.items.push_back(std::move(*converted));
    }
    return Value{std::move(out)};
  }
  if (auto* dict = std::get_if<DictValue>(&value.data)) {
    DictValue out;
    for (const auto& [key, item] : dict->entries) {
      auto converted = cast_value(item, cast);
      if (!converted) return converted;
      out.entries.emplace_back(key, std::move(*converted));
    }
    return Value{std::move(out)};
  }
  const auto* text = std::get_if<std::string>(&value.data);
  const auto* integer = std::get_if<std::int64_t>(&value.data);
  const auto* real = std::get_if<double>(&value.data);
  const auto* flag = std::get_if<bool>(&value.data);
  const bool is_null = std::holds_alternative<std::nullptr_t>(value.data);
  switch (cast) {
    case Cast::to_int:
      if (is_null) return raise("AssertionError", "");
      if (text) return int_from_string(*text);
      if (flag) return Value{std::int64_t{*flag ? 1 : 0}};
      if (integer) return value;
      if (std::isinf(*real))
        return raise("OverflowError", "cannot convert float infinity to integer");
      if (std::isnan(*real)) return raise("ValueError", "cannot convert float NaN to integer");
      if (std::fabs(*real) >= 9.2233720368547758e18)
        return raise("OverflowError", "int too large to convert to a 64-bit integer");
      return Value{static_cast<std::int64_t>(std::trunc(*real))};
    case Cast::to_float:
      if (is_null) return raise("AssertionError", "");
      if (text) return float_from_string(*text);
      return Value{number_of(value)};
    case Cast::to_str:
      if (is_null) return raise("AssertionError", "");
      if (text) return value;
      if (flag) return Value{std::string(*flag ? "true" : "false")};
      if (integer) return Value{fmt::format("{}", *integer)};
      return Value{render_float(*real)};
    case Cast::to_bool:
      if (is_null) return Value{false};
      if (text) {
        std::string lower;
        for (char c : *text)
          lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        if (lower == "false") return Value{false};
        if (lower == "true") return Value{true};
        return raise("ValueError", fmt::format("Cannot cast '{}' to bool", *text));
      }
      if (flag) return value;
      if (integer) return Value{*integer != 0};
      return Value{*real != 0.0};
  }
  return value;
}

// Python's json.dumps with its defaults (", " and ": " separators, ensure_ascii).
void append_json_string(std::string& out, std::string_view text) {
  out.push_back('"');
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    switch (byte) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case '\f':
        out += "\\f";
        continue;
      default:
        break;
    }
    if (byte < 0x20) {
      out += fmt::format("\\u{:04x}", byte);
    } else if (byte < 0x80) {
      out.push_back(static_cast<char>(byte));
    } else {
      // Decode one UTF-8 sequence; invalid bytes are written as themselves.
      std::uint32_t code = 0;
      std::size_t extra = 0;
      if ((byte & 0xE0) == 0xC0) {
        code = byte & 0x1Fu;
        extra = 1;
      } else if ((byte & 0xF0) == 0xE0) {
        code = byte & 0x0Fu;
        extra = 2;
      } else if ((byte & 0xF8) == 0xF0) {
        code = byte & 0x07u;
        extra = 3;
      }
      if (extra == 0 || i + extra >= text.size()) {
        out.push_back(static_cast<char>(byte));
        continue;
      }
      for (std::size_t k = 1; k <= extra; ++k)
        code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3Fu);
      i += extra;
      if (code >= 0x10000) {
        code -= 0x10000;
        out += fmt::format("\\u{:04x}\\u{:04x}", 0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF));
      } else {
        out += fmt::format("\\u{:04x}", code);
      }
    }
  }
  out.push_back('"');
}

void append_json(std::string& out, const Value& value) {
  std::visit(
      [&](const auto& data) {
        using T = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += data ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out += fmt::format("{}", data);
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isnan(data))
            out += "NaN";
          else if (std::isinf(data))
            out += data > 0 ? "Infinity" : "-Infinity";
          else
            out += render_float(data);
        } else if constexpr (std::is_same_v<T, std::string>) {
          append_json_string(out, data);
        } else if constexpr (std::is_same_v<T, ListValue>) {
          out.push_back('[');
          for (std::size_t i = 0; i < data.items.size(); ++i) {
            if (i > 0) out += ", ";
            append_json(out, data.items[i]);
          }
          out.push_back(']');
        } else {
          out.push_back('{');
          for (std::size_t i = 0; i < data.entries.size(); ++i) {
            if (i > 0) out += ", ";
            append_json_string(out, data.entries[i].first);
            out += ": ";
            append_json(out, data.entries[i].second);
          }
          out.push_back('}');
        }
      },
      value.data);
}

Value json_string_of(const Value& value) {
  std::string out;
  append_json(out, value);
  return Value{std::move(out)};
}

// Python's argument binding for a signature of named parameters, some with defaults, and
// optionally a leading *args.
struct Parameter {
  std::string_view name;
  bool required = false;
};

struct Bound {
  std::vector<OverrideValue> variadic;
  std::vector<std::optional<OverrideValue>> named;
};

std::expected<Bound, FunctionError> bind(const FunctionCall& call, bool has_variadic,
                                         const std::vector<Parameter>& parameters) {
  Bound bound;
  bound.named.resize(parameters.size());
  if (has_variadic) {
    bound.variadic = call.arguments;
  } else {
    if (call.arguments.size() > parameters.size())
      return raise("TypeError", "too many positional arguments");
    for (std::size_t i = 0; i < call.arguments.size(); ++i) bound.named[i] = call.arguments[i];
  }
  for (const auto& [name, value] : call.named_arguments) {
    auto found = std::find_if(parameters.begin(), parameters.end(),
                              [&](const Parameter& parameter) { return parameter.name == name; });
    if (found == parameters.end())
      return raise("TypeError", fmt::format("got an unexpected keyword argument '{}'", name));
    auto index = static_cast<std::size_t>(found - parameters.begin());
    if (bound.named[index])
      return raise("TypeError", fmt::format("multiple values for argument '{}'", name));
    bound.named[index] = value;
  }
  for (std::size_t i = 0; i < parameters.size(); ++i)
    if (parameters[i].required && !bound.named[i])
      return raise("TypeError",
                   fmt::format("missing a required argument: '{}'", parameters[i].name));
  return bound;
}

std::unexpected<FunctionError> mismatch(std::string_view name, const OverrideValue& value,
                                        std::string_view expected) {
  return raise("TypeError", fmt::format("mismatch type argument {}: {} is incompatible with {}",
                                        name, python_type_name(value), expected));
}

// The annotations Hydra checks arguments against (is_type_matching).
bool is_element_type(const OverrideValue& value) {
  const Value* element = as_value(value);
  return element && !std::holds_alternative<std::nullptr_t>(element->data);
}
bool is_parsed_element(const OverrideValue& value) {
  return as_value(value) != nullptr;
}
bool is_int_or_float(const OverrideValue& value) {
  const Value* element = as_value(value);
  return element && is_number(*element);
}

constexpr std::string_view k_cast_type =
    "Union[str, int, float, bool, List[Any], Dict[str, Any], QuotedString, NoneType, Sweep]";

// Casts: (*args, value=None); several positional arguments make a simple choice sweep.
Evaluated evaluate_cast(const FunctionCall& call, Cast cast, bool json) {
  auto bound = bind(call, true, {{"value", false}});
  if (!bound) return std::unexpected(bound.error());
  for (std::size_t i = 0; i < bound->variadic.size(); ++i)
    if (!is_parsed_element(bound->variadic[i]) && !is_sweep_value(bound->variadic[i]) && !json)
      return mismatch(fmt::format("args[{}]", i), bound->variadic[i], k_cast_type);
  if (bound->named[0] && !is_parsed_element(*bound->named[0]) &&
      !is_sweep_value(*bound->named[0]) && !json)
    return mismatch("value", *bound->named[0], k_cast_type);

  OverrideValue input;
  if (!bound->variadic.empty() && bound->named[0])
    return raise("TypeError", "cannot use both position and named arguments");
  if (bound->named[0]) {
    input = *bound->named[0];
  } else if (bound->variadic.empty()) {
    return raise("TypeError", "No positional args or value specified");
  } else if (bound->variadic.size() == 1) {
    input = bound->variadic[0];
  } else {
    ChoiceSweep choices;
    choices.simple_form = true;
    for (const auto& argument : bound->variadic) {
      const Value* element = as_value(argument);
      if (!element) return raise("AssertionError", "");
      choices.choices.push_back(*element);
    }
    input = std::move(choices);
  }

  auto convert = [&](const Value& value) -> ValueResult {
    if (json) return json_string_of(value);
    return cast_value(value, cast);
  };
  const std::string_view target = json ? "json_str" : cast_name(cast);
  if (const Value* element = as_value(input)) {
    auto converted = convert(*element);
    if (!converted) return std::unexpected(converted.error());
    return OverrideValue{std::move(*converted)};
  }
  if (const auto* choice = as<ChoiceSweep>(input)) {
    ChoiceSweep out;
    out.simple_form = choice->simple_form;
    for (const auto& item : choice->choices) {
      auto converted = convert(item);
      if (!converted) return std::unexpected(converted.error());
      if (std::holds_alternative<std::nullptr_t>(converted->data))
        return raise("AssertionError", "");
      out.choices.push_back(std::move(*converted));
    }
    return OverrideValue{std::move(out)};
  }
  if (const auto* range = as<RangeSweep>(input)) {
    if (json || (cast != Cast::to_int && cast != Cast::to_float))
      return raise("ValueError", "Range can only be cast to int or float");
    RangeSweep out;
    for (auto [from, to] :
         {std::pair{&range->start, &out.start}, std::pair{&range->stop, &out.stop},
          std::pair{&range->step, &out.step}}) {
      auto converted = cast_value(*from, cast);
      if (!converted) return std::unexpected(converted.error());
      *to = std::move(*converted);
    }
    return OverrideValue{std::move(out)};
  }
  if (const auto* interval = as<IntervalSweep>(input)) {
    if (json || cast == Cast::to_str || cast == Cast::to_bool)
      return raise("ValueError", fmt::format("Intervals cannot be cast to {}", target));
    IntervalSweep out = *interval;
    if (cast == Cast::to_int) {
      for (double* bound_value : {&out.start, &out.end}) {
        auto converted = cast_value(Value{*bound_value}, Cast::to_int);
        if (!converted) return std::unexpected(converted.error());
        *bound_value = number_of(*converted);
      }
    }
    return OverrideValue{std::move(out)};
  }
  return raise("AssertionError", "");
}

Evaluated evaluate_choice(const FunctionCall& call) {
  auto bound = bind(call, true, {});
  if (!bound) return std::unexpected(bound.error());
  constexpr std::string_view expected =
      "Union[str, int, float, bool, Dict[Any, Any], List[Any], ChoiceSweep]";
  for (std::size_t i = 0; i < bound->variadic.size(); ++i) {
    const auto& argument = bound->variadic[i];
    if (!is_element_type(argument) && !as<ChoiceSweep>(argument))
      return mismatch(fmt::format("args[{}]", i), argument, expected);
  }
  if (bound->variadic.empty()) return raise("ValueError", "empty choice is not legal");
  if (bound->variadic.size() == 1) {
    if (const auto* choice = as<ChoiceSweep>(bound->variadic[0])) {
      if (!choice->simple_form) return raise("ValueError", "nesting choices is not supported");
      ChoiceSweep out = *choice;
      out.simple_form = false;
      return OverrideValue{std::move(out)};
    }
  }
  ChoiceSweep out;
  for (const auto& argument : bound->variadic) {
    const Value* element = as_value(argument);
    if (!element) return raise("ValueError", "nesting choices is not supported");
    out.choices.push_back(*element);
  }
  return OverrideValue{std::move(out)};
}

Evaluated evaluate_range(const FunctionCall& call) {
  auto bound = bind(call, false, {{"start", true}, {"stop", false}, {"step", false}});
  if (!bound) return std::unexpected(bound.error());
  auto [start, stop, step] = std::tie(bound->named[0], bound->named[1], bound->named[2]);
  if (!is_int_or_float(*start)) return mismatch("start", *start, "Union[int, float]");
  if (stop && !is_int_or_float(*stop) && !holds<std::nullptr_t>(*stop))
    return mismatch("stop", *stop, "Optional[Union[int, float]]");
  if (step && !is_int_or_float(*step)) return mismatch("step", *step, "Union[int, float]");
  RangeSweep out;
  // A bool is Python's int 0 or 1.
  auto number = [](const OverrideValue& value) {
    const Value& element = std::get<Value>(value);
    if (auto* flag = std::get_if<bool>(&element.data)) return Value{std::int64_t{*flag ? 1 : 0}};
    return element;
  };
  if (!stop || holds<std::nullptr_t>(*stop)) {
    out.start = Value{std::int64_t{0}};
    out.stop = number(*start);
  } else {
    out.start = number(*start);
    out.stop = number(*stop);
  }
  out.step = step ? number(*step) : Value{std::int64_t{1}};
  return OverrideValue{std::move(out)};
}

Evaluated evaluate_interval(const FunctionCall& call) {
  auto bound = bind(call, false, {{"start", true}, {"end", true}});
  if (!bound) return std::unexpected(bound.error());
  if (!is_int_or_float(*bound->named[0]))
    return mismatch("start", *bound->named[0], "Union[int, float]");
  if (!is_int_or_float(*bound->named[1]))
    return mismatch("end", *bound->named[1], "Union[int, float]");
  IntervalSweep out;
  out.start = number_of(std::get<Value>(*bound->named[0]));
  out.end = number_of(std::get<Value>(*bound->named[1]));
  return OverrideValue{std::move(out)};
}

std::vector<std::string>* tags_of(OverrideValue& sweep) {
  if (auto* choice = std::get_if<ChoiceSweep>(&sweep)) return &choice->tags;
  if (auto* range = std::get_if<RangeSweep>(&sweep)) return &range->tags;
  if (auto* interval = std::get_if<IntervalSweep>(&sweep)) return &interval->tags;
  return nullptr;
}

Evaluated evaluate_tag(const FunctionCall& call) {
  auto bound = bind(call, true, {{"sweep", false}});
  if (!bound) return std::unexpected(bound.error());
  for (std::size_t i = 0; i < bound->variadic.size(); ++i) {
    const auto& argument = bound->variadic[i];
    if (!holds<std::string>(argument) && !is_sweep_value(argument))
      return mismatch(fmt::format("args[{}]", i), argument, "Union[str, Sweep]");
  }
  if (bound->named[0] && !is_sweep_value(*bound->named[0]))
    return mismatch("sweep", *bound->named[0], "Optional[Sweep]");
  std::vector<OverrideValue> arguments = bound->variadic;
  if (bound->named[0]) arguments.push_back(*bound->named[0]);
  if (arguments.empty())
    return raise("ValueError", "Not enough arguments to tag, must take at least a sweep");
  OverrideValue sweep = arguments.back();
  auto* tags = tags_of(sweep);
  if (tags == nullptr)
    return raise("ValueError",
                 "Last argument to tag() must be a choice(), range() or interval(), got NoneType");
  tags->clear();
  for (std::size_t i = 0; i + 1 < arguments.size(); ++i) {
    const auto* text = holds<std::string>(arguments[i]);
    if (text == nullptr)
      return raise("ValueError", fmt::format("tag arguments type must be string, got {}",
                                             python_type_name(arguments[i])));
    if (std::find(tags->begin(), tags->end(), *text) == tags->end()) tags->push_back(*text);
  }
  return sweep;
}

// Python's sorted(): binary insertion sort comparing each later element with earlier ones, as
// CPython does for short lists; reverse keeps equal elements in their original order. The sort
// is quadratic, so more than k_max_jobs items are refused before it starts.
std::expected<std::vector<Value>, FunctionError> sorted(std::vector<Value> items, bool reverse) {
  if (auto checked = check_sweep_size("sort()", SweepSize{items.size()}, "values",
                                      "sort fewer values");
      !checked)
    return raise("LimitExceeded", checked.error().message);
  if (reverse) std::reverse(items.begin(), items.end());
  for (std::size_t i = 1; i < items.size(); ++i) {
    Value pivot = std::move(items[i]);
    std::size_t low = 0;
    std::size_t high = i;
    while (low < high) {
      const std::size_t middle = (low + high) / 2;
      auto less = python_less(pivot, items[middle]);
      if (!less) return std::unexpected(less.error());
      if (*less)
        high = middle;
      else
        low = middle + 1;
    }
    for (std::size_t k = i; k > low; --k) items[k] = std::move(items[k - 1]);
    items[low] = std::move(pivot);
  }
  if (reverse) std::reverse(items.begin(), items.end());
  return items;
}

std::expected<std::vector<Value>, FunctionError> range_elements(const RangeSweep& range);
std::expected<std::uint64_t, FunctionError> int_range_length(const RangeSweep& range);
bool is_int_range(const RangeSweep& range);

// How many elements a range has and its last one, without making the others when its bounds
// are ints.
struct RangeEnd {
  std::uint64_t length = 0;
  Value last;
};

std::expected<RangeEnd, FunctionError> end_of_range(const RangeSweep& range) {
  if (is_int_range(range)) {
    auto length = int_range_length(range);
    if (!length) return std::unexpected(length.error());
    if (*length == 0) return RangeEnd{};
    const auto start = static_cast<std::uint64_t>(std::get<std::int64_t>(range.start.data));
    const auto step = static_cast<std::uint64_t>(std::get<std::int64_t>(range.step.data));
    return RangeEnd{*length, Value{static_cast<std::int64_t>(start + (*length - 1) * step)}};
  }
  auto elements = range_elements(range);
  if (!elements) return std::unexpected(elements.error());
  if (elements->empty()) return RangeEnd{};
  return RangeEnd{elements->size(), elements->back()};
}

Evaluated sort_sweep(const OverrideValue& sweep, bool reverse) {
  if (const auto* choice = as<ChoiceSweep>(sweep)) {
    ChoiceSweep out = *choice;
    auto items = sorted(out.choices, reverse);
    if (!items) return std::unexpected(items.error());
    out.choices = std::move(*items);
    return OverrideValue{std::move(out)};
  }
  // A range is reversed by swapping its ends: the new start is its last element (Hydra's
  // _sort_sweep since the fix for ranges whose stop is not on the grid).
  RangeSweep out = std::get<RangeSweep>(sweep);
  const bool ascending = number_of(out.step) > 0;
  if (ascending == reverse) {
    auto end = end_of_range(out);
    if (!end) return std::unexpected(end.error());
    if (end->length > 1) {
      const Value first = out.start;
      out.start = end->last;
      const bool all_int = std::holds_alternative<std::int64_t>(first.data) &&
                           std::holds_alternative<std::int64_t>(out.step.data);
      if (all_int) {
        out.stop =
            Value{std::get<std::int64_t>(first.data) - std::get<std::int64_t>(out.step.data)};
        out.step = Value{-std::get<std::int64_t>(out.step.data)};
      } else {
        out.stop = Value{number_of(first) - number_of(out.step)};
        out.step = std::holds_alternative<std::int64_t>(out.step.data)
                       ? Value{-std::get<std::int64_t>(out.step.data)}
                       : Value{-number_of(out.step)};
      }
    }
  }
  return OverrideValue{std::move(out)};
}

constexpr std::string_view k_reorder_type =
    "Union[str, int, bool, float, List[Any], Dict[str, Any], ChoiceSweep, RangeSweep]";

Evaluated evaluate_sort(const FunctionCall& call) {
  auto bound = bind(call, true, {{"sweep", false}, {"list", false}, {"reverse", false}});
  if (!bound) return std::unexpected(bound.error());
  for (std::size_t i = 0; i < bound->variadic.size(); ++i) {
    const auto& argument = bound->variadic[i];
    if (!is_element_type(argument) && !as<ChoiceSweep>(argument) && !as<RangeSweep>(argument))
      return mismatch(fmt::format("args[{}]", i), argument, k_reorder_type);
  }
  auto [sweep, list, reverse_argument] =
      std::tie(bound->named[0], bound->named[1], bound->named[2]);
  if (sweep && !as<ChoiceSweep>(*sweep) && !as<RangeSweep>(*sweep) &&
      !holds<std::nullptr_t>(*sweep))
    return mismatch("sweep", *sweep, "Optional[Union[ChoiceSweep, RangeSweep]]");
  if (list && !holds<ListValue>(*list) && !holds<std::nullptr_t>(*list))
    return mismatch("list", *list, "Optional[List[Any]]");
  if (reverse_argument && !holds<bool>(*reverse_argument))
    return mismatch("reverse", *reverse_argument, "bool");
  const bool reverse = reverse_argument && std::get<bool>(std::get<Value>(*reverse_argument).data);

  if (list && holds<ListValue>(*list)) {
    auto items = sorted(holds<ListValue>(*list)->items, reverse);
    if (!items) return std::unexpected(items.error());
    return OverrideValue{Value{ListValue{std::move(*items)}}};
  }
  if (sweep && !holds<std::nullptr_t>(*sweep)) return sort_sweep(*sweep, reverse);
  const auto& arguments = bound->variadic;
  if (arguments.size() == 1) {
    const auto& argument = arguments[0];
    if (as<ChoiceSweep>(argument) || as<RangeSweep>(argument)) return sort_sweep(argument, reverse);
    if (const auto* items = holds<ListValue>(argument)) {
      auto result = sorted(items->items, reverse);
      if (!result) return std::unexpected(result.error());
      return OverrideValue{Value{ListValue{std::move(*result)}}};
    }
    return argument;
  }
  for (const auto& argument : arguments)
    if (!is_primitive(argument)) return raise("TypeError", "Invalid arguments");
  if (arguments.empty()) return raise("ValueError", "empty sort input");
  ChoiceSweep choices;
  choices.simple_form = true;
  for (const auto& argument : arguments) choices.choices.push_back(std::get<Value>(argument));
  return sort_sweep(OverrideValue{std::move(choices)}, reverse);
}

Evaluated evaluate_shuffle(const FunctionCall& call, std::uint64_t seed) {
  auto bound = bind(call, true, {{"sweep", false}, {"list", false}});
  if (!bound) return std::unexpected(bound.error());
  for (std::size_t i = 0; i < bound->variadic.size(); ++i) {
    const auto& argument = bound->variadic[i];
    if (!is_element_type(argument) && !as<ChoiceSweep>(argument) && !as<RangeSweep>(argument))
      return mismatch(fmt::format("args[{}]", i), argument, k_reorder_type);
  }
  auto [sweep, list] = std::tie(bound->named[0], bound->named[1]);
  if (sweep && !as<ChoiceSweep>(*sweep) && !as<RangeSweep>(*sweep) &&
      !holds<std::nullptr_t>(*sweep))
    return mismatch("sweep", *sweep, "Optional[Union[ChoiceSweep, RangeSweep]]");
  if (list && !holds<ListValue>(*list) && !holds<std::nullptr_t>(*list))
    return mismatch("list", *list, "Optional[List[Any]]");

  std::vector<OverrideValue> arguments = bound->variadic;
  if (list && holds<ListValue>(*list))
    arguments = {*list};
  else if (sweep && !holds<std::nullptr_t>(*sweep))
    arguments = {*sweep};
  if (arguments.size() == 1) {
    OverrideValue argument = arguments[0];
    if (auto* choice = std::get_if<ChoiceSweep>(&argument)) {
      choice->shuffle = true;
      return argument;
    }
    if (auto* range = std::get_if<RangeSweep>(&argument)) {
      range->shuffle = true;
      return argument;
    }
    if (const auto* items = holds<ListValue>(argument)) {
      ListValue shuffled = *items;
      std::mt19937_64 generator(seed);
      for (std::size_t i = shuffled.items.size(); i > 1; --i)
        std::swap(shuffled.items[i - 1], shuffled.items[generator() % i]);
      return OverrideValue{Value{std::move(shuffled)}};
    }
    return OverrideValue{Value{ListValue{{std::get<Value>(argument)}}}};
  }
  ChoiceSweep choices;
  choices.simple_form = true;
  choices.shuffle = true;
  for (const auto& argument : arguments) choices.choices.push_back(std::get<Value>(argument));
  return OverrideValue{std::move(choices)};
}

bool is_string_list(const OverrideValue& value) {
  return holds<std::string>(value) || holds<ListValue>(value);
}

std::vector<std::string> string_list(const OverrideValue& value) {
  if (const auto* text = holds<std::string>(value)) return {*text};
  std::vector<std::string> out;
  for (const auto& item : holds<ListValue>(value)->items) {
    if (const auto* text = std::get_if<std::string>(&item.data))
      out.push_back(*text);
    else
      out.push_back(render_value(item));
  }
  return out;
}

Evaluated evaluate_glob(const FunctionCall& call) {
  auto bound = bind(call, false, {{"include", true}, {"exclude", false}});
  if (!bound) return std::unexpected(bound.error());
  if (!is_string_list(*bound->named[0]))
    return mismatch("include", *bound->named[0], "Union[List[str], str]");
  const auto& exclude = bound->named[1];
  if (exclude && !is_string_list(*exclude) && !holds<std::nullptr_t>(*exclude))
    return mismatch("exclude", *exclude, "Optional[Union[List[str], str]]");
  GlobSweep out;
  out.include = string_list(*bound->named[0]);
  if (exclude && !holds<std::nullptr_t>(*exclude)) out.exclude = string_list(*exclude);
  return OverrideValue{std::move(out)};
}

// Exact arithmetic for Hydra's float ranges, which step with Python's decimal.Decimal (28
// significant digits) from the exact binary values of start and step.
class Decimal {
 public:
  // The exact value of a finite double.
  static Decimal of(double value) {
    Decimal result;
    result.m_negative = std::signbit(value);
    char buffer[1200];
    const int length = std::snprintf(buffer, sizeof buffer, "%.1080e", std::fabs(value));
    std::string_view text(buffer, static_cast<std::size_t>(length));
    const auto e = text.find('e');
    const int exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
    std::string digits;
    for (char c : text.substr(0, e))
      if (c != '.') digits.push_back(c);
    // value = digits * 10^(exponent - (digits.size() - 1))
    result.m_exponent = exponent - static_cast<int>(digits.size()) + 1;
    result.m_digits = std::move(digits);
    result.normalize();
    return result;
  }

  double to_double() const {
    if (m_digits == "0") return m_negative ? -0.0 : 0.0;
    const std::string text = fmt::format("{}{}e{}", m_negative ? "-" : "", m_digits, m_exponent);
    return std::strtod(text.c_str(), nullptr);
  }

  // a + b, rounded half-even to 28 significant digits as the default decimal context does.
  friend Decimal operator+(const Decimal& a, const Decimal& b) {
    const int exponent = std::min(a.m_exponent, b.m_exponent);
    const std::string x =
        a.m_digits + std::string(static_cast<std::size_t>(a.m_exponent - exponent), '0');
    const std::string y =
        b.m_digits + std::string(static_cast<std::size_t>(b.m_exponent - exponent), '0');
    Decimal result;
    result.m_exponent = exponent;
    if (a.m_negative == b.m_negative) {
      result.m_digits = add(x, y);
      result.m_negative = a.m_negative;
    } else if (compare_magnitude(x, y) >= 0) {
      result.m_digits = subtract(x, y);
      result.m_negative = a.m_negative;
    } else {
      result.m_digits = subtract(y, x);
      result.m_negative = b.m_negative;
    }
    result.normalize();
    result.round(28);
    return result;
  }

  friend int compare(const Decimal& a, const Decimal& b) {
    const bool a_zero = a.m_digits == "0";
    const bool b_zero = b.m_digits == "0";
    const int a_sign = a_zero ? 0 : (a.m_negative ? -1 : 1);
    const int b_sign = b_zero ? 0 : (b.m_negative ? -1 : 1);
    if (a_sign != b_sign) return a_sign < b_sign ? -1 : 1;
    if (a_sign == 0) return 0;
    const int exponent = std::min(a.m_exponent, b.m_exponent);
    const std::string x =
        a.m_digits + std::string(static_cast<std::size_t>(a.m_exponent - exponent), '0');
    const std::string y =
        b.m_digits + std::string(static_cast<std::size_t>(b.m_exponent - exponent), '0');
    const int magnitude = compare_magnitude(x, y);
    return a_sign > 0 ? magnitude : -magnitude;
  }

 private:
  static int compare_magnitude(const std::string& x, const std::string& y) {
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    return x.compare(y) < 0 ? -1 : (x.compare(y) > 0 ? 1 : 0);
  }
  static std::string add(const std::string& x, const std::string& y) {
    std::string out;
    int carry = 0;
    for (std::size_t i = 0; i < std::max(x.size(), y.size()); ++i) {
      const int dx = i < x.size() ? x[x.size() - 1 - i] - '0' : 0;
      const int dy = i < y.size() ? y[y.size() - 1 - i] - '0' : 0;
      const int sum = dx + dy + carry;
      out.push_back(static_cast<char>('0' + sum % 10));
      carry = sum / 10;
    }
    if (carry) out.push_back('1');
    std::reverse(out.begin(), out.end());
    return out;
  }
  // x - y with x >= y.
  static std::string subtract(const std::string& x, const std::string& y) {
    std::string out;
    int borrow = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      int difference =
          (x[x.size() - 1 - i] - '0') - borrow - (i < y.size() ? y[y.size() - 1 - i] - '0' : 0);
      borrow = difference < 0 ? 1 : 0;
      if (difference < 0) difference += 10;
      out.push_back(static_cast<char>('0' + difference));
    }
    std::reverse(out.begin(), out.end());
    return out;
  }
  void normalize() {
    const auto first = m_digits.find_first_not_of('0');
    if (first == std::string::npos) {
      m_digits = "0";
      m_exponent = 0;
      return;
    }
    m_digits.erase(0, first);
    while (m_digits.size() > 1 && m_digits.back() == '0') {
      m_digits.pop_back();
      ++m_exponent;
    }
  }
  void round(std::size_t precision) {
    if (m_digits.size() <= precision) return;
    const std::size_t dropped = m_digits.size() - precision;
    const std::string rest = m_digits.substr(precision);
    std::string kept = m_digits.substr(0, precision);
    const char first_dropped = rest[0];
    const bool beyond_half = rest.find_first_not_of('0', 1) != std::string::npos;
    bool round_up = first_dropped > '5' || (first_dropped == '5' && beyond_half) ||
                    (first_dropped == '5' && !beyond_half && (kept.back() - '0') % 2 == 1);
    m_exponent += static_cast<int>(dropped);
    if (round_up) kept = add(kept, "1");
    m_digits = std::move(kept);
    normalize();
  }

  bool m_negative = false;
  std::string m_digits = "0";
  int m_exponent = 0;
};

bool is_int_range(const RangeSweep& range) {
  return std::holds_alternative<std::int64_t>(range.start.data) &&
         std::holds_alternative<std::int64_t>(range.stop.data) &&
         std::holds_alternative<std::int64_t>(range.step.data);
}

// Python's len(range(start, stop, step)), in unsigned arithmetic so that no bound overflows.
std::expected<std::uint64_t, FunctionError> int_range_length(const RangeSweep& range) {
  const auto start = std::get<std::int64_t>(range.start.data);
  const auto stop = std::get<std::int64_t>(range.stop.data);
  const auto step = std::get<std::int64_t>(range.step.data);
  if (step == 0) return raise("ValueError", "range() arg 3 must not be zero");
  const auto as_unsigned = [](std::int64_t value) { return static_cast<std::uint64_t>(value); };
  if (step > 0)
    return start >= stop ? 0 : (as_unsigned(stop) - as_unsigned(start) - 1) / as_unsigned(step) + 1;
  return start <= stop
             ? 0
             : (as_unsigned(start) - as_unsigned(stop) - 1) / (0 - as_unsigned(step)) + 1;
}

struct FloatRange {
  double start;
  double stop;
  double step;
};

std::expected<FloatRange, FunctionError> float_range(const RangeSweep& range) {
  const FloatRange bounds{number_of(range.start), number_of(range.stop), number_of(range.step)};
  if (!std::isfinite(bounds.start) || !std::isfinite(bounds.stop) ||
      !std::isfinite(bounds.step) || bounds.step == 0)
    return raise("HydraException", fmt::format("Invalid range values (start:{}, stop:{}, step:{})",
                                               render_float(bounds.start),
                                               render_float(bounds.stop),
                                               render_float(bounds.step)));
  return bounds;
}

// Steps through Hydra's FloatRange, handing each element to `visit`, and stops after at most
// `most` elements; returns how many it visited.
template <class Visit>
std::uint64_t step_float_range(const FloatRange& bounds, std::uint64_t most, Visit visit) {
  Decimal current = Decimal::of(bounds.start);
  const Decimal end = Decimal::of(bounds.stop);
  const Decimal increment = Decimal::of(bounds.step);
  const int direction = bounds.step > 0 ? -1 : 1;
  std::uint64_t count = 0;
  while (count < most && compare(current, end) == direction) {
    visit(current.to_double());
    ++count;
    current = current + increment;
  }
  return count;
}

std::expected<SweepSize, FunctionError> range_size_of(const RangeSweep& range,
                                                      std::uint64_t limit) {
  if (is_int_range(range)) {
    auto length = int_range_length(range);
    if (!length) return std::unexpected(length.error());
    return SweepSize{*length, SweepSize::Precision::exact};
  }
  auto bounds = float_range(range);
  if (!bounds) return std::unexpected(bounds.error());
  // Decimal steps drift from exact division by far less than one step for any count near the
  // limit, so a range whose quotient is well past it is refused without stepping; every other
  // range is counted by stepping exactly as it will be enumerated.
  constexpr std::uint64_t k_margin = 2;
  const long double quotient =
      std::ceil((static_cast<long double>(bounds->stop) - bounds->start) / bounds->step);
  if (quotient > static_cast<long double>(limit + k_margin)) {
    constexpr long double k_largest = 18446744073709551615.0L;
    if (!(quotient < k_largest))
      return SweepSize{std::numeric_limits<std::uint64_t>::max(),
                       SweepSize::Precision::at_least};
    return SweepSize{static_cast<std::uint64_t>(quotient), SweepSize::Precision::about};
  }
  const std::uint64_t most = limit + 2 * k_margin;
  const std::uint64_t count = step_float_range(*bounds, most, [](double) {});
  return SweepSize{count,
                   count == most ? SweepSize::Precision::at_least : SweepSize::Precision::exact};
}

std::string describe_range_of(const RangeSweep& range) {
  return fmt::format("range({},{},{})", render_value(range.start), render_value(range.stop),
                     render_value(range.step));
}

// Refuses a range past k_max_jobs before anything of it is made.
std::expected<void, FunctionError> check_range_size(const RangeSweep& range) {
  auto size = range_size_of(range, k_max_jobs);
  if (!size) return std::unexpected(size.error());
  auto checked = check_sweep_size(describe_range_of(range), *size, "values",
                                  "use a larger step or a smaller range");
  if (!checked) return raise("LimitExceeded", checked.error().message);
  return {};
}

std::expected<std::vector<Value>, FunctionError> range_elements(const RangeSweep& range) {
  if (auto checked = check_range_size(range); !checked) return std::unexpected(checked.error());
  std::vector<Value> out;
  if (is_int_range(range)) {
    const auto start = std::get<std::int64_t>(range.start.data);
    const auto step = std::get<std::int64_t>(range.step.data);
    const std::uint64_t length = *int_range_length(range);
    out.reserve(length);
    for (std::uint64_t index = 0; index < length; ++index)
      out.push_back(Value{static_cast<std::int64_t>(static_cast<std::uint64_t>(start) +
                                                    index * static_cast<std::uint64_t>(step))});
    return out;
  }
  std::vector<double> numbers;
  step_float_range(*float_range(range), k_max_jobs,
                   [&](double value) { numbers.push_back(value); });
  out.reserve(numbers.size());
  for (const double value : numbers) out.push_back(Value{value});
  return out;
}

}  // namespace

std::expected<OverrideValue, FunctionError> evaluate(const FunctionCall& call,
                                                     std::uint64_t shuffle_seed) {
  const auto& name = call.name;
  if (name == "int") return evaluate_cast(call, Cast::to_int, false);
  if (name == "float") return evaluate_cast(call, Cast::to_float, false);
  if (name == "str") return evaluate_cast(call, Cast::to_str, false);
  if (name == "bool") return evaluate_cast(call, Cast::to_bool, false);
  if (name == "json_str") return evaluate_cast(call, Cast::to_str, true);
  if (name == "choice") return evaluate_choice(call);
  if (name == "range") return evaluate_range(call);
  if (name == "interval") return evaluate_interval(call);
  if (name == "tag") return evaluate_tag(call);
  if (name == "sort") return evaluate_sort(call);
  if (name == "shuffle") return evaluate_shuffle(call, shuffle_seed);
  if (name == "glob") return evaluate_glob(call);
  return raise("HydraException",
               fmt::format("Unknown function '{}'. Available: {}", name, k_available));
}

std::expected<std::vector<Value>, FunctionError> range_values(const RangeSweep& range) {
  return range_elements(range);
}

std::expected<SweepSize, FunctionError> range_size(const RangeSweep& range, std::uint64_t limit) {
  return range_size_of(range, limit);
}

std::string describe_range(const RangeSweep& range) {
  return describe_range_of(range);
}

std::string python_type_name(const OverrideValue& value) {
  if (as<ChoiceSweep>(value)) return "ChoiceSweep";
  if (as<RangeSweep>(value)) return "RangeSweep";
  if (as<IntervalSweep>(value)) return "IntervalSweep";
  if (as<GlobSweep>(value)) return "Glob";
  return python_type_name(std::get<Value>(value));
}

std::string python_string_repr(std::string_view text) {
  const bool has_single = text.find('\'') != std::string_view::npos;
  const bool has_double = text.find('"') != std::string_view::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == quote)
      out += fmt::format("\\{}", c);
    else if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\r')
      out += "\\r";
    else
      out.push_back(c);
  }
  out.push_back(quote);
  return out;
}

bool python_equal(const Value& left, const Value& right) {
  if (is_number(left) && is_number(right)) {
    const auto* a = std::get_if<std::int64_t>(&left.data);
    const auto* b = std::get_if<std::int64_t>(&right.data);
    if (a && b) return *a == *b;
    return number_of(left) == number_of(right);
  }
  if (left.data.index() != right.data.index()) return false;
  if (auto* list = std::get_if<ListValue>(&left.data)) {
    const auto& other = std::get<ListValue>(right.data);
    if (list->items.size() != other.items.size()) return false;
    for (std::size_t i = 0; i < list->items.size(); ++i)
      if (!python_equal(list->items[i], other.items[i])) return false;
    return true;
  }
  if (auto* dict = std::get_if<DictValue>(&left.data)) {
    const auto& other = std::get<DictValue>(right.data);
    if (dict->entries.size() != other.entries.size()) return false;
    for (const auto& [key, item] : dict->entries) {
      auto found = std::find_if(other.entries.begin(), other.entries.end(),
                                [&](const auto& entry) { return entry.first == key; });
      if (found == other.entries.end() || !python_equal(item, found->second)) return false;
    }
    return true;
  }
  return left == right;
}

std::expected<bool, FunctionError> python_less(const Value& left, const Value& right) {
  if (is_number(left) && is_number(right)) {
    const auto* a = std::get_if<std::int64_t>(&left.data);
    const auto* b = std::get_if<std::int64_t>(&right.data);
    if (a && b) return *a < *b;
    return number_of(left) < number_of(right);
  }
  const auto* a_text = std::get_if<std::string>(&left.data);
  const auto* b_text = std::get_if<std::string>(&right.data);
  if (a_text && b_text) return *a_text < *b_text;
  const auto* a_list = std::get_if<ListValue>(&left.data);
  const auto* b_list = std::get_if<ListValue>(&right.data);
  if (a_list && b_list) {
    const std::size_t common = std::min(a_list->items.size(), b_list->items.size());
    for (std::size_t i = 0; i < common; ++i)
      if (!python_equal(a_list->items[i], b_list->items[i]))
        return python_less(a_list->items[i], b_list->items[i]);
    return a_list->items.size() < b_list->items.size();
  }
  return raise("TypeError", fmt::format("'<' not supported between instances of '{}' and '{}'",
                                        python_type_name(OverrideValue{left}),
                                        python_type_name(OverrideValue{right})));
}

bool glob_match(std::string_view name, std::string_view pattern) {
  std::size_t n = 0;
  std::size_t p = 0;
  std::size_t star_pattern = std::string_view::npos;
  std::size_t star_name = 0;
  // Matches the class at pattern[p] (which is '['); returns its end, or npos if unterminated.
  auto match_class = [&](char c, std::size_t at, bool& matched) -> std::size_t {
    std::size_t q = at + 1;
    bool negate = false;
    if (q < pattern.size() && (pattern[q] == '!')) {
      negate = true;
      ++q;
    }
    bool found = false;
    bool first = true;
    while (q < pattern.size() && (pattern[q] != ']' || first)) {
      first = false;
      if (q + 2 < pattern.size() && pattern[q + 1] == '-' && pattern[q + 2] != ']') {
        if (pattern[q] <= c && c <= pattern[q + 2]) found = true;
        q += 3;
      } else {
        if (pattern[q] == c) found = true;
        ++q;
      }
    }
    if (q >= pattern.size()) return std::string_view::npos;
    matched = found != negate;
    return q + 1;
  };
  while (n < name.size()) {
    if (p < pattern.size()) {
      const char c = pattern[p];
      if (c == '*') {
        star_pattern = p++;
        star_name = n;
        continue;
      }
      if (c == '?') {
        ++p;
        ++n;
        continue;
      }
      if (c == '[') {
        bool matched = false;
        const std::size_t end = match_class(name[n], p, matched);
        if (end == std::string_view::npos) {
          if (name[n] == '[') {
            ++p;
            ++n;
            continue;
          }
        } else if (matched) {
          p = end;
          ++n;
          continue;
        }
      } else if (c == name[n]) {
        ++p;
        ++n;
        continue;
      }
    }
    if (star_pattern == std::string_view::npos) return false;
    p = star_pattern + 1;
    n = ++star_name;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace sortie::hydra
