#pragma once

// OmegaConf's operations on untyped configs, over hydra::Value: merging one config into
// another, placing a config at a package, and selecting, updating and deleting by dotted key.
// Pure.

#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/hydra/override.hpp"

namespace sortie::hydra {

// Merges `source` into `destination` as OmegaConf.merge does for untyped configs: dicts merge
// key by key (existing keys keep their place, new keys are appended), anything else replaces
// (lists are replaced, not concatenated), null takes a dict's place and a dict a null's, and
// `???` (missing) never replaces a dict.
void merge_into(DictValue& destination, const DictValue& source);

// `value` placed at dotted `package` ("a.b" → {a: {b: value}}); `value` itself for "".
Value at_package(Value value, std::string_view package);

// The dotted key's parts: "a.b.0" → {"a", "b", "0"}.
std::vector<std::string> split_key(std::string_view key);

// The node at dotted `key` (a number selects a list item), or nullptr when any step is
// missing or is not a dict or list.
const Value* select_key(const Value& root, std::string_view key);

// How update() may treat a missing key.
enum class Missing { fail, create };

// Why update() failed.
enum class UpdateFailure {
  missing_key,  // the key, or a dict on the way, does not exist and Missing::fail was given
  invalid,      // e.g. a list index out of range, or merging a list into a dict
};

// OmegaConf.update(cfg, key, value, merge=True): sets the value at dotted `key`; a dict or
// list value is merged into an existing dict or list. With Missing::create, missing dicts on
// the way and the last key are created (and a scalar on the way is replaced by a dict).
std::expected<void, UpdateFailure> update(Value& root, std::string_view key, const Value& value,
                                          Missing missing);

// Removes the item at dotted `key`; false when it does not exist.
bool remove(Value& root, std::string_view key);

// `value` as Python's str() prints the equivalent OmegaConf node, for messages shaped like
// Hydra's: None, True, 1, 0.5, abc, [1, 'a'], {'k': 'v'}.
std::string python_str(const Value& value);

// How an error message names a value's type: as Python does (`list`, `dict`), or as OmegaConf
// does for a loaded config (`ListConfig`, `DictConfig`). Scalars are `NoneType`, `bool`, `int`,
// `float`, `str` either way.
enum class TypeNames { python, omegaconf };
std::string python_type_name(const Value& value, TypeNames names = TypeNames::python);

}  // namespace sortie::hydra
