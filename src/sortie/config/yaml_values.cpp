#include "sortie/config/yaml_values.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

#include "sortie/config/yaml_bounds.hpp"
#include "sortie/hydra/render.hpp"

namespace sortie::config {
namespace {

using core::ErrorCode;
using hydra::DictValue;
using hydra::ListValue;
using hydra::Value;

constexpr std::string_view k_tag_prefix = "tag:yaml.org,2002:";

bool is_digit(char character, int base) {
  switch (base) {
    case 2:
      return character == '0' || character == '1';
    case 8:
      return character >= '0' && character <= '7';
    case 10:
      return character >= '0' && character <= '9';
    default:
      return (character >= '0' && character <= '9') || (character >= 'a' && character <= 'f') ||
             (character >= 'A' && character <= 'F');
  }
}

// Digits of `base` with `_` separators, at least one digit, as YAML 1.1's int regexes allow.
bool all_digits(std::string_view text, int base) {
  bool any_digit = false;
  for (char character : text) {
    if (character == '_') continue;
    if (!is_digit(character, base)) return false;
    any_digit = true;
  }
  return any_digit;
}

std::string without_underscores(std::string_view text) {
  std::string result;
  result.reserve(text.size());
  for (char character : text)
    if (character != '_') result += character;
  return result;
}

bool is_yaml11_bool(std::string_view text, bool& value) {
  constexpr std::array k_true = {"yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"};
  constexpr std::array k_false = {"no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"};
  for (const char* word : k_true)
    if (text == word) return value = true, true;
  for (const char* word : k_false)
    if (text == word) return value = false, true;
  return false;
}

enum class IntParse { not_an_int, out_of_range, ok };

// YAML 1.1's int forms: [-+]?0b[01_]+, [-+]?0[0-7_]+, [-+]?(0|[1-9][0-9_]*), [-+]?0x[0-9a-fA-F_]+.
IntParse parse_yaml11_int(std::string_view text, std::int64_t& value) {
  bool negative = false;
  std::string_view body = text;
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) {
    negative = body.front() == '-';
    body.remove_prefix(1);
  }
  if (body.empty()) return IntParse::not_an_int;
  int base = 10;
  std::string_view digits = body;
  if (body.starts_with("0b")) {
    base = 2;
    digits = body.substr(2);
  } else if (body.starts_with("0x")) {
    base = 16;
    digits = body.substr(2);
  } else if (body.size() > 1 && body.front() == '0') {
    base = 8;
    digits = body.substr(1);
  } else if (body.front() == '_') {
    return IntParse::not_an_int;
  }
  if (!all_digits(digits, base)) return IntParse::not_an_int;
  const std::string clean = (negative ? "-" : "") + without_underscores(digits);
  errno = 0;
  char* end = nullptr;
  const long long parsed = std::strtoll(clean.c_str(), &end, base);
  if (errno == ERANGE) return IntParse::out_of_range;
  value = parsed;
  return IntParse::ok;
}

// OmegaConf's float resolver (a superset of YAML 1.1's: the exponent sign is optional and
// `1e-3` needs no dot), without the sexagesimal form.
bool parse_omegaconf_float(std::string_view text, double& value) {
  std::string_view body = text;
  bool negative = false;
  bool signed_text = false;
  if (!body.empty() && (body.front() == '-' || body.front() == '+')) {
    negative = body.front() == '-';
    signed_text = true;
    body.remove_prefix(1);
  }
  if (body == ".inf" || body == ".Inf" || body == ".INF") {
    value = negative ? -std::numeric_limits<double>::infinity()
                     : std::numeric_limits<double>::infinity();
    return true;
  }
  if (!signed_text && (body == ".nan" || body == ".NaN" || body == ".NAN")) {
    value = std::numeric_limits<double>::quiet_NaN();
    return true;
  }
  std::size_t position = 0;
  auto skip_digits = [&](bool allow_underscore) {
    const std::size_t start = position;
    while (position < body.size() &&
           (is_digit(body[position], 10) || (allow_underscore && body[position] == '_')))
      ++position;
    return position - start;
  };
  bool leading_dot = false;
  if (!body.empty() && body.front() == '.') {
    // `\.[0-9_]+([eE][-+][0-9]+)?`: no sign allowed, exponent sign required.
    if (signed_text) return false;
    leading_dot = true;
    ++position;
    if (skip_digits(true) == 0) return false;
  } else {
    if (body.empty() || !is_digit(body.front(), 10)) return false;
    skip_digits(true);
    bool has_dot = false;
    if (position < body.size() && body[position] == '.') {
      has_dot = true;
      ++position;
      skip_digits(true);
    }
    if (!has_dot && (position >= body.size() || (body[position] != 'e' && body[position] != 'E')))
      return false;
  }
  if (position < body.size() && (body[position] == 'e' || body[position] == 'E')) {
    ++position;
    const bool has_sign =
        position < body.size() && (body[position] == '-' || body[position] == '+');
    if (has_sign) ++position;
    if (leading_dot && !has_sign) return false;
    if (skip_digits(false) == 0) return false;
  }
  if (position != body.size()) return false;
  const std::string clean = without_underscores(text);
  value = std::strtod(clean.c_str(), nullptr);
  return true;
}

class Converter {
 public:
  explicit Converter(std::string_view file_name) : m_file_name(file_name) {}

  std::unexpected<core::Error> error_at(const YAML::Mark& mark, std::string_view what) const {
    return core::fail(ErrorCode::config_invalid, fmt::format("{}:{}:{}: {}", m_file_name,
                                                             mark.line + 1, mark.column + 1, what));
  }

  core::Result<Value> convert(const YAML::Node& node) const {
    const std::string& tag = node.Tag();
    const std::string_view short_tag = std::string_view(tag).starts_with(k_tag_prefix)
                                           ? std::string_view(tag).substr(k_tag_prefix.size())
                                           : std::string_view();
    constexpr std::array k_known_tags = {"str", "int", "float", "bool", "null", "seq", "map"};
    const bool known = std::ranges::find(k_known_tags, short_tag) != k_known_tags.end();
    if ((!tag.empty() && tag != "?" && tag != "!" && short_tag.empty()) ||
        (!short_tag.empty() && !known))
      return error_at(node.Mark(), fmt::format("unsupported tag '{}'", tag));
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        if (short_tag == "str") return Value{std::string()};
        return Value{nullptr};
      case YAML::NodeType::Scalar:
        return scalar(node, short_tag);
      case YAML::NodeType::Sequence:
        return sequence(node);
      case YAML::NodeType::Map:
        return mapping(node);
    }
    return Value{nullptr};
  }

 private:
  core::Result<Value> scalar(const YAML::Node& node, std::string_view short_tag) const {
    const std::string& text = node.Scalar();
    if (short_tag == "str" || (short_tag.empty() && node.Tag() == "!")) return Value{text};
    if (short_tag.empty() || short_tag == "bool") {
      bool flag = false;
      if (is_yaml11_bool(text, flag)) return Value{flag};
      if (!short_tag.empty()) return error_at(node.Mark(), fmt::format("'{}' is not a bool", text));
    }
    if (short_tag.empty() || short_tag == "int") {
      std::int64_t number = 0;
      switch (parse_yaml11_int(text, number)) {
        case IntParse::ok:
          return Value{number};
        case IntParse::out_of_range:
          return error_at(node.Mark(), fmt::format("the integer {} does not fit in 64 bits", text));
        case IntParse::not_an_int:
          if (!short_tag.empty())
            return error_at(node.Mark(), fmt::format("'{}' is not an int", text));
      }
    }
    if (short_tag.empty() || short_tag == "float") {
      double number = 0;
      if (parse_omegaconf_float(text, number)) return Value{number};
      std::int64_t whole = 0;
      if (short_tag == "float" && parse_yaml11_int(text, whole) == IntParse::ok)
        return Value{static_cast<double>(whole)};
      if (!short_tag.empty())
        return error_at(node.Mark(), fmt::format("'{}' is not a float", text));
    }
    if (short_tag == "null") return Value{nullptr};
    if (!short_tag.empty())
      return error_at(node.Mark(), fmt::format("unsupported tag '!!{}'", short_tag));
    return Value{text};
  }

  core::Result<Value> sequence(const YAML::Node& node) const {
    ListValue list;
    list.items.reserve(node.size());
    for (const auto& item : node) {
      auto converted = convert(item);
      if (!converted) return std::unexpected(converted.error());
      list.items.push_back(std::move(*converted));
    }
    return Value{std::move(list)};
  }

  core::Result<Value> mapping(const YAML::Node& node) const {
    DictValue dict;
    std::vector<DictValue> merged;
    for (const auto& entry : node) {
      const YAML::Node& key_node = entry.first;
      if (!key_node.IsScalar() && !key_node.IsNull())
        return error_at(key_node.Mark(), "mapping keys must be scalars");
      std::string key = key_node.IsNull() ? std::string("null") : key_node.Scalar();
      if (key == "<<" && key_node.Tag() == "?") {
        auto sources = merge_sources(entry.second);
        if (!sources) return std::unexpected(sources.error());
        merged.insert(merged.end(), sources->begin(), sources->end());
        continue;
      }
      for (const auto& [existing, _] : dict.entries)
        if (existing == key)
          return error_at(key_node.Mark(), fmt::format("found duplicate key '{}'", key));
      auto value = convert(entry.second);
      if (!value) return std::unexpected(value.error());
      dict.entries.emplace_back(std::move(key), std::move(*value));
    }
    // Merge keys fill in only what the mapping does not set itself; earlier sources win.
    for (const auto& source : merged) {
      for (const auto& [key, value] : source.entries) {
        bool present = false;
        for (const auto& [existing, _] : dict.entries) present = present || existing == key;
        if (!present) dict.entries.emplace_back(key, value);
      }
    }
    return Value{std::move(dict)};
  }

  core::Result<std::vector<DictValue>> merge_sources(const YAML::Node& node) const {
    std::vector<DictValue> sources;
    auto add = [&](const YAML::Node& source) -> core::Result<void> {
      if (!source.IsMap())
        return error_at(source.Mark(), "a merge key '<<' takes a mapping or a list of mappings");
      auto converted = convert(source);
      if (!converted) return std::unexpected(converted.error());
      sources.push_back(std::get<DictValue>(std::move(converted->data)));
      return {};
    };
    if (node.IsSequence()) {
      for (const auto& item : node)
        if (auto added = add(item); !added) return std::unexpected(added.error());
    } else if (auto added = add(node); !added) {
      return std::unexpected(added.error());
    }
    return sources;
  }

  std::string_view m_file_name;
};

// Adds `value` to `out`; strings that plain YAML would type differently are double-quoted.
void emit(YAML::Emitter& out, const Value& value);

void emit_string(YAML::Emitter& out, const std::string& text) {
  auto read_back = parse_yaml_value(text, "");
  const bool plain_reads_back = read_back && *read_back == Value{text};
  if (!plain_reads_back) out << YAML::DoubleQuoted;
  out << text;
}

void emit(YAML::Emitter& out, const Value& value) {
  if (std::holds_alternative<std::nullptr_t>(value.data)) {
    out << YAML::Null;
  } else if (const auto* flag = std::get_if<bool>(&value.data)) {
    out << *flag;
  } else if (const auto* whole = std::get_if<std::int64_t>(&value.data)) {
    out << *whole;
  } else if (const auto* number = std::get_if<double>(&value.data)) {
    if (std::isnan(*number))
      out << ".nan";
    else if (std::isinf(*number))
      out << (*number > 0 ? ".inf" : "-.inf");
    else
      out << hydra::render_float(*number);
  } else if (const auto* text = std::get_if<std::string>(&value.data)) {
    emit_string(out, *text);
  } else if (const auto* list = std::get_if<ListValue>(&value.data)) {
    if (list->items.empty()) out << YAML::Flow;
    out << YAML::BeginSeq;
    for (const auto& item : list->items) emit(out, item);
    out << YAML::EndSeq;
  } else {
    const auto& dict = std::get<DictValue>(value.data);
    if (dict.entries.empty()) out << YAML::Flow;
    out << YAML::BeginMap;
    for (const auto& [key, item] : dict.entries) {
      out << YAML::Key;
      emit_string(out, key);
      out << YAML::Value;
      emit(out, item);
    }
    out << YAML::EndMap;
  }
}

}  // namespace

core::Result<Value> parse_yaml_value(std::string_view text, std::string_view file_name) {
  Converter converter(file_name);
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return converter.error_at(e.mark, e.msg);
  }
  if (documents.empty()) return Value{nullptr};
  if (documents.size() > 1)
    return converter.error_at(documents[1].Mark(),
                              "expected a single document, found several ('---')");
  if (auto bounded = check_yaml_bounds(documents.front(), file_name); !bounded)
    return std::unexpected(bounded.error());
  try {
    return converter.convert(documents.front());
  } catch (const YAML::Exception& e) {
    return converter.error_at(e.mark, e.msg);
  }
}

std::string to_yaml(const Value& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, value);
  std::string text = out.c_str();
  if (!text.empty() && text.back() != '\n') text.push_back('\n');
  return text;
}

}  // namespace sortie::config
