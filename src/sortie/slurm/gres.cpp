#include "sortie/slurm/gres.hpp"

#include <fmt/format.h>

#include <optional>

#include "sortie/slurm/fields.hpp"

namespace sortie::slurm {
namespace {

// A gres count: digits with an optional binary K/M/G/T multiplier, as SLURM prints them.
std::optional<std::int64_t> parse_gres_count(std::string_view text) {
  std::int64_t multiplier = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K':
        multiplier = std::int64_t{1} << 10;
        break;
      case 'M':
        multiplier = std::int64_t{1} << 20;
        break;
      case 'G':
        multiplier = std::int64_t{1} << 30;
        break;
      case 'T':
        multiplier = std::int64_t{1} << 40;
        break;
      default:
        break;
    }
    if (multiplier != 1) text.remove_suffix(1);
  }
  auto count = detail::parse_count(text);
  if (!count || *count > (std::int64_t{1} << 62) / multiplier) return std::nullopt;
  return *count * multiplier;
}

bool is_name_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool is_name(std::string_view text) {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

core::Result<GresItem> parse_item(std::string_view item) {
  auto bad = [&](std::string_view why) {
    return core::fail(core::ErrorCode::parse_error,
                      fmt::format("unrecognised gres item '{}': {}", item, why));
  };
  std::string_view spec = item;
  // A trailing note such as "(IDX:0,3)" or "(S:0-1)" is dropped; "(null)" as a type is kept.
  if (spec.ends_with(')')) {
    const auto note = spec.rfind('(');
    if (note != std::string_view::npos && note > 0 && spec[note - 1] != ':') {
      spec = spec.substr(0, note);
    }
  }

  // name[:type...][:count]: the first part names the resource, the last is the count when it
  // reads as one, the parts between are the type (or no_consume). Walked in place: a 10,000-node
  // cluster has tens of thousands of items, and a vector of parts each would cost an allocation.
  const auto first_colon = spec.find(':');
  const std::string_view name = spec.substr(0, first_colon);
  if (!is_name(name)) return bad("no resource name");

  GresItem result;
  result.name = std::string(name);
  result.count = 1;
  if (first_colon == std::string_view::npos) return result;
  std::string_view middle = spec.substr(first_colon + 1);
  const auto last_colon = middle.rfind(':');
  const std::string_view last_part =
      last_colon == std::string_view::npos ? middle : middle.substr(last_colon + 1);
  if (auto count = parse_gres_count(last_part)) {
    result.count = *count;
    if (last_colon == std::string_view::npos) return result;
    middle = middle.substr(0, last_colon);
  }
  while (true) {
    const auto colon = middle.find(':');
    const std::string_view part = middle.substr(0, colon);
    if (part != "no_consume") {
      if (!result.type.empty()) return bad("more than one type");
      if (part != "(null)") {
        if (!is_name(part)) return bad("bad type name");
        result.type = std::string(part);
      }
    }
    if (colon == std::string_view::npos) break;
    middle.remove_prefix(colon + 1);
  }
  return result;
}

}  // namespace

core::Result<std::vector<GresItem>> parse_gres(std::string_view text) {
  text = detail::trim(text);
  std::vector<GresItem> items;
  if (text.empty() || text == "(null)" || text == "N/A") return items;

  std::size_t start = 0;
  int depth = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ',';
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth < 0) break;
    } else if (c == ',' && depth == 0) {
      const std::string_view item = text.substr(start, i - start);
      if (item.empty()) {
        return core::fail(core::ErrorCode::parse_error,
                          fmt::format("empty item in gres list '{}'", text));
      }
      auto parsed = parse_item(item);
      if (!parsed) return std::unexpected(parsed.error());
      items.push_back(std::move(*parsed));
      start = i + 1;
    }
  }
  if (depth != 0) {
    return core::fail(core::ErrorCode::parse_error,
                      fmt::format("unbalanced parentheses in gres list '{}'", text));
  }
  return items;
}

}  // namespace sortie::slurm
