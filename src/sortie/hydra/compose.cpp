#include "sortie/hydra/compose.hpp"

#include <fmt/format.h>

#include "sortie/hydra/config_values.hpp"

namespace sortie::hydra {
namespace {

using core::ErrorCode;

bool is_hydra_override(const Override& override_item) {
  const std::string_view key = override_item.key;
  return key == "hydra" || key.starts_with("hydra.") || key.starts_with("hydra/");
}

bool is_sweep(const Override& override_item) {
  return override_item.value && !std::holds_alternative<Value>(*override_item.value);
}

// Python's == between two config values: 1 == 1.0 and True == 1 hold.
bool python_equal(const Value& left, const Value& right) {
  auto number = [](const Value& value) -> std::optional<double> {
    if (const auto* flag = std::get_if<bool>(&value.data)) return *flag ? 1.0 : 0.0;
    if (const auto* whole = std::get_if<std::int64_t>(&value.data))
      return static_cast<double>(*whole);
    if (const auto* real = std::get_if<double>(&value.data)) return *real;
    return std::nullopt;
  };
  const auto left_number = number(left);
  const auto right_number = number(right);
  if (left_number && right_number) return *left_number == *right_number;
  return left == right;
}

bool is_container(const Value& value) {
  return std::holds_alternative<DictValue>(value.data) ||
         std::holds_alternative<ListValue>(value.data);
}

// Hydra's ConfigLoaderImpl._apply_overrides_to_config for one override.
core::Result<void> apply_override(Value& config, const Override& override_item) {
  const std::string& key = override_item.key;
  if (override_item.package)
    return core::fail(ErrorCode::invalid_argument,
                      fmt::format("Override {} looks like a config group override, but config "
                                  "group '{}' does not exist.",
                                  override_item.input, key));
  const Value null_value{nullptr};
  const Value* value = override_item.value ? std::get_if<Value>(&*override_item.value) : nullptr;
  const bool has_value = value != nullptr && !std::holds_alternative<std::nullptr_t>(value->data);
  auto merge_error = [&] {
    return core::fail(ErrorCode::invalid_argument,
                      fmt::format("Error merging override {}", override_item.input));
  };
  const Value* existing = select_key(config, key);
  const bool exists =
      existing != nullptr && !std::holds_alternative<std::nullptr_t>(existing->data);

  switch (override_item.kind) {
    case OverrideKind::del: {
      if (!exists)
        return core::fail(ErrorCode::invalid_argument,
                          fmt::format("Could not delete from config. '{}' does not exist.", key));
      if (has_value && !python_equal(*value, *existing))
        return core::fail(ErrorCode::invalid_argument,
                          fmt::format("Could not delete from config. The value of '{}' is {} "
                                      "and not {}.",
                                      key, python_str(*existing), python_str(*value)));
      remove(config, key);
      return {};
    }
    case OverrideKind::add: {
      const Value& new_value = value != nullptr ? *value : null_value;
      if (exists && !is_container(new_value)) {
        const std::string& input = override_item.input;
        return core::fail(
            ErrorCode::invalid_argument,
            fmt::format("Could not append to config. An item is already at '{}'.\nEither remove "
                        "+ prefix: '{}'\nOr add a second + to add or override '{}': '+{}'",
                        key, input.starts_with('+') ? input.substr(1) : input, key, input));
      }
      if (!update(config, key, new_value, Missing::create)) return merge_error();
      return {};
    }
    case OverrideKind::force_add:
      if (!update(config, key, value != nullptr ? *value : null_value, Missing::create))
        return merge_error();
      return {};
    case OverrideKind::change: {
      auto updated = update(config, key, value != nullptr ? *value : null_value, Missing::fail);
      if (updated) return {};
      if (updated.error() == UpdateFailure::missing_key)
        return core::fail(ErrorCode::invalid_argument,
                          fmt::format("Could not override '{}'.\nTo append to your config use +{}",
                                      key, override_item.input));
      return merge_error();
    }
  }
  return {};
}

}  // namespace

core::Result<Composition> compose(const ConfigSource& source, const ParseYaml& parse,
                                  std::string_view config_name,
                                  const std::vector<Override>& overrides,
                                  VersionBase version_base) {
  Composition composition;

  // Hydra's own settings are Hydra's business; sweeps belong to sweep expansion, before us.
  std::vector<Override> app_overrides;
  for (const Override& override_item : overrides) {
    if (is_hydra_override(override_item)) {
      composition.hydra_overrides.push_back(override_item.input);
      continue;
    }
    if (is_sweep(override_item))
      return core::fail(ErrorCode::invalid_argument,
                        fmt::format("'{}' is a sweep, and a composed config is one job's: expand "
                                    "the sweep into jobs first. For a list value use "
                                    "key=[value1,value2]; for a string, quote it: "
                                    "key='value1,value2'",
                                    override_item.input));
    app_overrides.push_back(override_item);
  }

  // The defaults list decides which configs are merged, where, and in which order.
  ConfigRepository repository(source, parse);
  auto defaults = create_defaults_list(repository, config_name, app_overrides, version_base);
  if (!defaults) return std::unexpected(defaults.error());

  // Later configs win, key by key.
  DictValue merged;
  for (const ResultDefault& entry : defaults->defaults) {
    auto loaded = repository.load(entry.config_path);
    if (!loaded) return std::unexpected(loaded.error());
    const LoadedConfig* config = *loaded;
    if (config == nullptr)
      return core::fail(ErrorCode::not_found,
                        fmt::format("Could not load '{}'.", entry.config_path));
    if (!std::holds_alternative<DictValue>(config->body.data))
      return core::fail(ErrorCode::config_invalid,
                        fmt::format("{}.yaml: a Hydra config must be a mapping at the top level, "
                                    "got {}",
                                    entry.config_path, python_str(config->body)));
    Value placed = at_package(config->body, entry.package);
    merge_into(merged, std::get<DictValue>(placed.data));
  }
  composition.config = Value{std::move(merged)};

  // The command line beats the files; in order, so the last override of a key wins.
  for (const Override& override_item : defaults->config_overrides)
    if (auto applied = apply_override(composition.config, override_item); !applied)
      return std::unexpected(applied.error());

  // Hydra hands the app its config without the `hydra` node.
  remove(composition.config, "hydra");

  composition.choices = std::move(defaults->choices);
  composition.defaults = std::move(defaults->defaults);
  composition.warnings = std::move(defaults->warnings);
  return composition;
}

}  // namespace sortie::hydra
