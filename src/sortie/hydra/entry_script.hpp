#pragma once

// Finding where a Hydra app keeps its configs, from the text of its Python entry script.
// Pure: the caller reads the file.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"

namespace sortie::hydra {

// One argument of `@hydra.main(...)`: not written, written as `None`, or a string literal.
struct MainArgument {
  enum class State { absent, none, text };
  State state = State::absent;
  std::string text;  // the literal's value when state == text
  bool operator==(const MainArgument&) const = default;
};

// What `@hydra.main(config_path=..., config_name=..., version_base=...)` says.
struct HydraMain {
  MainArgument config_path;
  MainArgument config_name;
  MainArgument version_base;
  std::size_t line = 0;  // 1-based line of the decorator

  // The config directory relative to the script's directory, as Hydra 1.3 resolves it:
  // the given path; when not given, "." if version_base is also not given (Hydra 1.1
  // compatibility) or is below "1.2", and none otherwise. nullopt: the app has no config
  // directory. A `pkg://` path is returned as written.
  std::optional<std::string> resolved_config_path() const;

  // The primary config's name without a `.yaml` extension; nullopt when not given or None.
  std::optional<std::string> resolved_config_name() const;

  // True when Hydra runs with 1.1 compatibility defaults: version_base not given, or a
  // version below "1.2". `None` means the installed Hydra's (1.3) defaults.
  bool uses_legacy_defaults() const;
};

// Finds the first `@hydra.main(...)` decorator (also `@main(...)` after
// `from hydra import main`) in `script` and reads its arguments, positional or keyword, as
// string literals (single, double or triple quotes, an `r` prefix) or `None`.
// invalid_argument when there is no such decorator (naming `file_name` and what was
// expected), or when an argument is not a literal (e.g. `config_path=os.path.join(...)`)
// or the call is not closed.
core::Result<HydraMain> find_hydra_main(std::string_view script, std::string_view file_name);

// The Python script a project's entry command runs, as paths relative to the project to try
// in order (the first that exists is the one). Words are split as a shell splits them
// (quotes, backslashes); leading `NAME=value` assignments are skipped.
// - The first word ending in `.py` is the script, whatever runs it: `python train.py`,
//   `python3 -u src/train.py lr=1`, `torchrun --nproc_per_node=4 train.py`,
//   `accelerate launch train.py`, `./train.py` → "train.py", "src/train.py".
// - Otherwise `-m pkg.train` (also `-mpkg.train`) names a module: "pkg/train.py",
//   "pkg/train/__main__.py", then the same under "src/" for the src layout.
// invalid_argument when the command names neither, saying what was looked for.
core::Result<std::vector<std::string>> entry_script_candidates(std::string_view entry_command);

}  // namespace sortie::hydra
