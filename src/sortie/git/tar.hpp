#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "sortie/core/error.hpp"

namespace sortie::git {

// The kinds of file a snapshot holds, with Git's mode numbers.
enum class FileMode : std::uint32_t {
  regular = 0100644,
  executable = 0100755,
  symlink = 0120000,
};

// Git's octal spelling of a mode: "100644", "100755", "120000".
std::string_view to_string(FileMode mode);

// One file of an archive. The content of regular files comes from a ContentWriter.
struct TarEntry {
  std::string path;  // relative, '/'-separated, no "." / ".." / empty components
  FileMode mode = FileMode::regular;
  std::uint64_t size = 0;   // content bytes of a regular file; ignored for a symlink
  std::string link_target;  // symlinks only: what the link points at
};

// Receives archive (or content) bytes in order. A failure stops the writing and is passed on.
using ByteSink = std::function<core::Result<void>(std::string_view bytes)>;

// Writes the content of `entry` (a regular file) to `write`: exactly `entry.size` bytes, in as
// many calls as it likes.
using ContentWriter =
    std::function<core::Result<void>(const TarEntry& entry, const ByteSink& write)>;

// 2000-01-01T00:00:00Z. Not 0: tools that repack extracted files (e.g. Python's zipfile, used
// when building wheels) reject times before 1980.
inline constexpr std::uint64_t k_default_tar_mtime = 946684800;

struct TarOptions {
  std::uint64_t mtime = k_default_tar_mtime;  // every entry's modification time, in Unix seconds
};

// Writes a POSIX tar archive of `entries` to `sink`: ustar headers, with a pax extended header
// for paths or link targets longer than 100 bytes and sizes of 8 GiB or more. Deterministic: the
// entries are written sorted by path (bytewise), owned by uid/gid 0 with no user or group names,
// all with `options.mtime`; regular files get mode 0644 or 0755, symlinks 0777. No directory
// entries are written (`tar -xf` creates parent folders). Readable by GNU tar and bsdtar.
// Fails with invalid_argument for an unsafe or duplicate path or an empty or NUL-containing link
// target; with io_error when `content` writes a different number of bytes than `size` (the file
// changed while being archived); and with whatever `content` or `sink` fail with.
core::Result<void> write_tar(std::vector<TarEntry> entries, const ContentWriter& content,
                             const ByteSink& sink, const TarOptions& options = {});

// An archive member held in memory: the content of a file, or the target of a symlink.
struct TarFile {
  std::string path;
  FileMode mode = FileMode::regular;
  std::string content;
};

// write_tar over files held in memory, returning the whole archive. Fails like write_tar.
core::Result<std::string> tar_archive(const std::vector<TarFile>& files,
                                      const TarOptions& options = {});

}  // namespace sortie::git
