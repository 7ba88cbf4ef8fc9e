#include "sortie/script/directive.hpp"

namespace sortie::script {

std::optional<std::string> directive_word_problem(std::string_view value) {
  if (value.empty()) return "is empty";
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r') return "contains a line break";
    if (c == ' ' || c == '\t') return "contains a space";
    if (byte < 0x20 || byte == 0x7f) return "contains a control character";
    if (c == '\'' || c == '"' || c == '\\') return "contains a quote or backslash";
  }
  return std::nullopt;
}

}  // namespace sortie::script
