#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

// Scanning helpers shared by the parsers in this folder. Internal to sortie::slurm: other
// folders use the parsers, not these.
namespace sortie::slurm::detail {

// The length of the `Key` in a token that starts with `Key=` (Key = a letter or underscore, then
// letters, digits or underscores); 0 when the token does not start that way.
inline std::size_t key_length(std::string_view token) {
  std::size_t i = 0;
  for (; i < token.size(); ++i) {
    const char c = token[i];
    const bool letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (letter || (digit && i > 0)) continue;
    break;
  }
  return i > 0 && i < token.size() && token[i] == '=' ? i : 0;
}

// Whether `key=` starts a word of `head` (is at its start or after a space).
inline bool starts_field_in(std::string_view head, std::string_view key) {
  for (std::size_t at = head.find(key); at != std::string_view::npos; at = head.find(key, at + 1)) {
    const std::size_t end = at + key.size();
    if ((at == 0 || head[at - 1] == ' ') && end < head.size() && head[end] == '=') return true;
  }
  return false;
}

// Calls `on_field(key, value)` for each `Key=Value` field of one `scontrol -o` line. Fields are
// separated by single spaces, but a value may itself hold spaces: a token that looks like
// `Key=...` starts a new field unless the field being read is free text (`is_free_text(key)`),
// in which case only a key for which `is_known_key` holds, and that has not already started a
// field on this line (a record names each key once), starts one. Values are views into
// `line`. Returns false, calling nothing, when the line does not start with `Key=`.
template <class IsFreeText, class IsKnownKey, class OnField>
bool for_each_field(std::string_view line, IsFreeText is_free_text, IsKnownKey is_known_key,
                    OnField on_field) {
  const std::size_t first_key = key_length(line);
  if (first_key == 0) return false;
  std::string_view key = line.substr(0, first_key);
  std::size_t value_start = first_key + 1;
  bool free_text = is_free_text(key);
  std::size_t position = line.find(' ', value_start);
  while (position != std::string_view::npos) {
    const std::size_t token_start = position + 1;
    std::size_t token_end = line.find(' ', token_start);
    const std::string_view token =
        line.substr(token_start, token_end == std::string_view::npos ? std::string_view::npos
                                                                     : token_end - token_start);
    const std::size_t length = key_length(token);
    if (length > 0) {
      const std::string_view next_key = token.substr(0, length);
      if (!free_text ||
          (is_known_key(next_key) && !starts_field_in(line.substr(0, token_start), next_key))) {
        // scontrol pads some fields with a second space ("CoresPerSocket=8  CPUAlloc=0").
        std::size_t value_end = position;
        while (value_end > value_start && line[value_end - 1] == ' ') --value_end;
        on_field(key, line.substr(value_start, value_end - value_start));
        key = next_key;
        value_start = token_start + length + 1;
        free_text = is_free_text(key);
      }
    }
    position = token_end;
  }
  std::size_t end = line.size();
  while (end > value_start && (line[end - 1] == ' ' || line[end - 1] == '\r')) --end;
  on_field(key, line.substr(value_start, end > value_start ? end - value_start : 0));
  return true;
}

// Parses a whole non-negative decimal number; nullopt when `text` is empty, holds anything
// else, or overflows.
inline std::optional<std::int64_t> parse_count(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::int64_t>(c - '0');
  }
  return value;
}

// Removes spaces, tabs and carriage returns from both ends.
inline std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

// Calls `on_line(line_number, line)` for each line of `text` (1-based numbers, without the
// newline). Stops and returns false as soon as `on_line` returns false.
template <class OnLine>
bool for_each_line(std::string_view text, OnLine on_line) {
  std::size_t start = 0;
  std::size_t number = 1;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (!on_line(number, text.substr(start, end - start))) return false;
    start = end + 1;
    ++number;
  }
  return true;
}

// Whether `line` is the note scontrol prints instead of records when there are none, such as
// "No nodes in the system" or "No partitions in the system".
inline bool is_none_in_system_note(std::string_view line) {
  return line.starts_with("No ") && line.ends_with(" in the system");
}

}  // namespace sortie::slurm::detail
