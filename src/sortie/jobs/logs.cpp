#include "sortie/jobs/logs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace sortie::jobs {

std::string last_lines(std::string_view text, std::size_t lines) {
  if (lines == 0) return {};
  std::size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;
  std::size_t count = 0;
  std::size_t at = end;
  while (at > 0) {
    if (text[at - 1] == '\n' && ++count == lines) break;
    --at;
  }
  return std::string(text.substr(at));
}

core::Result<std::string> tail(remote::Remote& remote, const std::string& path, std::size_t lines,
                               std::chrono::milliseconds timeout, std::uint64_t chunk) {
  // The size first, so only the end of the file is read.
  auto size_output = remote.run_one({{"stat", "-c", "%s", path}, {}}, timeout);
  if (!size_output) return std::unexpected(size_output.error());
  if (size_output->exit_code != 0) {
    return core::fail(core::ErrorCode::not_found,
                      fmt::format("no log at {} on the cluster yet: {}", path, size_output->err));
  }
  std::string digits = size_output->out;
  while (!digits.empty() && (digits.back() == '\n' || digits.back() == '\r')) digits.pop_back();
  std::uint64_t size = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), size);
  if (error != std::errc{} || end != digits.data() + digits.size()) {
    return core::fail(core::ErrorCode::parse_error,
                      fmt::format("stat printed '{}' for the size of {}", digits, path));
  }

  // Backwards in chunks until the text holds one more line end than lines wanted.
  std::string text;
  std::uint64_t offset = size;
  while (offset > 0) {
    const std::uint64_t length = std::min(chunk, offset);
    offset -= length;
    auto piece = remote.read_file(path, offset, length);
    if (!piece) return std::unexpected(piece.error());
    text.insert(0, *piece);
    auto breaks = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    if (!text.empty() && text.back() == '\n') --breaks;
    if (breaks >= lines) break;
  }
  return last_lines(text, lines);
}

}  // namespace sortie::jobs
