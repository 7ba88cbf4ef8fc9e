#include "sortie/hydra/config_repository.hpp"

#include <fmt/format.h>

#include <cctype>

#include "sortie/hydra/config_values.hpp"

namespace sortie::hydra {
namespace {

using core::ErrorCode;

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0)
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0)
    text.remove_suffix(1);
  return text;
}

// Hydra's header rules: leading `# @key value` lines, blank lines skipped, the first other
// line ends the header.
core::Result<std::optional<std::string>> read_package_header(std::string_view text,
                                                             std::string_view file_name) {
  std::optional<std::string> package;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = trim(text.substr(start, end - start));
    start = end + 1;
    if (line.empty()) continue;
    if (!line.starts_with('#')) break;
    std::string_view after_hash = line;
    while (after_hash.starts_with('#')) after_hash.remove_prefix(1);
    after_hash = trim(after_hash);
    if (!after_hash.starts_with('@')) break;
    std::vector<std::string_view> words;
    std::size_t position = 0;
    while (position < after_hash.size()) {
      const std::size_t space = std::min(after_hash.find(' ', position), after_hash.size());
      if (space > position) words.push_back(after_hash.substr(position, space - position));
      position = space + 1;
    }
    if (words.size() < 2)
      return core::fail(
          ErrorCode::config_invalid,
          fmt::format("{}: Expected header format: KEY VALUE, got '{}'", file_name, after_hash));
    if (words.size() > 2)
      return core::fail(ErrorCode::config_invalid,
                        fmt::format("{}: Too many components in '{}'", file_name, after_hash));
    if (trim(words[0]) == "@package") package = std::string(trim(words[1]));
  }
  return package;
}

struct SplitGroup {
  std::string group;
  std::optional<std::string> package;
};

// `group@package` (a legacy `@pkg1:pkg2` rename keeps `pkg1`).
SplitGroup split_group(std::string_view text) {
  const auto at = text.find('@');
  if (at == std::string_view::npos) return {std::string(text), std::nullopt};
  std::string package(text.substr(at + 1));
  if (const auto colon = package.find(':'); colon != std::string::npos) package.resize(colon);
  return {std::string(text.substr(0, at)), std::move(package)};
}

std::optional<std::string> here_to_empty(std::optional<std::string> package) {
  if (package == "_here_") return std::string();
  return package;
}

core::Result<std::vector<DefaultsEntry>> read_defaults(const Value& defaults,
                                                       std::string_view config_path) {
  auto invalid = [&](std::string what) {
    return core::fail(ErrorCode::config_invalid, fmt::format("In {}: {}", config_path, what));
  };
  const auto* list = std::get_if<ListValue>(&defaults.data);
  if (list == nullptr) {
    const bool mapping = std::holds_alternative<DictValue>(defaults.data);
    return core::fail(
        ErrorCode::config_invalid,
        fmt::format("Invalid defaults list in '{}', defaults must be a list (got {})", config_path,
                    mapping ? "mapping" : python_type_name(defaults, TypeNames::omegaconf)));
  }
  std::vector<DefaultsEntry> entries;
  for (const Value& item : list->items) {
    if (const auto* text = std::get_if<std::string>(&item.data)) {
      auto [path, package] = split_group(*text);
      entries.push_back(DefaultsEntry{DefaultsEntry::Kind::config,
                                      std::move(path),
                                      {},
                                      here_to_empty(std::move(package)),
                                      false,
                                      false});
      continue;
    }
    const auto* dict = std::get_if<DictValue>(&item.data);
    if (dict == nullptr)
      return invalid(fmt::format("Unsupported type in defaults : {}",
                                 python_type_name(item, TypeNames::omegaconf)));
    std::vector<std::pair<std::string, Value>> fields = dict->entries;
    std::optional<bool> old_optional;
    if (fields.size() > 1) {
      for (auto field = fields.begin(); field != fields.end(); ++field) {
        if (field->first != "optional") continue;
        const auto* flag = std::get_if<bool>(&field->second.data);
        old_optional = flag != nullptr && *flag;
        fields.erase(field);
        break;
      }
    }
    if (fields.size() > 1)
      return invalid(fmt::format("Too many keys in default item {}", python_str(item)));
    if (fields.empty()) return invalid(fmt::format("Missing group name in {}", python_str(item)));
    const auto& [key, value] = fields.front();
    auto [group_with_keywords, package] = split_group(key);

    DefaultsEntry entry;
    entry.kind = DefaultsEntry::Kind::group;
    entry.package = here_to_empty(std::move(package));
    std::vector<std::string> words;
    std::size_t position = 0;
    while (position <= group_with_keywords.size()) {
      const std::size_t space =
          std::min(group_with_keywords.find(' ', position), group_with_keywords.size());
      words.push_back(group_with_keywords.substr(position, space - position));
      position = space + 1;
    }
    entry.path = words.back();
    words.pop_back();
    for (const auto& word : words) {
      if (word == "optional")
        entry.optional = true;
      else if (word == "override")
        entry.is_override = true;
      else
        break;
    }
    if (!entry.optional && old_optional) entry.optional = *old_optional;
    if (entry.path.empty())
      return invalid(fmt::format("Missing group name in {}", python_str(item)));

    if (std::holds_alternative<std::nullptr_t>(value.data)) {
      entry.choice.name = std::nullopt;
    } else if (const auto* name = std::get_if<std::string>(&value.data)) {
      entry.choice.name = *name;
    } else if (const auto* names = std::get_if<ListValue>(&value.data)) {
      std::vector<std::string> options;
      for (const Value& option : names->items) {
        const auto* option_name = std::get_if<std::string>(&option.data);
        if (option_name == nullptr)
          return invalid(fmt::format(
              "Unsupported item value in defaults : {}, nested list items must be strings",
              python_type_name(option, TypeNames::omegaconf)));
        options.push_back(*option_name);
      }
      entry.choice.names = std::move(options);
    } else {
      return invalid(
          fmt::format("Unsupported item value in defaults : {}. Supported: string or list",
                      python_type_name(value, TypeNames::omegaconf)));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

ConfigRepository::ConfigRepository(const ConfigSource& source, ParseYaml parse)
    : m_source(source), m_parse(std::move(parse)) {}

core::Result<const LoadedConfig*> ConfigRepository::load(const std::string& config_path) {
  if (const auto cached = m_cache.find(config_path); cached != m_cache.end())
    return cached->second.get();
  if (config_path == k_empty_primary_config) {
    auto empty = std::make_unique<LoadedConfig>();
    empty->config_path = config_path;
    empty->body = Value{DictValue{}};
    return m_cache.emplace(config_path, std::move(empty)).first->second.get();
  }
  if (!m_source.is_config(config_path)) {
    m_cache.emplace(config_path, nullptr);
    return nullptr;
  }
  auto text = m_source.load(config_path);
  if (!text) return std::unexpected(text.error());
  const std::string file_name = config_path + ".yaml";
  auto header = read_package_header(*text, file_name);
  if (!header) return std::unexpected(header.error());
  auto body = m_parse(*text, file_name);
  if (!body) return std::unexpected(body.error());

  auto loaded = std::make_unique<LoadedConfig>();
  loaded->config_path = config_path;
  loaded->package_header = std::move(*header);
  if (std::holds_alternative<std::nullptr_t>(body->data)) body->data = DictValue{};
  if (auto* dict = std::get_if<DictValue>(&body->data)) {
    for (auto entry = dict->entries.begin(); entry != dict->entries.end(); ++entry) {
      if (entry->first != "defaults") continue;
      auto defaults = read_defaults(entry->second, config_path);
      if (!defaults) return std::unexpected(defaults.error());
      loaded->defaults = std::move(*defaults);
      dict->entries.erase(entry);
      break;
    }
    for (const auto& [key, value] : dict->entries) {
      const auto* text_value = std::get_if<std::string>(&value.data);
      if (text_value == nullptr || *text_value != "???") loaded->has_content = true;
    }
  }
  loaded->body = std::move(*body);
  return m_cache.emplace(config_path, std::move(loaded)).first->second.get();
}

bool ConfigRepository::group_exists(std::string_view group_path) const {
  return m_source.is_group(group_path);
}

bool ConfigRepository::config_exists(std::string_view config_path) const {
  return config_path == k_empty_primary_config || m_source.is_config(config_path);
}

std::vector<std::string> ConfigRepository::options(std::string_view group_path) const {
  if (!m_source.is_group(group_path)) return {};
  return m_source.list(group_path).configs;
}

std::string ConfigRepository::search_path() const {
  return fmt::format("Config search path:\n\tprovider=main, path={}", m_source.describe());
}

}  // namespace sortie::hydra
