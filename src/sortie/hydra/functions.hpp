#pragma once

// The functions of Hydra 1.3's override grammar (hydra/_internal/grammar/grammar_functions.py):
// choice, range, interval, glob, tag, sort, shuffle and the casts int, float, str, bool and
// json_str, with Python's argument binding and Hydra's type checks.

#include <cstdint>
#include <expected>
#include <string>
#include <utility>
#include <vector>

#include "sortie/hydra/override.hpp"
#include "sortie/hydra/sweep.hpp"

namespace sortie::hydra {

// A call as written on the command line, its arguments already evaluated.
struct FunctionCall {
  std::string name;
  std::vector<OverrideValue> arguments;
  std::vector<std::pair<std::string, OverrideValue>> named_arguments;  // later names win
};

// What Python would raise: the exception's class name ("ValueError") and its message.
struct FunctionError {
  std::string type;
  std::string message;
};

// Evaluates `call` as Hydra does. `shuffle_seed` seeds `shuffle()` of a plain list, the only
// function whose result is random at parse time. Unknown names fail with HydraException
// "Unknown function 'f'" and the list of known ones.
std::expected<OverrideValue, FunctionError> evaluate(const FunctionCall& call,
                                                     std::uint64_t shuffle_seed);

// The elements of a range as Hydra enumerates them: Python's range() when start, stop and step
// are ints, otherwise Hydra's FloatRange (decimal steps of 28 significant digits from the exact
// binary start). Fails with ValueError on a zero int step, HydraException on a zero float step,
// and LimitExceeded (check_sweep_size's message) for a range of more than k_max_jobs values,
// which is counted first and never made.
std::expected<std::vector<Value>, FunctionError> range_values(const RangeSweep& range);

// How many elements range_values(range) would have, without making them, in time bounded by
// `limit`: exact for int ranges; for float ranges exact (stepping as FloatRange does, so no
// floating drift: range(0,1,0.1) has 10) up to about `limit`, beyond it an estimate by
// division. Fails as range_values does for a range Hydra cannot enumerate.
std::expected<SweepSize, FunctionError> range_size(const RangeSweep& range, std::uint64_t limit);

// `range(start,stop,step)` with each number rendered as Hydra renders it, for messages.
std::string describe_range(const RangeSweep& range);

// Python's name for the type of a value ("int", "str", "NoneType", "ChoiceSweep", ...).
std::string python_type_name(const OverrideValue& value);

// Python's repr() of a str: single quotes unless the text holds a single quote and no double.
std::string python_string_repr(std::string_view text);

// Python's `<` for the values Hydra sorts; fails with TypeError for incomparable types.
std::expected<bool, FunctionError> python_less(const Value& left, const Value& right);

// Python's `==`: numbers compare by value across int, float and bool.
bool python_equal(const Value& left, const Value& right);

// Python's fnmatch.fnmatchcase: `*`, `?`, `[seq]`, `[!seq]`.
bool glob_match(std::string_view name, std::string_view pattern);

}  // namespace sortie::hydra
