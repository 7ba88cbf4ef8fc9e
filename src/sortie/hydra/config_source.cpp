#include "sortie/hydra/config_source.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

namespace sortie::hydra {
namespace {

using core::ErrorCode;

constexpr std::string_view k_extension = ".yaml";

bool is_filtered(std::string_view name) {
  return name == "__pycache__" || name == "__init__.py";
}

}  // namespace

FilesystemConfigSource::FilesystemConfigSource(std::filesystem::path root)
    : m_root(std::move(root)) {}

bool FilesystemConfigSource::is_group(std::string_view group_path) const {
  std::error_code error;
  return std::filesystem::is_directory(m_root / std::string(group_path), error);
}

bool FilesystemConfigSource::is_config(std::string_view config_path) const {
  if (config_path.empty()) return false;
  std::error_code error;
  return std::filesystem::is_regular_file(m_root / (std::string(config_path) + ".yaml"), error);
}

GroupListing FilesystemConfigSource::list(std::string_view group_path) const {
  GroupListing listing;
  std::error_code error;
  std::filesystem::directory_iterator entries(m_root / std::string(group_path), error);
  if (error) return listing;
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (is_filtered(name)) continue;
    std::error_code type_error;
    if (entry.is_directory(type_error)) {
      listing.groups.push_back(name);
    } else if (entry.is_regular_file(type_error) && name.size() > k_extension.size() &&
               name.ends_with(k_extension)) {
      listing.configs.push_back(name.substr(0, name.size() - k_extension.size()));
    }
  }
  std::ranges::sort(listing.groups);
  std::ranges::sort(listing.configs);
  return listing;
}

core::Result<std::string> FilesystemConfigSource::load(std::string_view config_path) const {
  const std::filesystem::path file = m_root / (std::string(config_path) + ".yaml");
  if (!is_config(config_path))
    return core::fail(ErrorCode::not_found, fmt::format("{} does not exist", file.string()));
  std::ifstream stream(file, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  if (!stream && !stream.eof())
    return core::fail(ErrorCode::io_error,
                      fmt::format("could not read {}; check its permissions", file.string()));
  return text.str();
}

std::string FilesystemConfigSource::describe() const {
  return fmt::format("file://{}", m_root.string());
}

void MemoryConfigSource::add(std::string config_path, std::string text) {
  m_configs[std::move(config_path)] = std::move(text);
}

bool MemoryConfigSource::is_group(std::string_view group_path) const {
  if (group_path.empty()) return true;
  const std::string prefix = std::string(group_path) + "/";
  const auto next = m_configs.lower_bound(prefix);
  return next != m_configs.end() && next->first.starts_with(prefix);
}

bool MemoryConfigSource::is_config(std::string_view config_path) const {
  return m_configs.contains(config_path);
}

GroupListing MemoryConfigSource::list(std::string_view group_path) const {
  std::set<std::string> groups;
  std::set<std::string> configs;
  const std::string prefix = group_path.empty() ? std::string() : std::string(group_path) + "/";
  for (const auto& [path, _] : m_configs) {
    if (!path.starts_with(prefix)) continue;
    const std::string_view rest = std::string_view(path).substr(prefix.size());
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos)
      configs.emplace(rest);
    else
      groups.emplace(rest.substr(0, slash));
  }
  return GroupListing{{groups.begin(), groups.end()}, {configs.begin(), configs.end()}};
}

core::Result<std::string> MemoryConfigSource::load(std::string_view config_path) const {
  const auto found = m_configs.find(config_path);
  if (found == m_configs.end())
    return core::fail(ErrorCode::not_found,
                      fmt::format("{}/{}.yaml does not exist", describe(), config_path));
  return found->second;
}

std::string MemoryConfigSource::describe() const {
  return "memory://";
}

}  // namespace sortie::hydra
