// How long sortie takes to compose one job's Hydra config, on a generated 50-file config tree
// read through the filesystem source, next to reading and YAML-parsing files alone, measured in
// the same run. Target: hydra::compose under 50 ms (median).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/measure.hpp"
#include "sortie/config/yaml_values.hpp"
#include "sortie/hydra/compose.hpp"

namespace {

using sortie::bench::Figures;
using sortie::bench::measure;
using sortie::hydra::Override;
using sortie::hydra::OverrideKind;
using sortie::hydra::Value;

constexpr int kGroups = 16;
constexpr int kOptionsPerGroup = 3;
constexpr std::size_t kRuns = 51;
constexpr double kTargetMilliseconds = 50.0;

// One option: five sections of settings, a list and interpolations, about 45 lines, like a
// model or optimizer config of a research project.
std::string option_text(int group, int option) {
  std::string text =
      fmt::format("name: g{}_o{}\nenabled: true\nweight: {}.5\n", group, option, option);
  for (int section = 0; section < 5; ++section) {
    text += fmt::format("section{}:\n", section);
    for (int key = 0; key < 6; ++key)
      text += fmt::format("  key{}: {}\n", key,
                          key % 3 == 0   ? fmt::format("{}", group * 100 + key)
                          : key % 3 == 1 ? fmt::format("{}e-{}", key, section + 1)
                                         : fmt::format("value_{}_{}", section, key));
    text += fmt::format("  ref: ${{g{}.name}}\n", (group + 1) % kGroups);
  }
  text += "layers: [64, 128, 256, 512]\n";
  return text;
}

// config.yaml, 16 groups of 3 options (48 files) and one experiment: 50 files.
std::vector<std::filesystem::path> write_tree(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> files;
  auto write = [&](const std::filesystem::path& relative, const std::string& text) {
    std::filesystem::create_directories((root / relative).parent_path());
    std::ofstream(root / relative) << text;
    files.push_back(root / relative);
  };
  std::string primary = "defaults:\n";
  for (int group = 0; group < kGroups; ++group) primary += fmt::format("  - g{}: o0\n", group);
  primary += "  - _self_\n\nseed: 0\ntrainer:\n  max_epochs: 100\n  devices: 1\n";
  write("config.yaml", primary);
  for (int group = 0; group < kGroups; ++group)
    for (int option = 0; option < kOptionsPerGroup; ++option)
      write(fmt::format("g{}/o{}.yaml", group, option), option_text(group, option));
  write("experiment/big.yaml",
        "# @package _global_\ndefaults:\n  - override /g1: o1\n  - override /g2: o2\n"
        "  - override /g3: o1\n\nseed: 42\ntrainer:\n  max_epochs: 10\n");
  return files;
}

Override override_of(OverrideKind kind, std::string prefix, std::string key, Value value,
                     std::string text) {
  Override result;
  result.kind = kind;
  result.input = prefix + key + "=" + text;
  result.key = std::move(key);
  result.value = std::move(value);
  return result;
}

bool read_and_parse(const std::vector<std::filesystem::path>& files) {
  for (const auto& file : files) {
    std::ifstream stream(file);
    std::ostringstream text;
    text << stream.rdbuf();
    if (!sortie::config::parse_yaml_value(text.str(), file.string())) return false;
  }
  return true;
}

}  // namespace

int main() {
  const auto root = std::filesystem::temp_directory_path() /
                    fmt::format("sortie-hydra-compose-bench-{}", ::getpid());
  std::filesystem::remove_all(root);
  const auto files = write_tree(root);

  std::vector<Override> overrides = {
      override_of(OverrideKind::add, "+", "experiment", Value{std::string("big")}, "big"),
      override_of(OverrideKind::change, "", "g0", Value{std::string("o2")}, "o2"),
      override_of(OverrideKind::change, "", "g5", Value{std::string("o1")}, "o1"),
      override_of(OverrideKind::change, "", "trainer.devices", Value{std::int64_t{8}}, "8"),
      override_of(OverrideKind::change, "", "g4.section2.key0", Value{std::int64_t{7}}, "7"),
      override_of(OverrideKind::add, "+", "trainer.strategy", Value{std::string("ddp")}, "ddp"),
      override_of(OverrideKind::force_add, "++", "seed", Value{std::int64_t{1}}, "1"),
      override_of(OverrideKind::change, "", "g7.weight", Value{0.25}, "0.25"),
  };

  const sortie::hydra::FilesystemConfigSource source(root);
  std::size_t merged_configs = 0;
  auto composition = measure("hydra::compose (filesystem source)", kRuns, [&] {
    auto result =
        sortie::hydra::compose(source, sortie::config::parse_yaml_value, "config", overrides);
    if (!result) {
      std::fprintf(stderr, "%s\n", result.error().message.c_str());
      return false;
    }
    merged_configs = result->defaults.size();
    return true;
  });

  std::vector<std::filesystem::path> used = {root / "config.yaml", root / "experiment/big.yaml"};
  for (int group = 0; group < kGroups; ++group)
    used.push_back(root / fmt::format("g{}/o0.yaml", group));
  auto all_files = measure("read + parse_yaml_value, all 50 files", kRuns,
                           [&] { return read_and_parse(files); });
  auto used_files = measure("read + parse_yaml_value, the 18 files composed", kRuns,
                            [&] { return read_and_parse(used); });
  std::filesystem::remove_all(root);
  if (!composition || !all_files || !used_files) return 1;

  fmt::print("config tree: {} files, {} groups x {} options; one composition merges {} configs\n\n",
             files.size(), kGroups, kOptionsPerGroup, merged_configs);
  fmt::print("{:<48} {:>5} {:>10} {:>10}\n", "operation", "runs", "median ms", "p90 ms");
  for (const Figures& figures : {*composition, *all_files, *used_files})
    fmt::print("{:<48} {:>5} {:>10.3f} {:>10.3f}\n", figures.name, figures.runs, figures.median_ms,
               figures.p90_ms);
  fmt::print("\ncompose / read+parse of the files it uses = {:.2f}x\n",
             composition->median_ms / used_files->median_ms);
  const bool pass = composition->median_ms < kTargetMilliseconds;
  fmt::print("{}: compose median {:.2f} ms against a target of < {:.0f} ms\n",
             pass ? "PASS" : "FAIL", composition->median_ms, kTargetMilliseconds);
  return pass ? 0 : 1;
}
