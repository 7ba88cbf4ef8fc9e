#include "sortie/hydra/config_values.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <optional>

namespace sortie::hydra {
namespace {

bool is_missing_marker(const Value& value) {
  const auto* text = std::get_if<std::string>(&value.data);
  return text != nullptr && *text == "???";
}

bool is_container(const Value& value) {
  return std::holds_alternative<DictValue>(value.data) ||
         std::holds_alternative<ListValue>(value.data);
}

template <class Dict>
auto* find_key(Dict& dict, std::string_view key) {
  for (auto& [name, value] : dict.entries)
    if (name == key) return &value;
  return static_cast<decltype(&dict.entries.front().second)>(nullptr);
}

std::optional<std::size_t> list_index(std::string_view text) {
  std::size_t index = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return index;
}

// The child of `node` (a Value or a const Value) named `part`, or nullptr.
template <class Node>
Node* child_of(Node& node, std::string_view part) {
  if (auto* dict = std::get_if<DictValue>(&node.data)) return find_key(*dict, part);
  if (auto* list = std::get_if<ListValue>(&node.data)) {
    const auto index = list_index(part);
    if (index && *index < list->items.size()) return &list->items[*index];
  }
  return nullptr;
}

std::string python_repr(const Value& value) {
  if (const auto* text = std::get_if<std::string>(&value.data)) {
    std::string quoted = "'";
    for (char character : *text) {
      if (character == '\'' || character == '\\') quoted += '\\';
      quoted += character;
    }
    return quoted + "'";
  }
  return python_str(value);
}

}  // namespace

void merge_into(DictValue& destination, const DictValue& source) {
  for (const auto& [key, source_value] : source.entries) {
    Value* existing = find_key(destination, key);
    if (existing == nullptr) {
      destination.entries.emplace_back(key, source_value);
      continue;
    }
    if (auto* existing_dict = std::get_if<DictValue>(&existing->data)) {
      if (const auto* source_dict = std::get_if<DictValue>(&source_value.data)) {
        merge_into(*existing_dict, *source_dict);
        continue;
      }
      if (is_missing_marker(source_value)) continue;
    }
    *existing = source_value;
  }
}

Value at_package(Value value, std::string_view package) {
  if (package.empty()) return value;
  const auto parts = split_key(package);
  for (auto part = parts.rbegin(); part != parts.rend(); ++part) {
    DictValue wrapper;
    wrapper.entries.emplace_back(*part, std::move(value));
    value = Value{std::move(wrapper)};
  }
  return value;
}

std::vector<std::string> split_key(std::string_view key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    if (dot == std::string_view::npos) {
      parts.emplace_back(key.substr(start));
      return parts;
    }
    parts.emplace_back(key.substr(start, dot - start));
    start = dot + 1;
  }
}

const Value* select_key(const Value& root, std::string_view key) {
  const Value* node = &root;
  for (const auto& part : split_key(key)) {
    node = child_of(*node, part);
    if (node == nullptr) return nullptr;
  }
  return node;
}

std::expected<void, UpdateFailure> update(Value& root, std::string_view key, const Value& value,
                                          Missing missing) {
  const auto parts = split_key(key);
  Value* node = &root;
  for (std::size_t index = 0; index + 1 < parts.size(); ++index) {
    Value* child = child_of(*node, parts[index]);
    if (child != nullptr && is_container(*child)) {
      node = child;
      continue;
    }
    if (missing == Missing::fail) return std::unexpected(UpdateFailure::missing_key);
    if (child != nullptr) {
      *child = Value{DictValue{}};
      node = child;
      continue;
    }
    auto* dict = std::get_if<DictValue>(&node->data);
    if (dict == nullptr) return std::unexpected(UpdateFailure::invalid);
    dict->entries.emplace_back(parts[index], Value{DictValue{}});
    node = &dict->entries.back().second;
  }
  const std::string& last = parts.back();
  Value* target = child_of(*node, last);
  if (target != nullptr && is_container(*target) && is_container(value)) {
    if (auto* target_dict = std::get_if<DictValue>(&target->data)) {
      const auto* value_dict = std::get_if<DictValue>(&value.data);
      if (value_dict == nullptr) return std::unexpected(UpdateFailure::invalid);
      merge_into(*target_dict, *value_dict);
      return {};
    }
    if (!std::holds_alternative<ListValue>(value.data))
      return std::unexpected(UpdateFailure::invalid);
    *target = value;
    return {};
  }
  if (target != nullptr) {
    *target = value;
    return {};
  }
  if (std::holds_alternative<ListValue>(node->data)) return std::unexpected(UpdateFailure::invalid);
  if (missing == Missing::fail) return std::unexpected(UpdateFailure::missing_key);
  auto* dict = std::get_if<DictValue>(&node->data);
  if (dict == nullptr) return std::unexpected(UpdateFailure::invalid);
  dict->entries.emplace_back(last, value);
  return {};
}

bool remove(Value& root, std::string_view key) {
  const auto parts = split_key(key);
  Value* node = &root;
  for (std::size_t index = 0; index + 1 < parts.size(); ++index) {
    node = child_of(*node, parts[index]);
    if (node == nullptr) return false;
  }
  if (auto* dict = std::get_if<DictValue>(&node->data)) {
    for (auto entry = dict->entries.begin(); entry != dict->entries.end(); ++entry) {
      if (entry->first != parts.back()) continue;
      dict->entries.erase(entry);
      return true;
    }
    return false;
  }
  if (auto* list = std::get_if<ListValue>(&node->data)) {
    const auto index = list_index(parts.back());
    if (!index || *index >= list->items.size()) return false;
    list->items.erase(list->items.begin() + static_cast<std::ptrdiff_t>(*index));
    return true;
  }
  return false;
}

std::string python_str(const Value& value) {
  struct Printer {
    std::string operator()(std::nullptr_t) const { return "None"; }
    std::string operator()(bool flag) const { return flag ? "True" : "False"; }
    std::string operator()(std::int64_t number) const { return std::to_string(number); }
    std::string operator()(double number) const {
      if (std::isnan(number)) return "nan";
      if (std::isinf(number)) return number > 0 ? "inf" : "-inf";
      std::string text = fmt::format("{}", number);
      if (text.find_first_of(".en") == std::string::npos) text += ".0";
      return text;
    }
    std::string operator()(const std::string& text) const { return text; }
    std::string operator()(const ListValue& list) const {
      std::string text = "[";
      for (std::size_t index = 0; index < list.items.size(); ++index) {
        if (index > 0) text += ", ";
        text += python_repr(list.items[index]);
      }
      return text + "]";
    }
    std::string operator()(const DictValue& dict) const {
      std::string text = "{";
      for (std::size_t index = 0; index < dict.entries.size(); ++index) {
        if (index > 0) text += ", ";
        text += "'" + dict.entries[index].first + "': " + python_repr(dict.entries[index].second);
      }
      return text + "}";
    }
  };
  return std::visit(Printer{}, value.data);
}

std::string python_type_name(const Value& value, TypeNames names) {
  const bool omegaconf = names == TypeNames::omegaconf;
  switch (value.data.index()) {
    case 0:
      return "NoneType";
    case 1:
      return "bool";
    case 2:
      return "int";
    case 3:
      return "float";
    case 4:
      return "str";
    case 5:
      return omegaconf ? "ListConfig" : "list";
    default:
      return omegaconf ? "DictConfig" : "dict";
  }
}

}  // namespace sortie::hydra
