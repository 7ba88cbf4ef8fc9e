#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"

namespace sortie::slurm {

// One generic resource of a node, as in `Gres=gpu:a100:4(S:0-1)`: name "gpu", type "a100",
// count 4. The socket/index note in parentheses is dropped.
struct GresItem {
  std::string name;  // "gpu", "shard", "mps", ...
  std::string type;  // empty when SLURM has no type for it (printed as "(null)" or omitted)
  std::int64_t count = 0;

  friend bool operator==(const GresItem&, const GresItem&) = default;
};

// Parses the value of a node's `Gres=` or `GresUsed=` field, e.g.
// `gpu:1080ti:1(IDX:0),gpu:980gtx:1(IDX:1)` or `gpu:(null):4(IDX:0-3)`. An empty value, "(null)"
// and "N/A" mean no resources (an empty list). Items of every name are kept, in order; callers
// pick the ones they care about (shards are not GPUs). Counts may carry SLURM's K/M/G/T suffix.
// Fails with parse_error, naming the bad item, when the value is not a gres list.
core::Result<std::vector<GresItem>> parse_gres(std::string_view text);

}  // namespace sortie::slurm
