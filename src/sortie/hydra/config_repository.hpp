#pragma once

// Loaded Hydra configs: a ConfigSource's text parsed once into its `# @package` header, its
// defaults list and its body. Pure apart from the source it reads through.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/hydra/config_source.hpp"
#include "sortie/hydra/override.hpp"

namespace sortie::hydra {

// Parses a config file's YAML text into a Value; `file_name` is for messages. Injected so that
// hydra/ does not depend on the YAML library's home (config::parse_yaml_value is the one).
using ParseYaml =
    std::function<core::Result<Value>(std::string_view text, std::string_view file_name)>;

// Which Hydra defaults apply: `version_base` below "1.2" (or not given) keeps Hydra 1.1's
// `_group_`/`_name_` in `# @package` headers; "1.2", "1.3" or None treat them literally.
enum class VersionBase { legacy_1_1, current };

// A group's chosen option in a defaults list: a name (`db: mysql`), null (`db: null`), or a
// list of names (`db: [mysql, pg]`, each loaded in turn).
struct GroupChoice {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> names;
  bool operator==(const GroupChoice&) const = default;
};

// One entry of a defaults list as written in a config file.
struct DefaultsEntry {
  enum class Kind { config, group };
  Kind kind = Kind::config;
  std::string path;                    // config: "db/base" or "_self_"; group: "db", "/db"
  GroupChoice choice;                  // group only
  std::optional<std::string> package;  // after '@'; "_here_" already turned into ""
  bool optional = false;               // `optional db: x`
  bool is_override = false;            // `override db: x`
  bool operator==(const DefaultsEntry&) const = default;
};

// One loaded config.
struct LoadedConfig {
  std::string config_path;
  std::optional<std::string> package_header;  // `# @package x` as written
  std::vector<DefaultsEntry> defaults;        // the `defaults:` list, removed from `body`
  Value body;                                 // a DictValue, or what the file held otherwise
  bool has_content = false;                   // keys besides `defaults` that are not `???`
};

// Loads configs through a source, each at most once.
class ConfigRepository {
 public:
  ConfigRepository(const ConfigSource& source, ParseYaml parse);

  // The config at `config_path`, or nullptr when there is none. Errors: the source's
  // io_error, and config_invalid naming the file for bad YAML, a bad header, a `defaults`
  // that is not a list or an entry Hydra would reject.
  core::Result<const LoadedConfig*> load(const std::string& config_path);

  bool group_exists(std::string_view group_path) const;
  bool config_exists(std::string_view config_path) const;
  // The configs of `group_path`, sorted.
  std::vector<std::string> options(std::string_view group_path) const;
  // For messages: "Config search path:\n\t<source>".
  std::string search_path() const;

 private:
  const ConfigSource& m_source;
  ParseYaml m_parse;
  std::map<std::string, std::unique_ptr<LoadedConfig>, std::less<>> m_cache;
};

// The name of the stand-in primary config Hydra uses when there is no config_name.
inline constexpr std::string_view k_empty_primary_config = "_dummy_empty_config_";

}  // namespace sortie::hydra
