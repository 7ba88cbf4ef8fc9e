#include "sortie/hydra/defaults_list.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "sortie/hydra/config_values.hpp"

namespace sortie::hydra {
namespace {

using core::ErrorCode;
using Kind = DefaultsEntry::Kind;

constexpr std::string_view k_self = "_self_";
constexpr std::string_view k_global = "_global_";

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  std::size_t position = 0;
  while ((position = text.find(from, position)) != std::string::npos) {
    text.replace(position, from.size(), to);
    position += to.size();
  }
  return text;
}

std::string without_leading_slash(std::string_view path) {
  return std::string(path.starts_with('/') ? path.substr(1) : path);
}

std::string dots_for_slashes(std::string text) {
  std::ranges::replace(text, '/', '.');
  return text;
}

// Hydra's InputDefault (ConfigDefault or GroupDefault) while the tree is built.
struct Element {
  Kind kind = Kind::config;
  std::string path;  // ConfigDefault.path or GroupDefault.group
  GroupChoice choice;
  std::optional<std::string> package;
  std::optional<std::string> package_header;
  bool optional = false;
  bool is_override = false;
  bool external_append = false;
  bool primary = false;
  bool deleted = false;
  std::string parent_base_dir;
  std::string parent_package;
};

struct TreeNode {
  Element element;
  std::optional<std::vector<TreeNode>> children;  // nullopt: a leaf
};

Element from_entry(const DefaultsEntry& entry) {
  Element element;
  element.kind = entry.kind;
  element.path = entry.path;
  element.choice = entry.choice;
  element.package = entry.package;
  element.optional = entry.optional;
  element.is_override = entry.is_override;
  return element;
}

Element config_element(std::string path) {
  Element element;
  element.path = std::move(path);
  return element;
}

// Defaults of Hydra's own config groups (`hydra/launcher`, `override hydra/job_logging`) are
// not in the project's tree: they configure Hydra, not the app, and are out of scope.
bool is_hydra_group(const DefaultsEntry& entry) {
  if (entry.kind != Kind::group) return false;
  const std::string group = without_leading_slash(entry.path);
  return group == "hydra" || group.starts_with("hydra/");
}

class Builder {
 public:
  Builder(ConfigRepository& repository, VersionBase version_base)
      : m_repository(repository), m_version_base(version_base) {}

  // Hydra's Overrides.__init__: sorts the command line into group and config overrides.
  core::Result<void> classify(const std::vector<Override>& overrides,
                              std::vector<Override>& config_overrides) {
    for (const Override& override_item : overrides) {
      const bool is_group = m_repository.group_exists(override_item.key);
      const Value* value =
          override_item.value ? std::get_if<Value>(&*override_item.value) : nullptr;
      const bool is_dict = value != nullptr && std::holds_alternative<DictValue>(value->data);
      if (is_dict || !is_group) {
        config_overrides.push_back(override_item);
        continue;
      }
      const std::string key_element = override_item.package
                                          ? override_item.key + "@" + *override_item.package
                                          : override_item.key;
      if (override_item.kind == OverrideKind::force_add)
        return core::fail(
            ErrorCode::invalid_argument,
            fmt::format("force-add of config groups is not supported: '{}'", override_item.input));
      if (override_item.kind == OverrideKind::del) {
        std::optional<std::string> name;
        if (value != nullptr && !std::holds_alternative<std::nullptr_t>(value->data)) {
          const auto* text = std::get_if<std::string>(&value->data);
          if (text == nullptr)
            return core::fail(
                ErrorCode::invalid_argument,
                fmt::format("Config group override deletion value must be a string : {}",
                            override_item.input));
          name = *text;
        }
        auto existing = std::ranges::find(m_deletions, key_element, &Deletion::key);
        if (existing != m_deletions.end())
          existing->name = name;
        else
          m_deletions.push_back(Deletion{key_element, name, false});
        continue;
      }
      auto choice = group_choice(value);
      if (!choice) {
        const std::string type = value == nullptr ? "NoneType" : python_type_name(*value);
        return core::fail(
            ErrorCode::invalid_argument,
            fmt::format("Config group override must be a string or a list. Got {} (in '{}')", type,
                        override_item.input));
      }
      if (override_item.kind == OverrideKind::add) {
        Element element;
        element.kind = Kind::group;
        element.path = override_item.key;
        element.choice = std::move(*choice);
        element.package = override_item.package == "_here_" ? std::optional<std::string>("")
                                                            : override_item.package;
        element.external_append = true;
        m_append_group_defaults.push_back(std::move(element));
        continue;
      }
      auto existing = std::ranges::find(m_override_choices, key_element, &OverrideRecord::key);
      if (existing != m_override_choices.end()) {
        existing->choice = std::move(*choice);
      } else {
        m_override_choices.push_back(
            OverrideRecord{key_element, std::move(*choice), true, std::nullopt, false});
      }
    }
    return {};
  }

  core::Result<TreeNode> build(std::string_view config_name) {
    TreeNode root;
    root.element = config_element(config_name.empty() ? std::string(k_empty_primary_config)
                                                      : std::string(config_name));
    root.element.primary = true;
    if (auto expanded = expand(root, nullptr, true, false); !expanded)
      return std::unexpected(expanded.error());
    return root;
  }

  core::Result<void> ensure_overrides_used() const {
    for (const auto& record : m_override_choices) {
      if (record.used) continue;
      const std::string group = record.key.substr(0, record.key.find('@'));
      const auto known = m_known_choices_per_group.find(group);
      std::string message;
      if (known != m_known_choices_per_group.end() && known->second.size() > 1) {
        message = fmt::format("Could not override '{}'.\nDid you mean to override one of {}?",
                              record.key, fmt::join(known->second, ", "));
      } else if (known != m_known_choices_per_group.end() && known->second.size() == 1) {
        message = fmt::format("Could not override '{}'.\nDid you mean to override {}?", record.key,
                              *known->second.begin());
      } else {
        message =
            fmt::format("Could not override '{}'. No match in the defaults list.", record.key);
      }
      if (record.containing_config_path)
        message = fmt::format("In '{}': {}", *record.containing_config_path, message);
      if (record.external)
        message += fmt::format("\nTo append to your default list use +{}={}", record.key,
                               choice_text(record.choice));
      return core::fail(record.external ? ErrorCode::invalid_argument : ErrorCode::config_invalid,
                        std::move(message));
    }
    return {};
  }

  core::Result<void> ensure_deletions_used() const {
    for (const auto& deletion : m_deletions) {
      if (deletion.used) continue;
      const std::string description =
          deletion.name ? fmt::format("{}={}", deletion.key, *deletion.name) : deletion.key;
      return core::fail(
          ErrorCode::invalid_argument,
          fmt::format("Could not delete '{}'. No match in the defaults list", description));
    }
    return {};
  }

  // Hydra's _tree_to_list: the leaves in order, without deleted, missing and null ones.
  // `keys` receives the override key of each group entry, for ensure_no_duplicates().
  void collect(const TreeNode& tree, const TreeNode* tree_parent,
               std::vector<ResultDefault>& output, std::vector<std::string>& keys) const {
    if (!tree.children || tree.children->empty()) {
      visit(tree_parent, nullptr, tree.element, output, keys);
      return;
    }
    for (const TreeNode& child : *tree.children) {
      if (!child.children)
        visit(&tree, tree_parent, child.element, output, keys);
      else
        collect(child, &tree, output, keys);
    }
  }

  // Hydra's ensure_no_duplicates_in_list.
  static core::Result<void> ensure_no_duplicates(const std::vector<std::string>& keys) {
    std::set<std::string> seen;
    for (const auto& key : keys) {
      if (!seen.insert(key).second)
        return core::fail(ErrorCode::config_invalid,
                          fmt::format("{} appears more than once in the final defaults list", key));
    }
    return {};
  }

  std::vector<Choice> choices() const { return m_known_choices; }
  std::vector<std::string> warnings() const { return m_warnings; }

 private:
  struct OverrideRecord {
    std::string key;
    GroupChoice choice;
    bool external = false;
    std::optional<std::string> containing_config_path;
    bool used = false;
  };

  struct Deletion {
    std::string key;
    std::optional<std::string> name;
    bool used = false;
  };

  static std::optional<GroupChoice> group_choice(const Value* value) {
    if (value == nullptr) return std::nullopt;
    if (const auto* text = std::get_if<std::string>(&value->data))
      return GroupChoice{*text, std::nullopt};
    if (const auto* list = std::get_if<ListValue>(&value->data)) {
      std::vector<std::string> names;
      for (const auto& item : list->items) {
        const auto* name = std::get_if<std::string>(&item.data);
        if (name == nullptr) return std::nullopt;
        names.push_back(*name);
      }
      return GroupChoice{std::nullopt, std::move(names)};
    }
    return std::nullopt;
  }

  static std::string choice_text(const GroupChoice& choice) {
    if (choice.names) {
      std::vector<std::string> quoted;
      for (const auto& name : *choice.names) quoted.push_back("'" + name + "'");
      return fmt::format("[{}]", fmt::join(quoted, ", "));
    }
    return choice.name.value_or("None");
  }

  // --- InputDefault's accessors ---

  static bool is_self(const Element& element) {
    if (element.kind == Kind::config) return element.path == k_self;
    return !element.choice.names && element.choice.name == k_self;
  }

  static std::string group_path(const Element& element) {
    if (element.kind == Kind::config) {
      const bool absolute = element.path.starts_with('/');
      const std::string path = without_leading_slash(element.path);
      const auto slash = path.rfind('/');
      const std::string group = slash == std::string::npos ? std::string() : path.substr(0, slash);
      if (absolute || element.parent_base_dir.empty()) return group;
      return group.empty() ? element.parent_base_dir : element.parent_base_dir + "/" + group;
    }
    const bool absolute = element.path.starts_with('/') || element.external_append;
    const std::string group = without_leading_slash(element.path);
    if (element.parent_base_dir.empty() || absolute) return group;
    return element.parent_base_dir + "/" + group;
  }

  static std::optional<std::string> name(const Element& element) {
    if (element.kind == Kind::config) {
      const auto slash = element.path.rfind('/');
      return slash == std::string::npos ? element.path : element.path.substr(slash + 1);
    }
    if (element.choice.names) return std::nullopt;
    return element.choice.name;
  }

  static std::string config_path(const Element& element) {
    if (element.kind == Kind::config) {
      if (element.path.starts_with('/')) return element.path.substr(1);
      return element.parent_base_dir.empty() ? element.path
                                             : element.parent_base_dir + "/" + element.path;
    }
    return group_path(element) + "/" + name(element).value_or("None");
  }

  static std::string default_package(const Element& element) {
    return dots_for_slashes(group_path(element));
  }

  static std::string relative_group_path(const Element& element) {
    const std::string path = without_leading_slash(element.path);
    if (element.kind == Kind::group) return path;
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? std::string() : path.substr(0, slash);
  }

  static std::optional<std::string> package_of(const Element& element,
                                               bool default_to_package_header = true) {
    if (!element.package && default_to_package_header) return element.package_header;
    return element.package;
  }

  std::string final_package(const Element& element, bool default_to_package_header = true) const {
    const std::string parent_package =
        element.kind == Kind::group && element.external_append ? "" : element.parent_package;
    std::string package = package_of(element, default_to_package_header)
                              .value_or(dots_for_slashes(relative_group_path(element)));
    if (m_version_base == VersionBase::legacy_1_1) {
      if (const auto element_name = name(element))
        package = replace_all(package, "_name_", *element_name);
    }
    std::string result;
    if (parent_package.empty())
      result = package;
    else
      result = package.empty() ? parent_package : parent_package + "." + package;
    const auto global = result.rfind(k_global);
    if (global == std::string::npos) return result;
    const std::size_t after = global + k_global.size() + 1;
    return after >= result.size() ? std::string() : result.substr(after);
  }

  std::string override_key(const Element& element) const {
    const std::string default_pkg = default_package(element);
    std::string final_pkg = final_package(element, false);
    std::string key = group_path(element);
    if (default_pkg != final_pkg)
      key += "@" + (final_pkg.empty() ? std::string(k_global) : final_pkg);
    return key;
  }

  static void update_parent(Element& element, std::string base_dir, std::string package) {
    element.parent_base_dir = std::move(base_dir);
    element.parent_package = std::move(package);
    if (element.package && element.package->find("_group_") != std::string::npos) {
      element.package = std::string(k_global) + "." +
                        replace_all(*element.package, "_group_", default_package(element));
    }
  }

  void set_package_header(Element& element, std::optional<std::string> header) const {
    if (!header) return;
    if (m_version_base == VersionBase::legacy_1_1 && *header == "_group_") return;
    if (*header != k_global && !header->starts_with("_global_.")) {
      header = header->empty() ? std::string(k_global) : std::string(k_global) + "." + *header;
    }
    if (m_version_base == VersionBase::legacy_1_1)
      header = replace_all(*header, "_group_", default_package(element));
    element.package_header = std::move(header);
  }

  static bool is_missing(const Element& element) { return name(element) == "???"; }

  static bool is_interpolation(const Element& element) {
    if (element.kind == Kind::config) return element.path.find("${") != std::string::npos;
    const auto element_name = name(element);
    return element_name && element_name->find("${") != std::string::npos;
  }

  // --- Overrides' bookkeeping ---

  OverrideRecord* find_override(const std::string& key) {
    auto found = std::ranges::find(m_override_choices, key, &OverrideRecord::key);
    return found == m_override_choices.end() ? nullptr : &*found;
  }

  void add_override(const std::string& parent_config_path, const Element& element) {
    const std::string key = override_key(element);
    if (find_override(key) != nullptr) return;
    m_override_choices.push_back(
        OverrideRecord{key, element.choice, false, parent_config_path, false});
  }

  core::Result<void> set_known_choice(const Element& element) {
    if (element.kind != Kind::group) return {};
    const std::string key = override_key(element);
    const auto element_name = name(element);
    auto known = std::ranges::find(m_known_choices, key, &Choice::key);
    if (known == m_known_choices.end()) {
      m_known_choices.push_back(Choice{key, element_name});
    } else if (known->option != element_name) {
      return core::fail(ErrorCode::config_invalid,
                        fmt::format("Multiple values for {}. To override a value use "
                                    "'override {}: {}'",
                                    key, key, known->option.value_or("None")));
    }
    m_known_choices_per_group[group_path(element)].insert(key);
    return {};
  }

  Deletion* find_deletion(const Element& element) {
    if (element.kind != Kind::group) return nullptr;
    const std::string key = override_key(element);
    auto found = std::ranges::find(m_deletions, key, &Deletion::key);
    if (found == m_deletions.end()) return nullptr;
    if (found->name && *found->name != name(element)) return nullptr;
    return &*found;
  }

  // --- the tree ---

  std::unexpected<core::Error> not_found(const Element& element, const Element* parent) const {
    std::string message;
    if (element.primary) {
      message = fmt::format(
          "Cannot find primary config '{}'. Check that it's in your config search path.\n",
          config_path(element));
    } else {
      if (element.kind == Kind::group) {
        const std::string group = group_path(element);
        message = fmt::format("Could not find '{}'\n", config_path(element));
        const auto options = m_repository.options(group);
        if (!options.empty())
          message +=
              fmt::format("\nAvailable options in '{}':\n\t{}", group, fmt::join(options, "\n\t"));
      } else {
        message = fmt::format("Could not load '{}'.\n", config_path(element));
      }
      if (parent != nullptr) message = fmt::format("In '{}': {}", config_path(*parent), message);
    }
    message += "\n" + m_repository.search_path();
    return core::fail(ErrorCode::not_found, std::move(message));
  }

  core::Result<void> check_not_missing(const Element& element) const {
    if (!is_missing(element)) return {};
    if (element.kind == Kind::group) {
      const std::string key = override_key(element);
      std::string message =
          fmt::format("You must specify '{}', e.g, {}=<OPTION>\nAvailable options:\n", key, key);
      std::vector<std::string> lines;
      for (const auto& option : m_repository.options(group_path(element)))
        lines.push_back("\t" + option);
      message += fmt::format("{}", fmt::join(lines, "\n"));
      return core::fail(ErrorCode::invalid_argument, std::move(message));
    }
    return core::fail(
        ErrorCode::config_invalid,
        fmt::format("Missing ConfigDefault is not supported : {}", config_path(element)));
  }

  core::Result<bool> validate_self(const Element& containing, std::vector<Element>& defaults,
                                   bool has_config_content) {
    bool has_self = false;
    bool has_non_override = false;
    for (const auto& element : defaults) {
      if (!element.is_override) has_non_override = true;
      if (is_self(element)) {
        if (has_self)
          return core::fail(ErrorCode::config_invalid,
                            fmt::format("Duplicate _self_ defined in {}", config_path(containing)));
        has_self = true;
      }
    }
    if ((!has_self && has_non_override) || defaults.empty()) {
      if (containing.primary && has_config_content && has_non_override) {
        m_warnings.push_back(fmt::format(
            "In '{}': Defaults list is missing `_self_`. See "
            "https://hydra.cc/docs/1.2/upgrades/1.0_to_1.1/default_composition_order for more "
            "information",
            config_path(containing)));
      }
      defaults.push_back(config_element(std::string(k_self)));
    }
    return !has_self;
  }

  core::Result<void> update_overrides(std::vector<Element>& defaults, const Element& parent,
                                      bool interpolated_subtree) {
    const Element* last_override_seen = nullptr;
    for (Element& element : defaults) {
      if (is_self(element)) continue;
      update_parent(element, group_path(parent), final_package(parent));
      if (last_override_seen != nullptr && !(element.is_override || element.external_append)) {
        return core::fail(
            ErrorCode::config_invalid,
            fmt::format("In {}: Override '{} : {}' is defined before '{}: {}'.\nOverrides must "
                        "be at the end of the defaults list",
                        config_path(parent), override_key(*last_override_seen),
                        name(*last_override_seen).value_or("None"), override_key(element),
                        name(element).value_or("None")));
      }
      if (element.kind == Kind::group && element.is_override) {
        last_override_seen = &element;
        if (interpolated_subtree) {
          return core::fail(
              ErrorCode::config_invalid,
              fmt::format("{}: Default List Overrides are not allowed in the subtree\nof an in "
                          "interpolated config group (override {}={}).",
                          config_path(parent), override_key(element),
                          name(element).value_or("None")));
        }
        add_override(config_path(parent), element);
      }
    }
    return {};
  }

  core::Result<void> resolve_interpolation(Element& element) const {
    const bool absolute = element.kind == Kind::config && element.path.starts_with('/');
    const std::string text = element.kind == Kind::config ? without_leading_slash(element.path)
                                                          : name(element).value_or("");
    if (text.find("${defaults.") != std::string::npos)
      return core::fail(ErrorCode::config_invalid,
                        fmt::format("Defaults list element '{}={}' is using a deprecated "
                                    "interpolation form.\nSee "
                                    "http://hydra.cc/docs/1.1/upgrades/1.0_to_1.1/"
                                    "defaults_list_interpolation for migration information.",
                                    override_key(element), text));
    std::string resolved;
    std::size_t position = 0;
    while (position < text.size()) {
      const std::size_t start = text.find("${", position);
      if (start == std::string::npos) {
        resolved += text.substr(position);
        break;
      }
      resolved += text.substr(position, start - position);
      const std::size_t close = text.find_first_of("{}", start + 2);
      if (close == std::string::npos || text[close] != '}') {
        resolved += "${";
        position = start + 2;
        continue;
      }
      std::string key = text.substr(start + 2, close - start - 2);
      key.erase(0, key.find_first_not_of(" \t"));
      key.erase(key.find_last_not_of(" \t") + 1);
      const auto known = std::ranges::find(m_known_choices, key, &Choice::key);
      if (known != m_known_choices.end() && known->option)
        resolved += *known->option;
      else
        resolved += text.substr(start, close + 1 - start);
      position = close + 1;
    }
    if (resolved.find("${") != std::string::npos) {
      std::vector<std::string> keys;
      for (const auto& choice : m_known_choices) keys.push_back(choice.key);
      return core::fail(
          ErrorCode::config_invalid,
          keys.empty() ? fmt::format("Error resolving interpolation '{}'", text)
                       : fmt::format("Error resolving interpolation '{}', possible interpolation "
                                     "keys: {}",
                                     text, fmt::join(keys, ", ")));
    }
    if (element.kind == Kind::config) {
      element.path = absolute ? "/" + without_leading_slash(resolved) : resolved;
    } else {
      element.choice.name = resolved;
    }
    return {};
  }

  core::Result<void> add_child(std::vector<TreeNode>& children, Element element,
                               const Element& parent, bool interpolated_subtree) {
    TreeNode child{std::move(element), std::nullopt};
    if (auto expanded = expand(child, &parent, false, interpolated_subtree); !expanded)
      return expanded;
    children.push_back(std::move(child));
    return {};
  }

  // Hydra's _create_defaults_tree_impl. Children are expanded last to first so that an
  // `override` deeper in a later entry (an experiment) is known before an earlier entry's
  // group is chosen; the command line was registered before everything.
  core::Result<void> expand(TreeNode& tree, const Element* parent_of_tree, bool is_root_config,
                            bool interpolated_subtree) {
    Element& parent = tree.element;
    if (is_root_config) {
      update_parent(parent, "", "");
      if (!m_repository.config_exists(config_path(parent)))
        return not_found(parent, parent_of_tree);
    }
    if (!is_missing(parent) && name(parent)) {
      auto header_source = m_repository.load(config_path(parent));
      if (!header_source) return std::unexpected(header_source.error());
      if (*header_source != nullptr) set_package_header(parent, (*header_source)->package_header);
    }
    if (Deletion* deletion = find_deletion(parent)) {
      parent.deleted = true;
      deletion->used = true;
      return {};
    }
    if (auto known = set_known_choice(parent); !known) return known;
    if (!name(parent)) return {};
    if (auto present = check_not_missing(parent); !present) return present;

    const std::string path = config_path(parent);
    auto loaded = m_repository.load(path);
    if (!loaded) return std::unexpected(loaded.error());
    if (*loaded == nullptr) {
      if (parent.optional) {
        parent.deleted = true;
        return {};
      }
      return not_found(parent, parent_of_tree);
    }
    const LoadedConfig& config = **loaded;

    std::vector<Element> defaults;
    for (const auto& entry : config.defaults)
      if (!is_hydra_group(entry)) defaults.push_back(from_entry(entry));
    if (!defaults.empty() || (is_root_config && !m_append_group_defaults.empty())) {
      const bool has_content =
          std::holds_alternative<DictValue>(config.body.data) && config.has_content;
      if (auto validated = validate_self(parent, defaults, has_content); !validated)
        return std::unexpected(validated.error());
    }
    if (is_root_config)
      defaults.insert(defaults.end(), m_append_group_defaults.begin(),
                      m_append_group_defaults.end());
    if (auto updated = update_overrides(defaults, parent, interpolated_subtree); !updated)
      return updated;

    std::vector<TreeNode> children;
    for (auto element = defaults.rbegin(); element != defaults.rend(); ++element) {
      Element& item = *element;
      if (is_self(item)) {
        update_parent(item, parent.parent_base_dir, package_of(parent).value_or(""));
        children.push_back(TreeNode{item, std::nullopt});
        continue;
      }
      if (item.is_override) continue;
      update_parent(item, group_path(parent), final_package(parent));
      if (item.kind == Kind::group) {
        if (OverrideRecord* record = find_override(override_key(item))) {
          item.choice = record->choice;
          record->used = true;
        }
      }
      if (item.kind == Kind::group && item.choice.names) {
        const auto& names = *item.choice.names;
        for (auto option = names.rbegin(); option != names.rend(); ++option) {
          if (option->find("${") != std::string::npos)
            return core::fail(ErrorCode::config_invalid,
                              fmt::format("In '{}': Defaults List interpolation is not supported "
                                          "in options list items",
                                          path));
          Element option_element = config_element(item.path + "/" + *option);
          option_element.package = item.package;
          option_element.optional = item.optional;
          update_parent(option_element, group_path(parent), final_package(parent));
          if (auto added =
                  add_child(children, std::move(option_element), parent, interpolated_subtree);
              !added)
            return added;
        }
        continue;
      }
      if (is_interpolation(item)) {
        children.push_back(TreeNode{item, std::nullopt});
        continue;
      }
      if (auto added = add_child(children, item, parent, interpolated_subtree); !added)
        return added;
    }

    for (TreeNode& child : children) {
      if (child.children || !is_interpolation(child.element) || is_self(child.element)) continue;
      if (auto resolved = resolve_interpolation(child.element); !resolved) return resolved;
      update_parent(child.element, group_path(parent), final_package(parent));
      if (auto expanded = expand(child, &parent, false, true); !expanded) return expanded;
    }

    if (!children.empty()) {
      std::ranges::reverse(children);
      tree.children = std::move(children);
    }
    return {};
  }

  void visit(const TreeNode* owner, const TreeNode* owner_parent, const Element& element,
             std::vector<ResultDefault>& output, std::vector<std::string>& keys) const {
    if (element.deleted || is_missing(element) || !name(element)) return;
    ResultDefault result;
    std::optional<std::string> key;
    if (is_self(element)) {
      result.config_path = config_path(owner->element);
      result.is_self = true;
      if (owner_parent != nullptr) result.parent = config_path(owner_parent->element);
      result.package = final_package(owner->element);
      result.primary = owner->element.primary;
    } else {
      result.config_path = config_path(element);
      if (owner != nullptr) result.parent = config_path(owner->element);
      result.package = final_package(element);
      if (element.kind == Kind::group) key = override_key(element);
      result.primary = element.primary;
    }
    if (result.config_path == k_empty_primary_config) return;
    if (key) keys.push_back(*key);
    output.push_back(std::move(result));
  }

  ConfigRepository& m_repository;
  VersionBase m_version_base;
  std::vector<OverrideRecord> m_override_choices;
  std::vector<Element> m_append_group_defaults;
  std::vector<Deletion> m_deletions;
  std::vector<Choice> m_known_choices;
  std::map<std::string, std::set<std::string>> m_known_choices_per_group;
  std::vector<std::string> m_warnings;
};

}  // namespace

core::Result<DefaultsList> create_defaults_list(ConfigRepository& repository,
                                                std::string_view config_name,
                                                const std::vector<Override>& overrides,
                                                VersionBase version_base) {
  Builder builder(repository, version_base);
  DefaultsList list;
  if (auto classified = builder.classify(overrides, list.config_overrides); !classified)
    return std::unexpected(classified.error());
  auto tree = builder.build(config_name);
  if (!tree) return std::unexpected(tree.error());
  std::vector<std::string> keys;
  builder.collect(*tree, nullptr, list.defaults, keys);
  if (auto unique = Builder::ensure_no_duplicates(keys); !unique)
    return std::unexpected(unique.error());
  if (auto used = builder.ensure_overrides_used(); !used) return std::unexpected(used.error());
  if (auto used = builder.ensure_deletions_used(); !used) return std::unexpected(used.error());
  list.choices = builder.choices();
  list.warnings = builder.warnings();
  return list;
}

}  // namespace sortie::hydra
