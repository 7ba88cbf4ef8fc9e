#include "sortie/remote/quote.hpp"

#include <cassert>

namespace sortie::remote {

namespace {

bool is_safe(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '@' || c == '+' || c == ':' || c == ',' || c == '.' || c == '/' || c == '-';
}

}  // namespace

bool has_nul(std::string_view word) {
  return word.find('\0') != std::string_view::npos;
}

std::string quote(std::string_view word) {
  assert(!has_nul(word) && "a shell word cannot carry NUL; reject it before quoting");
  if (word.empty()) return "''";
  bool safe = true;
  for (char c : word) safe = safe && is_safe(c);
  if (safe) return std::string(word);
  std::string quoted;
  quoted.reserve(word.size() + 2);
  quoted += '\'';
  for (char c : word) {
    if (c == '\'') {
      // Close the quote, add an escaped quote, reopen: the only way to put ' in a '...' word.
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  quoted += '\'';
  return quoted;
}

std::string join(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& word : argv) {
    if (!line.empty()) line += ' ';
    line += quote(word);
  }
  return line;
}

}  // namespace sortie::remote
