#pragma once

// The data model of Hydra 1.3's command-line overrides: what the grammar parser
// (hydra/grammar) produces and what composition (hydra/compose) and sweep expansion
// (hydra/sweep) consume. Pure values, no behaviour.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sortie::hydra {

struct Value;

// `[a, b]`: a list value, order kept.
struct ListValue {
  std::vector<Value> items;
  bool operator==(const ListValue&) const = default;
};

// `{k: v, ...}`: a dict value, insertion order kept (Hydra keeps it).
struct DictValue {
  std::vector<std::pair<std::string, Value>> entries;
  bool operator==(const DictValue&) const = default;
};

// One element value after Hydra's typing rules: null, bool, int, float, string (quoted or
// not; interpolations `${...}` are kept literally as strings), list or dict.
struct Value {
  std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, ListValue, DictValue>
      data;
  bool operator==(const Value&) const = default;
};

// `a,b,c` (simple_form) or `choice(a,b,c)`; after `shuffle()` or `sort()` as flagged.
struct ChoiceSweep {
  std::vector<Value> choices;
  bool simple_form = false;
  bool shuffle = false;
  std::vector<std::string> tags;
  bool operator==(const ChoiceSweep&) const = default;
};

// `range(start, stop[, step])`: ints or floats (a Value holding int64 or double each).
struct RangeSweep {
  Value start;
  Value stop;
  Value step;
  bool shuffle = false;
  std::vector<std::string> tags;
  bool operator==(const RangeSweep&) const = default;
};

// `interval(start, end)`: a continuous range for sweepers that sample; basic multirun
// cannot expand it.
struct IntervalSweep {
  double start = 0;
  double end = 0;
  std::vector<std::string> tags;
  bool operator==(const IntervalSweep&) const = default;
};

// `glob(include[, exclude])` over a config group's options.
struct GlobSweep {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::vector<std::string> tags;
  bool operator==(const GlobSweep&) const = default;
};

using OverrideValue = std::variant<Value, ChoiceSweep, RangeSweep, IntervalSweep, GlobSweep>;

// `key=v` change, `+key=v` add, `++key=v` force_add, `~key[=v]` delete.
enum class OverrideKind { change, add, force_add, del };

// One parsed override.
struct Override {
  std::string input;  // the text as given
  OverrideKind kind = OverrideKind::change;
  // The key as written before `@`: `a.b.0`, `db`, `server/db`. Whether it names a config
  // group or a config key is decided by composition, which knows the config tree.
  std::string key;
  // After `@`: nullopt when there was no `@`, "" for `group@=opt`.
  std::optional<std::string> package;
  // nullopt only for `~key` without a value.
  std::optional<OverrideValue> value;
  bool operator==(const Override&) const = default;
};

}  // namespace sortie::hydra
