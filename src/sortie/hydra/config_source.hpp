#pragma once

// Where a Hydra project's configs come from: the one effect composition needs, behind a
// small interface. Paths are Hydra's: '/'-separated, relative to the config directory,
// without the `.yaml` extension ("config", "db/mysql", "server/db/pg"); "" is the root group.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"

namespace sortie::hydra {

// What one group directly holds, each list sorted and without duplicates.
struct GroupListing {
  std::vector<std::string> groups;   // sub-groups ("db" under "server")
  std::vector<std::string> configs;  // option names without extension ("mysql")
};

// Read access to a config tree.
class ConfigSource {
 public:
  virtual ~ConfigSource() = default;

  // True when `group_path` is a group (a directory); "" is the root and always a group when
  // the source is available.
  virtual bool is_group(std::string_view group_path) const = 0;

  // True when `config_path` names a config (`<config_path>.yaml`).
  virtual bool is_config(std::string_view config_path) const = 0;

  // The sub-groups and configs directly under `group_path`; an empty listing when it is not
  // a group. `__pycache__` and `__init__.py` are never listed.
  virtual GroupListing list(std::string_view group_path) const = 0;

  // The text of `config_path`: not_found when it does not exist, io_error when it cannot be
  // read.
  virtual core::Result<std::string> load(std::string_view config_path) const = 0;

  // Where configs are read from, for error messages ("file:///home/me/proj/conf").
  virtual std::string describe() const = 0;
};

// Configs in a directory on this machine, read on each call (no caching: the repository
// that uses a source caches).
class FilesystemConfigSource final : public ConfigSource {
 public:
  // `root` is the config directory (Hydra's resolved `config_path`).
  explicit FilesystemConfigSource(std::filesystem::path root);

  bool is_group(std::string_view group_path) const override;
  bool is_config(std::string_view config_path) const override;
  GroupListing list(std::string_view group_path) const override;
  core::Result<std::string> load(std::string_view config_path) const override;
  std::string describe() const override;

 private:
  std::filesystem::path m_root;
};

// Configs held in memory, for tests: `add("db/mysql", "driver: mysql\n")` also makes the
// groups "db" and "" exist.
class MemoryConfigSource final : public ConfigSource {
 public:
  // Adds or replaces config `config_path` with `text`.
  void add(std::string config_path, std::string text);

  bool is_group(std::string_view group_path) const override;
  bool is_config(std::string_view config_path) const override;
  GroupListing list(std::string_view group_path) const override;
  core::Result<std::string> load(std::string_view config_path) const override;
  std::string describe() const override;

 private:
  std::map<std::string, std::string, std::less<>> m_configs;
};

}  // namespace sortie::hydra
