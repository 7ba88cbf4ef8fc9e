#include "sortie/hydra/render.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "sortie/hydra/grammar.hpp"

namespace sortie::hydra {

bool is_special_character(char c) {
  switch (c) {
    case '\\':
    case '(':
    case ')':
    case '[':
    case ']':
    case '{':
    case '}':
    case ':':
    case '=':
    case ',':
    case ' ':
    case '\t':
      return true;
    default:
      return false;
  }
}

namespace {

enum class Position { top, nested };

// Hydra's escape_special_characters: a backslash before each special character.
std::string escape_special_characters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_special_character(c)) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

// Hydra's QuotedString.with_quotes for single quotes: backslashes before a quote (or before
// the closing quote) are doubled, then quotes are escaped.
std::string single_quoted(std::string_view text) {
  std::string out = "'";
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '\\') {
      std::size_t run = i;
      while (run < text.size() && text[run] == '\\') ++run;
      const std::size_t count = run - i;
      const bool before_quote = run == text.size() || text[run] == '\'';
      out.append(before_quote ? count * 2 : count, '\\');
      i = run;
    } else if (text[i] == '\'') {
      out += "\\'";
      ++i;
    } else {
      out.push_back(text[i++]);
    }
  }
  out.push_back('\'');
  return out;
}

std::string render_string_at(std::string_view text, Position position) {
  if (text.empty()) return position == Position::top ? std::string() : std::string("''");
  std::string escaped = escape_special_characters(text);
  // Keep Hydra's escaped form whenever it reads back as the same string.
  auto reread = parse_value(escaped);
  if (reread) {
    const auto* value = std::get_if<Value>(&*reread);
    if (value != nullptr) {
      const auto* same = std::get_if<std::string>(&value->data);
      if (same != nullptr && *same == text) return escaped;
    }
  }
  return single_quoted(text);
}

std::string render_value_at(const Value& value, Position position) {
  return std::visit(
      [&](const auto& data) -> std::string {
        using T = std::decay_t<decltype(data)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          return data ? "True" : "False";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return fmt::format("{}", data);
        } else if constexpr (std::is_same_v<T, double>) {
          return render_float(data);
        } else if constexpr (std::is_same_v<T, std::string>) {
          return render_string_at(data, position);
        } else if constexpr (std::is_same_v<T, ListValue>) {
          std::string out = "[";
          for (std::size_t i = 0; i < data.items.size(); ++i) {
            if (i > 0) out.push_back(',');
            out += render_value_at(data.items[i], Position::nested);
          }
          out.push_back(']');
          return out;
        } else {
          std::string out = "{";
          for (std::size_t i = 0; i < data.entries.size(); ++i) {
            if (i > 0) out.push_back(',');
            out += escape_special_characters(data.entries[i].first);
            out.push_back(':');
            out += render_value_at(data.entries[i].second, Position::nested);
          }
          out.push_back('}');
          return out;
        }
      },
      value.data);
}

}  // namespace

std::string render_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto result =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  const std::string_view text(buffer, static_cast<std::size_t>(result.ptr - buffer));
  const bool negative = text.front() == '-';
  const auto e = text.find('e');
  std::string digits;
  for (char c : text.substr(negative ? 1 : 0, e - (negative ? 1 : 0)))
    if (c != '.') digits.push_back(c);
  const int exponent = std::atoi(std::string(text.substr(e + 1)).c_str());
  std::string out = negative ? "-" : "";
  // Python's repr switches to exponent notation outside 1e-4 <= |x| < 1e16.
  if (exponent < -4 || exponent >= 16) {
    out.push_back(digits[0]);
    if (digits.size() > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out += fmt::format("e{}{:02}", exponent < 0 ? '-' : '+', std::abs(exponent));
    return out;
  }
  if (exponent < 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-exponent - 1), '0');
    out += digits;
    return out;
  }
  const auto integer_digits = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= integer_digits) {
    out += digits;
    out.append(integer_digits - digits.size(), '0');
    out += ".0";
  } else {
    out.append(digits, 0, integer_digits);
    out.push_back('.');
    out.append(digits, integer_digits);
  }
  return out;
}

std::string render_string(std::string_view text) {
  return render_string_at(text, Position::top);
}

std::string render_value(const Value& value) {
  return render_value_at(value, Position::top);
}

std::string render_key(const Override& override_value) {
  std::string out;
  switch (override_value.kind) {
    case OverrideKind::change:
      break;
    case OverrideKind::add:
      out = "+";
      break;
    case OverrideKind::force_add:
      out = "++";
      break;
    case OverrideKind::del:
      out = "~";
      break;
  }
  out += override_value.key;
  if (override_value.package) {
    out.push_back('@');
    out += *override_value.package;
  }
  return out;
}

std::string render_element_override(const Override& override_value) {
  const Value* value = override_value.value ? std::get_if<Value>(&*override_value.value) : nullptr;
  return fmt::format("{}={}", render_key(override_value),
                     value ? render_value(*value) : std::string("null"));
}

}  // namespace sortie::hydra
