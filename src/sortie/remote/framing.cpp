#include "sortie/remote/framing.hpp"

#include <fmt/format.h>

#include <charconv>
#include <random>

#include "sortie/remote/quote.hpp"

namespace sortie::remote {

namespace {

constexpr std::size_t error_text_limit = 4096;

std::string base64_lines(std::string_view bytes) {
  static constexpr char alphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string encoded;
  encoded.reserve((bytes.size() + 2) / 3 * 4 + bytes.size() / 57 + 2);
  std::size_t line_length = 0;
  auto put = [&](char c) {
    encoded += c;
    if (++line_length == 76) {
      encoded += '\n';
      line_length = 0;
    }
  };
  std::size_t i = 0;
  auto byte = [&](std::size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned triple = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    put(alphabet[(triple >> 18) & 63]);
    put(alphabet[(triple >> 12) & 63]);
    put(alphabet[(triple >> 6) & 63]);
    put(alphabet[triple & 63]);
  }
  if (bytes.size() - i == 1) {
    unsigned triple = byte(i) << 16;
    put(alphabet[(triple >> 18) & 63]);
    put(alphabet[(triple >> 12) & 63]);
    put('=');
    put('=');
  } else if (bytes.size() - i == 2) {
    unsigned triple = (byte(i) << 16) | (byte(i + 1) << 8);
    put(alphabet[(triple >> 18) & 63]);
    put(alphabet[(triple >> 12) & 63]);
    put(alphabet[(triple >> 6) & 63]);
    put('=');
  }
  if (line_length != 0) encoded += '\n';
  return encoded;
}

// Parses the decimal number in `text`, which must be all digits.
std::optional<long> parse_number(std::string_view text) {
  long value = 0;
  if (text.empty()) return std::nullopt;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Looks for `needle` followed by a line ending in `pending.bytes`, searching only bytes not
// searched before. Returns {marker start, index just past the marker's closing newline} when
// found; advances `pending.searched` otherwise.
struct Found {
  std::size_t start;
  std::size_t fields;  // first byte after the needle
  std::size_t end;     // one past the closing '\n'
};

template <class Pending>
std::optional<Found> find_marker(Pending& pending, const std::string& needle) {
  std::size_t start = pending.bytes.find(needle, pending.searched);
  if (start == std::string::npos) {
    // Keep the tail that could be the beginning of a marker split across chunks.
    pending.searched =
        pending.bytes.size() >= needle.size() ? pending.bytes.size() - needle.size() + 1 : 0;
    return std::nullopt;
  }
  std::size_t fields = start + needle.size();
  std::size_t newline = pending.bytes.find('\n', fields);
  if (newline == std::string::npos) {
    pending.searched = start;
    return std::nullopt;
  }
  return Found{start, fields, newline + 1};
}

}  // namespace

std::string random_token() {
  std::random_device device;
  std::string token;
  for (int i = 0; i < 4; ++i) token += fmt::format("{:08x}", device());
  return token;
}

core::Result<void> validate_batch(const std::vector<Command>& commands) {
  for (std::size_t index = 0; index < commands.size(); ++index) {
    const Command& command = commands[index];
    if (command.argv.empty() || command.argv.front().empty()) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("command {} of the batch has no {} to run", index + 1,
                                    command.action == Action::program ? "program" : "path"));
    }
    if (command.action != Action::program && command.argv.size() != 1) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("command {} of the batch names {} paths; a file or directory "
                                    "action takes exactly one",
                                    index + 1, command.argv.size()));
    }
    for (const auto& word : command.argv) {
      if (has_nul(word)) {
        return core::fail(core::ErrorCode::invalid_argument,
                          fmt::format("an argument of `{}` contains a NUL byte, which no command "
                                      "line can carry",
                                      command.argv.front()));
      }
    }
    if (command.action == Action::write_text_file && command.input && has_nul(*command.input)) {
      return core::fail(core::ErrorCode::invalid_argument,
                        fmt::format("the text for {} contains a NUL byte; write binary files "
                                    "with write_file()",
                                    command.argv.front()));
    }
  }
  return {};
}

core::Result<std::string> render_batch(const std::vector<Command>& commands, OnFailure on_failure,
                                       std::string_view token) {
  if (auto valid = validate_batch(commands); !valid) return std::unexpected(valid.error());
  std::string script = "while :; do\n";
  for (std::size_t index = 0; index < commands.size(); ++index) {
    const Command& command = commands[index];
    const std::string& first = command.argv.front();
    const bool has_input = command.input && !command.input->empty();
    switch (command.action) {
      case Action::write_text_file:
        // printf is a builtin: the shell writes the file itself, starting no process.
        script += fmt::format("printf '%s' {} > {}\n", has_input ? quote(*command.input) : "''",
                              quote(first));
        break;
      case Action::ensure_directory:
        // `[` is a builtin: mkdir starts only when the directory is missing.
        script += fmt::format("{{ [ -d {0} ] || mkdir -p -- {0}; }} </dev/null\n", quote(first));
        break;
      case Action::program:
        // A subshell that execs the program (one process, and argv[0] is always a program, never
        // a builtin), so nothing a command does (cd, exit, variables) reaches the long-lived
        // shell. Text input goes through the shell's private input file (see render_sync):
        // printf is a builtin, while piping from base64 would start two more processes.
        if (has_input && !has_nul(*command.input)) {
          script +=
              fmt::format("printf '%s' {} > \"$__sortie_in\" && ( exec {} ) < \"$__sortie_in\"\n",
                          quote(*command.input), join(command.argv));
        } else if (has_input) {
          script += fmt::format("base64 -d <<'SORTIE_IN_{}' | ( exec {} )\n{}SORTIE_IN_{}\n", token,
                                join(command.argv), base64_lines(*command.input), token);
        } else {
          script += fmt::format("( exec {} ) </dev/null\n", join(command.argv));
        }
        break;
    }
    script += fmt::format(
        "__sortie_status=$?\n"
        "printf '\\n%s:o:%d:%d\\n' {0} {1} \"$__sortie_status\"\n"
        "printf '\\n%s:e:%d\\n' {0} {1} >&2\n",
        token, index);
    if (on_failure == OnFailure::stop_batch) script += "[ \"$__sortie_status\" -eq 0 ] || break\n";
  }
  script += "break\ndone\n";
  return script;
}

std::string render_sync(std::string_view token) {
  // __sortie_in: a file only this user can read, holding the standard input of one command at
  // a time; made once per shell because making it costs a process.
  //
  //
  // When bash reads this, the login shell has set up the environment (PATH, modules) and
  // /bin/sh takes over the rest of the input: where /bin/sh is dash, every process it starts
  // costs a third less than one started from bash. Only bash: it reads a pipe a byte at a time,
  // so no input is lost in the handover; other shells read ahead.
  return fmt::format(
      "[ -n \"${{BASH_VERSION-}}\" ] && [ -x /bin/sh ] && exec /bin/sh\n"
      "set +e +u\n"
      "__sortie_in=$(mktemp \"${{TMPDIR:-/tmp}}/sortie-in.XXXXXXXX\") || exit 1\n"
      "trap 'rm -f -- \"$__sortie_in\"' EXIT\n"
      "printf '\\n%s:sync:%d\\n' {0} \"$$\"\n"
      "printf '\\n%s:sync\\n' {0} >&2\n",
      token);
}

SyncReader::SyncReader(std::string token) : m_token(std::move(token)) {}

core::Result<void> SyncReader::feed(Stream stream, std::string_view bytes) {
  if (stream == Stream::out) {
    if (m_out_done) return {};
    m_out += bytes;
    const std::string needle = "\n" + m_token + ":sync:";
    std::size_t start = m_out.find(needle);
    if (start == std::string::npos) {
      // Noise is discarded, keeping only a tail that could begin the marker.
      if (m_out.size() > needle.size()) m_out.erase(0, m_out.size() - needle.size());
      return {};
    }
    std::size_t newline = m_out.find('\n', start + needle.size());
    if (newline == std::string::npos) return {};
    auto pid = parse_number(
        std::string_view(m_out).substr(start + needle.size(), newline - start - needle.size()));
    if (!pid) {
      return core::fail(core::ErrorCode::parse_error,
                        "the remote shell printed a malformed start-up marker");
    }
    m_shell_pid = *pid;
    m_out_done = true;
    return {};
  }
  if (m_err_done) return {};
  m_err += bytes;
  const std::string needle = "\n" + m_token + ":sync\n";
  std::size_t start = m_err.find(needle);
  if (start == std::string::npos) {
    if (m_error_text.size() < error_text_limit) {
      std::size_t keep = m_err.size() > needle.size() ? m_err.size() - needle.size() : 0;
      m_error_text.append(m_err, 0, std::min(keep, error_text_limit - m_error_text.size()));
      m_err.erase(0, keep);
    } else if (m_err.size() > needle.size()) {
      m_err.erase(0, m_err.size() - needle.size());
    }
    return {};
  }
  m_error_text.append(
      m_err, 0,
      std::min(start, error_text_limit - std::min(error_text_limit, m_error_text.size())));
  m_err.clear();
  m_err_done = true;
  return {};
}

std::string SyncReader::error_text() const {
  std::string text = m_error_text;
  if (!m_err_done) text.append(m_err, 0, std::min(m_err.size(), error_text_limit));
  return text;
}

bool SyncReader::complete() const {
  return m_out_done && m_err_done;
}

BatchReader::BatchReader(const std::string& token, std::size_t command_count, OnFailure on_failure)
    : m_out_needle("\n" + token + ":o:"),
      m_err_needle("\n" + token + ":e:"),
      m_command_count(command_count),
      m_on_failure(on_failure) {
  m_outputs.resize(command_count);
}

std::size_t BatchReader::expected_count() const {
  return m_stopped ? m_out.done : m_command_count;
}

bool BatchReader::complete() const {
  std::size_t expected = expected_count();
  return m_out.done == expected && m_err.done >= expected;
}

core::Result<void> BatchReader::feed(Stream stream, std::string_view bytes) {
  if (stream == Stream::out) {
    m_out.bytes += bytes;
    return scan_out();
  }
  m_err.bytes += bytes;
  return scan_err();
}

core::Result<void> BatchReader::scan_out() {
  while (!m_stopped && m_out.done < m_command_count) {
    auto found = find_marker(m_out, m_out_needle);
    if (!found) return {};
    std::string_view fields =
        std::string_view(m_out.bytes).substr(found->fields, found->end - 1 - found->fields);
    std::size_t colon = fields.find(':');
    auto index = parse_number(fields.substr(0, colon));
    std::optional<long> status;
    if (colon != std::string_view::npos) status = parse_number(fields.substr(colon + 1));
    if (!index || !status || static_cast<std::size_t>(*index) != m_out.done) {
      return core::fail(core::ErrorCode::parse_error,
                        "the remote shell printed a malformed end-of-command marker");
    }
    Output& output = m_outputs[m_out.done];
    output.exit_code = static_cast<int>(*status);
    output.out.assign(m_out.bytes, 0, found->start);
    m_out.bytes.erase(0, found->end);
    m_out.searched = 0;
    ++m_out.done;
    if (output.exit_code != 0 && m_on_failure == OnFailure::stop_batch) {
      m_stopped = true;
      m_outputs.resize(m_out.done);
    }
  }
  return {};
}

core::Result<void> BatchReader::scan_err() {
  while (m_err.done < m_command_count) {
    auto found = find_marker(m_err, m_err_needle);
    if (!found) return {};
    auto index = parse_number(
        std::string_view(m_err.bytes).substr(found->fields, found->end - 1 - found->fields));
    if (!index || static_cast<std::size_t>(*index) != m_err.done) {
      return core::fail(core::ErrorCode::parse_error,
                        "the remote shell printed a malformed end-of-command marker");
    }
    if (m_err.done < m_outputs.size())
      m_outputs[m_err.done].err.assign(m_err.bytes, 0, found->start);
    m_err.bytes.erase(0, found->end);
    m_err.searched = 0;
    ++m_err.done;
  }
  return {};
}

}  // namespace sortie::remote
