#include "sortie/git/tar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>

namespace sortie::git {
namespace {

using core::ErrorCode;

constexpr std::size_t k_block_size = 512;
constexpr std::size_t k_name_length = 100;
constexpr std::uint64_t k_largest_ustar_size = 077777777777;  // 11 octal digits

using Block = std::array<char, k_block_size>;

void put_text(Block& block, std::size_t offset, std::size_t length, std::string_view text) {
  std::memcpy(block.data() + offset, text.data(), std::min(length, text.size()));
}

// `value` as zero-padded octal filling `length - 1` characters and a NUL, as ustar wants.
void put_octal(Block& block, std::size_t offset, std::size_t length, std::uint64_t value) {
  const std::string digits = fmt::format("{:0{}o}", value, length - 1);
  put_text(block, offset, length - 1, digits);
}

Block ustar_header(std::string_view name, std::uint32_t permissions, std::uint64_t size,
                   std::uint64_t mtime, char type, std::string_view link_target) {
  Block block{};
  put_text(block, 0, k_name_length, name);
  put_octal(block, 100, 8, permissions);
  put_octal(block, 108, 8, 0);
  put_octal(block, 116, 8, 0);
  put_octal(block, 124, 12, size);
  put_octal(block, 136, 12, mtime);
  block[156] = type;
  put_text(block, 157, k_name_length, link_target);
  put_text(block, 257, 6, std::string_view("ustar\0", 6));
  put_text(block, 263, 2, "00");
  // The checksum is computed with its own field read as spaces.
  std::memset(block.data() + 148, ' ', 8);
  std::uint32_t checksum = 0;
  for (const char byte : block) checksum += static_cast<unsigned char>(byte);
  const std::string digits = fmt::format("{:06o}", checksum);
  put_text(block, 148, 6, digits);
  block[154] = '\0';
  block[155] = ' ';
  return block;
}

// One pax record, "LENGTH key=value\n", where LENGTH counts the whole record including itself.
std::string pax_record(std::string_view key, std::string_view value) {
  const std::size_t rest = 1 + key.size() + 1 + value.size() + 1;
  std::size_t length = rest + 1;
  while (std::to_string(length).size() + rest != length)
    length = std::to_string(length).size() + rest;
  return fmt::format("{} {}={}\n", length, key, value);
}

std::size_t padding_for(std::uint64_t size) {
  return static_cast<std::size_t>((k_block_size - size % k_block_size) % k_block_size);
}

core::Result<void> write_padding(const ByteSink& sink, std::uint64_t size) {
  static constexpr Block k_zeros{};
  const std::size_t padding = padding_for(size);
  if (padding == 0) return {};
  return sink(std::string_view(k_zeros.data(), padding));
}

core::Result<void> check_entry(const TarEntry& entry) {
  const std::string_view path = entry.path;
  auto unsafe = [&](std::string_view why) {
    return core::fail(ErrorCode::invalid_argument,
                      fmt::format("cannot archive '{}': {}", entry.path, why));
  };
  if (path.empty()) return unsafe("the path is empty");
  if (path.find('\0') != std::string_view::npos) return unsafe("the path contains a NUL byte");
  if (path.front() == '/') return unsafe("the path is absolute");
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view component = path.substr(start, end - start);
    if (component.empty() || component == "." || component == "..") {
      return unsafe("the path has an empty, '.' or '..' component");
    }
    start = end + 1;
  }
  if (entry.mode == FileMode::symlink) {
    if (entry.link_target.empty()) return unsafe("the symlink's target is empty");
    if (entry.link_target.find('\0') != std::string::npos) {
      return unsafe("the symlink's target contains a NUL byte");
    }
  }
  return {};
}

std::uint32_t permissions_of(FileMode mode) {
  switch (mode) {
    case FileMode::regular:
      return 0644;
    case FileMode::executable:
      return 0755;
    case FileMode::symlink:
      return 0777;
  }
  return 0644;
}

core::Result<void> write_entry(const TarEntry& entry, const ContentWriter& content,
                               const ByteSink& sink, std::uint64_t mtime) {
  const bool is_link = entry.mode == FileMode::symlink;
  const std::uint64_t size = is_link ? 0 : entry.size;

  std::string pax;
  if (entry.path.size() > k_name_length) pax += pax_record("path", entry.path);
  if (is_link && entry.link_target.size() > k_name_length) {
    pax += pax_record("linkpath", entry.link_target);
  }
  if (size > k_largest_ustar_size) pax += pax_record("size", std::to_string(size));
  if (!pax.empty()) {
    const Block header = ustar_header("././@PaxHeader", 0644, pax.size(), mtime, 'x', "");
    if (auto written = sink(std::string_view(header.data(), header.size())); !written) {
      return written;
    }
    if (auto written = sink(pax); !written) return written;
    if (auto written = write_padding(sink, pax.size()); !written) return written;
  }

  const Block header = ustar_header(
      entry.path, permissions_of(entry.mode), size > k_largest_ustar_size ? 0 : size, mtime,
      is_link ? '2' : '0', is_link ? std::string_view(entry.link_target) : std::string_view());
  if (auto written = sink(std::string_view(header.data(), header.size())); !written) {
    return written;
  }
  if (is_link) return {};

  std::uint64_t written_bytes = 0;
  auto too_many = [&] {
    return core::fail(ErrorCode::io_error,
                      fmt::format("'{}' changed while it was being archived (expected {} bytes): "
                                  "try again once nothing writes to it",
                                  entry.path, entry.size));
  };
  const ByteSink counted = [&](std::string_view bytes) -> core::Result<void> {
    if (bytes.size() > size - written_bytes) return too_many();
    written_bytes += bytes.size();
    return sink(bytes);
  };
  if (auto written = content(entry, counted); !written) return written;
  if (written_bytes != size) return too_many();
  return write_padding(sink, size);
}

}  // namespace

std::string_view to_string(FileMode mode) {
  switch (mode) {
    case FileMode::regular:
      return "100644";
    case FileMode::executable:
      return "100755";
    case FileMode::symlink:
      return "120000";
  }
  return "100644";
}

core::Result<void> write_tar(std::vector<TarEntry> entries, const ContentWriter& content,
                             const ByteSink& sink, const TarOptions& options) {
  std::ranges::sort(entries, {}, &TarEntry::path);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (auto valid = check_entry(entries[i]); !valid) return valid;
    if (i > 0 && entries[i].path == entries[i - 1].path) {
      return core::fail(ErrorCode::invalid_argument,
                        fmt::format("cannot archive '{}' twice", entries[i].path));
    }
  }
  for (const TarEntry& entry : entries) {
    if (auto written = write_entry(entry, content, sink, options.mtime); !written) return written;
  }
  // The end of an archive is two zero blocks.
  static constexpr std::array<char, 2 * k_block_size> k_end{};
  return sink(std::string_view(k_end.data(), k_end.size()));
}

core::Result<std::string> tar_archive(const std::vector<TarFile>& files,
                                      const TarOptions& options) {
  std::vector<TarEntry> entries;
  std::map<std::string, const std::string*> contents;
  entries.reserve(files.size());
  for (const TarFile& file : files) {
    const bool is_link = file.mode == FileMode::symlink;
    entries.push_back({file.path, file.mode, is_link ? 0 : file.content.size(),
                       is_link ? file.content : std::string()});
    contents[file.path] = &file.content;
  }
  std::string archive;
  auto written = write_tar(
      std::move(entries),
      [&](const TarEntry& entry, const ByteSink& write) { return write(*contents.at(entry.path)); },
      [&](std::string_view bytes) -> core::Result<void> {
        archive.append(bytes);
        return {};
      },
      options);
  if (!written) return std::unexpected(written.error());
  return archive;
}

}  // namespace sortie::git
