#pragma once

// YAML text → hydra::Value, with the typing rules Hydra's loader (OmegaConf over PyYAML's
// SafeLoader) applies to config files. This is the one place Hydra configs meet yaml-cpp;
// it makes config/ depend on hydra/'s value types (hydra/override.hpp), never the reverse.

#include <string>
#include <string_view>

#include "sortie/core/error.hpp"
#include "sortie/hydra/override.hpp"

namespace sortie::config {

// Parses one Hydra config file. Plain (unquoted) scalars are typed as YAML 1.1 does:
// null (`~`, `null`, `Null`, `NULL`, empty), bool (`yes/no/on/off/true/false` in lower,
// Capitalised or UPPER case), int (decimal, `0x` hex, `0o`-less octal `017`, `0b` binary,
// `_` separators), float (`1.5`, `1.`, `.5`, `1e-3`, `1.5E+3`, `.inf`, `-.inf`, `.nan`);
// everything else, and every quoted scalar, is a string (`${...}` interpolations and `???`
// are kept as written). `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` tags are honoured.
// Mapping keys are kept as written, in file order; `<<: *anchor` merge keys are applied.
// An empty document is null. Every problem (syntax, duplicate key, a non-scalar key, an int
// that does not fit in 64 bits, an unknown tag, several documents, and a document past the
// bounds of config/yaml_bounds.hpp: more than a million nodes once aliases are followed, an
// alias inside its own anchor, nesting deeper than 256) is config_invalid with a message
// "<file_name>:<line>:<column>: what", line and column 1-based.
core::Result<hydra::Value> parse_yaml_value(std::string_view text, std::string_view file_name);

// A value as YAML block text, for people to read (`sortie hydra compose`): keys in order,
// floats as Python's repr (`.inf`, `-.inf`, `.nan` for the non-finite ones), empty dicts and
// lists as `{}` and `[]`. A string is quoted when parse_yaml_value would not read it back as
// that same string (`"1"`, `"yes"`, `"null"`, `""`), so the text reads back as the value.
std::string to_yaml(const hydra::Value& value);

}  // namespace sortie::config
