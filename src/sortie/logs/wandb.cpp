#include "sortie/logs/wandb.hpp"

#include <string.h>

#include <algorithm>
#include <array>

namespace sortie::logs {
namespace {

constexpr std::size_t kMaxLine = std::size_t{64} * 1024;
constexpr std::string_view kWord = "wandb";
constexpr char kEscape = '\x1b';

bool is_line_end(char c) {
  return c == '\n' || c == '\r';
}

bool contains(std::string_view text, std::string_view word) {
  return text.find(word) != std::string_view::npos;
}

// memmem: glibc's is much faster than a naive search over megabytes of log.
std::size_t find_word(std::string_view text, std::size_t from) {
  if (from >= text.size()) return std::string_view::npos;
  const void* hit = ::memmem(text.data() + from, text.size() - from, kWord.data(), kWord.size());
  if (hit == nullptr) return std::string_view::npos;
  return static_cast<std::size_t>(static_cast<const char*>(hit) - text.data());
}

// The part of a line that is read: all of it, or its last kMaxLine bytes.
std::string_view window(std::string_view line) {
  return line.size() > kMaxLine ? line.substr(line.size() - kMaxLine) : line;
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool ends_target(char c) {
  return is_space(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`';
}

std::string_view without_trailing_punctuation(std::string_view text) {
  constexpr std::string_view punctuation = ".,;:!?)]}'\"";
  while (!text.empty() && punctuation.find(text.back()) != std::string_view::npos) {
    text.remove_suffix(1);
  }
  return text;
}

// The run name in "... View run NAME at: URL" or "... Synced NAME: URL", given the text before
// the URL; empty when none is printed ("View run at URL").
std::string_view printed_run_name(std::string_view before) {
  constexpr std::string_view openers = "([{<\"'`";
  while (!before.empty() && openers.find(before.back()) != std::string_view::npos) {
    before.remove_suffix(1);
  }
  before = trim(before);
  constexpr std::string_view view_run = "View run ";
  if (const auto at = before.rfind(view_run); at != std::string_view::npos) {
    std::string_view rest = before.substr(at + view_run.size());
    if (rest.ends_with(':')) rest.remove_suffix(1);
    if (rest == "at") return {};
    if (rest.ends_with(" at")) rest.remove_suffix(3);
    return trim(rest);
  }
  constexpr std::string_view synced = "Synced ";
  if (const auto at = before.rfind(synced); at != std::string_view::npos) {
    std::string_view rest = before.substr(at + synced.size());
    if (rest.ends_with(':')) rest.remove_suffix(1);
    return trim(rest);
  }
  return {};
}

}  // namespace

std::string strip_ansi(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != kEscape) {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 >= text.size()) break;
    const char kind = text[i + 1];
    if (kind == '[') {
      std::size_t j = i + 2;
      while (j < text.size() && !(text[j] >= 0x40 && text[j] <= 0x7e)) ++j;
      if (j >= text.size()) break;
      i = j + 1;
    } else if (kind == ']') {
      std::size_t j = i + 2;
      while (j < text.size() && text[j] != '\a' &&
             !(text[j] == kEscape && j + 1 < text.size() && text[j + 1] == '\\')) {
        ++j;
      }
      if (j >= text.size()) break;
      i = text[j] == '\a' ? j + 1 : j + 2;
    } else {
      i += 2;
    }
  }
  return out;
}

void WandbScanner::feed(std::string_view chunk) {
  // The first piece, up to the first line end, continues the unfinished line.
  std::size_t first_end = 0;
  while (first_end < chunk.size() && !is_line_end(chunk[first_end])) ++first_end;
  m_partial.append(chunk.substr(0, first_end));
  if (first_end == chunk.size()) {
    if (m_partial.size() > 2 * kMaxLine) m_partial.erase(0, m_partial.size() - kMaxLine);
    return;
  }
  read_line(m_partial);
  m_partial.clear();

  // Whole lines: only those holding the word are read.
  std::size_t last_end = chunk.size() - 1;
  while (!is_line_end(chunk[last_end])) --last_end;
  const std::string_view lines = chunk.substr(0, last_end + 1);
  std::size_t from = first_end + 1;
  for (std::size_t hit = find_word(lines, from); hit != std::string_view::npos;
       hit = find_word(lines, from)) {
    std::size_t start = hit;
    while (start > from && !is_line_end(lines[start - 1])) --start;
    std::size_t end = hit + kWord.size();
    while (!is_line_end(lines[end])) ++end;
    read_line(lines.substr(start, end - start));
    from = end + 1;
  }

  m_partial.assign(chunk.substr(last_end + 1));
  if (m_partial.size() > 2 * kMaxLine) m_partial.erase(0, m_partial.size() - kMaxLine);
}

void WandbScanner::finish() {
  if (!m_partial.empty()) read_line(m_partial);
  m_partial.clear();
}

void WandbScanner::read_line(std::string_view line) {
  line = window(line);
  if (!contains(line, kWord)) return;
  if (line.find(kEscape) == std::string_view::npos) {
    read_clean_line(line);
  } else {
    read_clean_line(strip_ansi(line));
  }
}

void WandbScanner::read_clean_line(std::string_view line) {
  constexpr std::string_view syncing = "Syncing run ";
  if (const auto at = line.find(syncing); at != std::string_view::npos) {
    m_pending_name = std::string(trim(line.substr(at + syncing.size())));
  }

  constexpr std::string_view offline = "offline-run-";
  for (auto at = line.find(offline); at != std::string_view::npos;
       at = line.find(offline, at + offline.size())) {
    std::size_t start = at;
    while (start > 0 && !ends_target(line[start - 1])) --start;
    std::size_t end = at;
    while (end < line.size() && line[end] != '/' && !ends_target(line[end])) ++end;
    const auto path = without_trailing_punctuation(line.substr(start, end - start));
    if (!path.empty()) add(WandbLink{WandbLinkKind::offline_run_dir, std::string(path), {}});
  }

  for (auto at = line.find("http"); at != std::string_view::npos; at = line.find("http", at + 4)) {
    const std::string_view rest = line.substr(at);
    if (!rest.starts_with("https://") && !rest.starts_with("http://")) continue;
    std::size_t end = 0;
    while (end < rest.size() && !ends_target(rest[end])) ++end;
    const std::string_view url = without_trailing_punctuation(rest.substr(0, end));
    const std::string_view before = line.substr(0, at);
    // Only wandb's own messages: "wandb: ..." (maybe after a timestamp or rank prefix).
    if (!contains(before, "wandb:")) continue;
    WandbLink link;
    link.target = std::string(url);
    if (contains(url, "/runs/") || contains(before, "View run") || contains(before, "Synced ")) {
      link.kind = WandbLinkKind::run;
      link.run_name = std::string(printed_run_name(before));
      if (link.run_name.empty()) link.run_name = m_pending_name;
      m_pending_name.clear();
    } else if (contains(url, "/sweeps/") || contains(before, "View sweep")) {
      link.kind = WandbLinkKind::sweep;
    } else if (contains(before, "View project")) {
      link.kind = WandbLinkKind::project;
    } else {
      continue;
    }
    add(std::move(link));
  }
}

void WandbScanner::add(WandbLink link) {
  for (auto& known : m_links) {
    if (known.kind == link.kind && known.target == link.target) {
      if (known.run_name.empty()) known.run_name = std::move(link.run_name);
      return;
    }
  }
  m_links.push_back(std::move(link));
}

std::vector<WandbLink> find_wandb_links(std::string_view log_text) {
  WandbScanner scanner;
  scanner.feed(log_text);
  scanner.finish();
  return scanner.links();
}

}  // namespace sortie::logs
