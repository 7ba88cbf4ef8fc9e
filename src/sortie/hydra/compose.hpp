#pragma once

// Composing one job's config as Hydra 1.3 does (`python app.py a=b ...`), without Python:
// the defaults list, merged configs at their packages, then the command line's config-key
// overrides. Hydra's own `hydra:` config and `hydra/*` groups are out of scope: they are
// neither loaded nor returned. See docs/hydra/composition.md.

#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/hydra/config_repository.hpp"
#include "sortie/hydra/config_source.hpp"
#include "sortie/hydra/defaults_list.hpp"
#include "sortie/hydra/override.hpp"

namespace sortie::hydra {

// One job's composed config.
struct Composition {
  Value config;                         // a DictValue; interpolations `${...}` unresolved
  std::vector<Choice> choices;          // each group's final option, as hydra.runtime.choices
  std::vector<ResultDefault> defaults;  // the configs merged, in order
  // Overrides of Hydra's own config (`hydra.run.dir=...`, `hydra/launcher=...`): not applied
  // here, kept as written so a caller can pass them on to Hydra.
  std::vector<std::string> hydra_overrides;
  std::vector<std::string> warnings;  // what Hydra would warn about, e.g. a missing `_self_`
};

// Composes primary config `config_name` ("" for none, as Hydra's config_name=None) from
// `source` under `overrides`, in order, the last one winning. `parse` turns a file's text into
// a Value (config::parse_yaml_value). Semantics and error wording are Hydra 1.3's:
// - group overrides (`db=pg`, `+db=pg`, `~db`, `~db=pg`, `db@backup=pg`) change the defaults
//   list before anything is merged (see create_defaults_list for their errors);
// - config overrides are applied to the merged config: `a.b=1` needs `a.b` to exist
//   ("Could not override 'a.b'.\nTo append to your config use +a.b=1"), `+a=1` needs it not
//   to ("Could not append to config. An item is already at 'a'. ..."), `++a=1` sets either
//   way, `~a` / `~a=1` deletes ("Could not delete from config. 'a' does not exist."); a dict
//   value merges into a dict, a list value replaces;
// - a sweep value (`a=1,2`, `range(...)`, ...) is invalid_argument: one composition is one job.
// Problems in config files are config_invalid naming the file; a missing config not_found;
// a source that cannot be read io_error.
core::Result<Composition> compose(const ConfigSource& source, const ParseYaml& parse,
                                  std::string_view config_name,
                                  const std::vector<Override>& overrides,
                                  VersionBase version_base = VersionBase::current);

}  // namespace sortie::hydra
