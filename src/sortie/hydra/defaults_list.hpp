#pragma once

// Hydra 1.3's defaults list: from the primary config and the command line's group overrides
// to the ordered list of configs to merge, each at its package. Mirrors
// hydra/_internal/defaults_list.py, whose error messages it keeps. Pure apart from the
// repository's source.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/hydra/config_repository.hpp"
#include "sortie/hydra/override.hpp"

namespace sortie::hydra {

// A group's final choice (Hydra's `hydra.runtime.choices`): `db` → "mysql",
// `db@backup` → "pg", `server/db` → "pg"; nullopt for `db: null`.
struct Choice {
  std::string key;
  std::optional<std::string> option;
  bool operator==(const Choice&) const = default;
};

// One config to merge, in order.
struct ResultDefault {
  std::string config_path;            // "db/mysql"; the containing config's for `_self_`
  std::optional<std::string> parent;  // the config whose defaults list named it
  std::string package;                // where its content goes: "db", "" (global), "a.b"
  bool is_self = false;               // the containing config's own content
  bool primary = false;
  bool operator==(const ResultDefault&) const = default;
};

struct DefaultsList {
  std::vector<ResultDefault> defaults;
  std::vector<Choice> choices;  // in the order Hydra records them
  // The overrides that are not about config groups (`a.b=1`, `+x=2`, `~y`), in input order.
  std::vector<Override> config_overrides;
  std::vector<std::string> warnings;  // e.g. a primary config without `_self_`
};

// Builds the defaults list of primary config `config_name` ("" for none, as Hydra's
// config_name=None) under `overrides`, which must hold no sweeps and no overrides of Hydra's
// own config (`hydra.*`, `hydra/*`). An override is a group override when its key names a
// group of the source. Errors keep Hydra's wording: not_found for a missing config (listing
// the group's options and the search path), invalid_argument for overrides that do not apply
// ("Could not override 'db'. No match in the defaults list.", "Could not delete 'db'...",
// "You must specify 'db', e.g, db=<OPTION>"), config_invalid for defaults lists Hydra rejects
// ("Multiple values for db...", "Duplicate _self_...", overrides not at the end).
core::Result<DefaultsList> create_defaults_list(ConfigRepository& repository,
                                                std::string_view config_name,
                                                const std::vector<Override>& overrides,
                                                VersionBase version_base);

}  // namespace sortie::hydra
