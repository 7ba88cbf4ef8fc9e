#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sortie::script {

// Why `value` cannot be the value of an `#SBATCH` option, or nullopt when it can. sbatch reads
// directives without a shell: it splits at whitespace and handles quotes its own way, and a
// line break would end the directive. So a value must be one plain word: non-empty, no
// whitespace, quotes, backslashes or control characters. The reason reads after the value,
// e.g. "contains a space".
std::optional<std::string> directive_word_problem(std::string_view value);

}  // namespace sortie::script
