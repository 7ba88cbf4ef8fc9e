#pragma once

// Overrides rendered back to text the way Hydra 1.3 writes them for each multirun job
// (Override._get_value_element_as_str and get_key_element in
// hydra/core/override_parser/types.py): what a job's `.hydra/overrides.yaml` lists.

#include <string>
#include <string_view>

#include "sortie/hydra/override.hpp"

namespace sortie::hydra {

// The characters a bare (unquoted) value must escape with a backslash, as Hydra's grammar has
// them: `\ ( ) [ ] { } : = ,`, space and tab.
bool is_special_character(char c);

// Python's repr() of a float: shortest round-trip digits, `1.0`, `0.0001`, `1e-05`, `1e+16`,
// `inf`, `-inf`, `nan`.
std::string render_float(double value);

// A string as Hydra writes it: the special characters `\()[]{}:=, \t` escaped with `\`
// (`a b` -> `a\ b`, `${x}` -> `$\{x\}`). Where that text would read back as something else
// (`1`, `true`, `null`, `it's`, an empty string inside a list) it is single-quoted instead,
// so that rendering never changes the value.
std::string render_string(std::string_view text);

// A value as Hydra writes it: null, `True`/`False` (Python's str of a bool), ints, floats as
// render_float, strings as render_string, `[a,b]` and `{k:v}` without spaces.
std::string render_value(const Value& value);

// The key part of an override: `~`, `+` or `++`, the key, then `@package` when given.
std::string render_key(const Override& override_value);

// `key=value` for an override whose value is an element; `~key` without a value renders as
// `~key=null` as Hydra does. Precondition: the value is not a sweep.
std::string render_element_override(const Override& override_value);

}  // namespace sortie::hydra
