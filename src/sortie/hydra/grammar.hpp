#pragma once

// Hydra 1.3's command-line override grammar (hydra/grammar/OverrideLexer.g4 and
// OverrideParser.g4), parsed by hand into the data model of hydra/override.hpp, with the
// grammar's functions (choice, range, interval, glob, sort, shuffle, tag, casts, json_str)
// evaluated as Hydra evaluates them. Pure: strings in, values out.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"
#include "sortie/hydra/override.hpp"

namespace sortie::hydra {

// What Hydra calls the override's ValueType, plus the glob sweep it reports separately.
enum class ValueType {
  element,
  simple_choice_sweep,
  choice_sweep,
  range_sweep,
  interval_sweep,
  glob_sweep,
};

// The most lists, dicts and function calls one override value may hold inside one another
// (`[[1]]` is 2 deep, `key=sort([1,[2]])` 3). Hydra's grammar has no limit and recurses as deep
// as the input goes; a request to `sortie serve` must not, and no real value comes near this.
inline constexpr std::size_t k_max_nesting_depth = 64;

// Knobs of parsing that Hydra leaves to chance.
struct ParseOptions {
  // `shuffle([a,b,c])` returns a shuffled list at parse time (Hydra uses Python's global
  // random state); the shuffle here is seeded so that parsing stays a pure function.
  std::uint64_t shuffle_seed = 0;
};

// Parses one override (`key=value`, `+key=value`, `++key=value`, `~key[=value]`, with
// `group@package` keys, sweeps and functions) and evaluates its functions. On failure returns
// invalid_argument with Hydra's reason where Hydra has one (e.g. "missing EQUAL at '<EOF>'",
// "Unknown function 'f'") and the 1-based column where it was found; a value nested deeper than
// k_max_nesting_depth fails the same way, naming the limit and the column of the bracket, brace
// or call that goes past it, whatever the length of the input (parsing never recurses deeper).
core::Result<Override> parse_override(std::string_view input, const ParseOptions& options = {});

// Parses each input in order; the first failure is returned.
core::Result<std::vector<Override>> parse_overrides(const std::vector<std::string>& inputs,
                                                    const ParseOptions& options = {});

// Parses the part after `=` on its own (what `key=<text>` would hold). Empty text is the empty
// string, as in `key=`.
core::Result<OverrideValue> parse_value(std::string_view text, const ParseOptions& options = {});

// The value type Hydra assigns: element for plain values, *_sweep for sweeps. Also element
// for `~key` without a value (Hydra says None there).
ValueType value_type(const Override& override_value);

// True when the override's value is a sweep of any kind.
bool is_sweep(const Override& override_value);

// Stable snake_case names, as shown by `sortie hydra parse` and in JSON.
std::string_view to_string(OverrideKind kind);
std::string_view to_string(ValueType type);

}  // namespace sortie::hydra
