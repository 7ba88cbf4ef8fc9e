#include "sortie/hydra/entry_script.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <filesystem>
#include <vector>

namespace sortie::hydra {
namespace {

using core::ErrorCode;

struct Token {
  enum class Kind { name, text, symbol, end };
  Kind kind = Kind::end;
  std::string value;
  bool formatted = false;  // an f-string: not a literal
};

bool is_name_start(char character) {
  return std::isalpha(static_cast<unsigned char>(character)) != 0 || character == '_';
}

bool is_name_char(char character) {
  return std::isalnum(static_cast<unsigned char>(character)) != 0 || character == '_';
}

// Python tokens from just after `@hydra.main` up to the closing parenthesis.
class Tokenizer {
 public:
  Tokenizer(std::string_view text, std::size_t position) : m_text(text), m_position(position) {}

  core::Result<Token> next() {
    skip_blanks();
    if (m_position >= m_text.size()) return Token{};
    const char character = m_text[m_position];
    if (is_name_start(character)) {
      const std::size_t start = m_position;
      while (m_position < m_text.size() && is_name_char(m_text[m_position])) ++m_position;
      std::string name(m_text.substr(start, m_position - start));
      if (m_position < m_text.size() && (m_text[m_position] == '"' || m_text[m_position] == '\'')) {
        std::string prefix = name;
        for (char& letter : prefix)
          letter = static_cast<char>(std::tolower(static_cast<unsigned char>(letter)));
        if (prefix == "r" || prefix == "u" || prefix == "f" || prefix == "rf" || prefix == "fr")
          return string_literal(prefix.find('r') != std::string::npos,
                                prefix.find('f') != std::string::npos);
      }
      return Token{Token::Kind::name, std::move(name)};
    }
    if (character == '"' || character == '\'') return string_literal(false, false);
    ++m_position;
    return Token{Token::Kind::symbol, std::string(1, character)};
  }

 private:
  void skip_blanks() {
    while (m_position < m_text.size()) {
      const char character = m_text[m_position];
      if (character == '#') {
        while (m_position < m_text.size() && m_text[m_position] != '\n') ++m_position;
      } else if (std::isspace(static_cast<unsigned char>(character)) != 0 || character == '\\') {
        ++m_position;
      } else {
        return;
      }
    }
  }

  core::Result<Token> string_literal(bool raw, bool formatted) {
    const char quote = m_text[m_position];
    const bool triple = m_text.substr(m_position, 3) == std::string(3, quote);
    m_position += triple ? 3 : 1;
    std::string value;
    while (m_position < m_text.size()) {
      const char character = m_text[m_position];
      if (character == quote &&
          (!triple || m_text.substr(m_position, 3) == std::string(3, quote))) {
        m_position += triple ? 3 : 1;
        return Token{Token::Kind::text, std::move(value), formatted};
      }
      if (character == '\n' && !triple) break;
      if (character == '\\' && m_position + 1 < m_text.size()) {
        const char escaped = m_text[m_position + 1];
        m_position += 2;
        if (raw) {
          value += '\\';
          value += escaped;
          continue;
        }
        switch (escaped) {
          case 'n':
            value += '\n';
            break;
          case 't':
            value += '\t';
            break;
          case '\\':
          case '\'':
          case '"':
            value += escaped;
            break;
          case '\n':
            break;
          default:
            value += '\\';
            value += escaped;
        }
        continue;
      }
      value += character;
      ++m_position;
    }
    return core::fail(ErrorCode::invalid_argument, "a string literal is not closed");
  }

  std::string_view m_text;
  std::size_t m_position;
};

std::string_view trim_left(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return line;
}

// Whether `script` imports `main` from hydra, so that `@main(...)` is Hydra's.
bool imports_hydra_main(std::string_view script) {
  std::size_t start = 0;
  while (start < script.size()) {
    const std::size_t end = std::min(script.find('\n', start), script.size());
    const std::string_view line = trim_left(script.substr(start, end - start));
    if (line.starts_with("from hydra import ")) {
      const std::string_view names = line.substr(18);
      std::size_t found = names.find("main");
      while (found != std::string_view::npos) {
        const bool starts = found == 0 || !is_name_char(names[found - 1]);
        const bool ends = found + 4 >= names.size() || !is_name_char(names[found + 4]);
        if (starts && ends) return true;
        found = names.find("main", found + 1);
      }
    }
    start = end + 1;
  }
  return false;
}

// The value of a `(major, minor)` version string, e.g. "1.3" → 103; nullopt when unreadable.
std::optional<int> version_number(std::string_view text) {
  int major = 0;
  int minor = 0;
  std::size_t position = 0;
  auto digits = [&](int& into) {
    const std::size_t start = position;
    while (position < text.size() && std::isdigit(static_cast<unsigned char>(text[position])) != 0)
      into = into * 10 + (text[position++] - '0');
    return position > start;
  };
  if (!digits(major)) return std::nullopt;
  if (position < text.size() && text[position] == '.') {
    ++position;
    if (!digits(minor)) return std::nullopt;
  }
  return major * 100 + minor;
}

// The words of a shell command line: blanks separate, quotes group, backslashes escape (not
// inside single quotes). Enough for entry commands; no expansion is done.
std::vector<std::string> shell_words(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char character = command[i];
    if (quote == '\'') {
      if (character == '\'')
        quote = 0;
      else
        word.push_back(character);
    } else if (quote == '"') {
      if (character == '"')
        quote = 0;
      else if (character == '\\' && i + 1 < command.size())
        word.push_back(command[++i]);
      else
        word.push_back(character);
    } else if (character == ' ' || character == '\t' || character == '\n') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      in_word = true;
      if (character == '\'' || character == '"')
        quote = character;
      else if (character == '\\' && i + 1 < command.size())
        word.push_back(command[++i]);
      else
        word.push_back(character);
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

bool is_assignment(std::string_view word) {
  const std::size_t equals = word.find('=');
  if (equals == 0 || equals == std::string_view::npos || !is_name_start(word[0])) return false;
  for (std::size_t i = 0; i < equals; ++i)
    if (!is_name_char(word[i])) return false;
  return true;
}

}  // namespace

std::optional<std::string> HydraMain::resolved_config_path() const {
  switch (config_path.state) {
    case MainArgument::State::text:
      return config_path.text;
    case MainArgument::State::none:
      return std::nullopt;
    case MainArgument::State::absent:
      break;
  }
  if (uses_legacy_defaults()) return std::string(".");
  return std::nullopt;
}

std::optional<std::string> HydraMain::resolved_config_name() const {
  if (config_name.state != MainArgument::State::text) return std::nullopt;
  std::string name = config_name.text;
  if (name.ends_with(".yaml")) name.resize(name.size() - 5);
  return name;
}

bool HydraMain::uses_legacy_defaults() const {
  switch (version_base.state) {
    case MainArgument::State::absent:
      return true;
    case MainArgument::State::none:
      return false;
    case MainArgument::State::text:
      break;
  }
  const auto number = version_number(version_base.text);
  return number && *number < 102;
}

core::Result<HydraMain> find_hydra_main(std::string_view script, std::string_view file_name) {
  const bool bare_main = imports_hydra_main(script);
  std::size_t start = 0;
  std::size_t line_number = 0;
  std::optional<std::size_t> call_start;
  while (start < script.size() && !call_start) {
    ++line_number;
    const std::size_t end = std::min(script.find('\n', start), script.size());
    const std::string_view whole = script.substr(start, end - start);
    const std::string_view line = trim_left(whole);
    const std::size_t indent = whole.size() - line.size();
    for (std::string_view decorator :
         {std::string_view("@hydra.main"), std::string_view("@main")}) {
      if (decorator == "@main" && !bare_main) continue;
      if (!line.starts_with(decorator)) continue;
      const std::string_view rest = trim_left(line.substr(decorator.size()));
      if (!rest.starts_with("(")) continue;
      call_start =
          start + indent + decorator.size() + (line.size() - decorator.size() - rest.size()) + 1;
      break;
    }
    start = end + 1;
  }
  if (!call_start)
    return core::fail(ErrorCode::invalid_argument,
                      fmt::format("{} has no @hydra.main(...) decorator; point sortie at the "
                                  "script whose main function Hydra decorates",
                                  file_name));

  HydraMain main;
  main.line = line_number;
  auto problem = [&](std::string_view what) {
    return core::fail(ErrorCode::invalid_argument,
                      fmt::format("{}:{}: @hydra.main: {}", file_name, line_number, what));
  };
  const std::array<MainArgument*, 3> positional = {&main.config_path, &main.config_name,
                                                   &main.version_base};
  Tokenizer tokenizer(script, *call_start);
  std::size_t index = 0;
  bool keyword_seen = false;
  while (true) {
    auto token = tokenizer.next();
    if (!token) return problem(token.error().message);
    if (token->kind == Token::Kind::end) return problem("the call is not closed with ')'");
    if (token->kind == Token::Kind::symbol && token->value == ")") break;

    MainArgument* target = nullptr;
    std::string keyword;
    if (token->kind == Token::Kind::name && token->value != "None") {
      keyword = token->value;
      auto equals = tokenizer.next();
      if (!equals) return problem(equals.error().message);
      if (equals->kind != Token::Kind::symbol || equals->value != "=")
        return problem(
            fmt::format("'{}' is not a string literal or None; sortie reads the "
                        "arguments without running Python",
                        keyword));
      if (keyword == "config_path")
        target = &main.config_path;
      else if (keyword == "config_name")
        target = &main.config_name;
      else if (keyword == "version_base")
        target = &main.version_base;
      else
        return problem(fmt::format("unknown argument '{}'", keyword));
      keyword_seen = true;
      token = tokenizer.next();
      if (!token) return problem(token.error().message);
    } else {
      if (keyword_seen) return problem("a positional argument follows a keyword argument");
      if (index >= positional.size()) return problem("too many positional arguments");
      target = positional[index];
      keyword = index == 0 ? "config_path" : index == 1 ? "config_name" : "version_base";
    }
    ++index;

    if (token->kind == Token::Kind::name && token->value == "None") {
      target->state = MainArgument::State::none;
    } else if (token->kind == Token::Kind::text && !token->formatted) {
      target->state = MainArgument::State::text;
      target->text = token->value;
      while (true) {
        auto following = tokenizer.next();
        if (!following) return problem(following.error().message);
        if (following->kind == Token::Kind::text && !following->formatted) {
          target->text += following->value;
          continue;
        }
        token = std::move(following);
        break;
      }
      if (token->kind == Token::Kind::symbol && token->value == ")") break;
      if (token->kind != Token::Kind::symbol || token->value != ",")
        return problem(
            fmt::format("{} is not a string literal or None; sortie reads the "
                        "arguments without running Python",
                        keyword));
      continue;
    } else {
      return problem(fmt::format(
          "{} is not a string literal or None; sortie reads the arguments without running Python",
          keyword));
    }
    auto separator = tokenizer.next();
    if (!separator) return problem(separator.error().message);
    if (separator->kind == Token::Kind::symbol && separator->value == ")") break;
    if (separator->kind != Token::Kind::symbol || separator->value != ",")
      return problem(fmt::format(
          "{} is not a string literal or None; sortie reads the arguments without running Python",
          keyword));
  }
  return main;
}

core::Result<std::vector<std::string>> entry_script_candidates(std::string_view entry_command) {
  std::vector<std::string> words = shell_words(entry_command);
  std::size_t first = 0;
  while (first < words.size() && is_assignment(words[first])) ++first;
  // Whichever comes first wins: in `python -m pkg.train data=x.py` the module is the script.
  for (std::size_t i = first; i < words.size(); ++i) {
    const std::string& word = words[i];
    std::string module;
    if (word == "-m" && i + 1 < words.size())
      module = words[i + 1];
    else if (word.starts_with("-m") && word.size() > 2)
      module = word.substr(2);
    if (!module.empty()) {
      std::string path = module;
      for (char& character : path)
        if (character == '.') character = '/';
      return std::vector<std::string>{path + ".py", path + "/__main__.py", "src/" + path + ".py",
                                      "src/" + path + "/__main__.py"};
    }
    if (word.size() > 3 && word.ends_with(".py") && !word.starts_with("-") &&
        word.find('=') == std::string::npos)
      return std::vector<std::string>{
          std::filesystem::path(word).lexically_normal().generic_string()};
  }
  return core::fail(ErrorCode::invalid_argument,
                    fmt::format("cannot tell which Python script the entry command `{}` runs: "
                                "it names no `.py` file and no `-m module`",
                                entry_command));
}

}  // namespace sortie::hydra
