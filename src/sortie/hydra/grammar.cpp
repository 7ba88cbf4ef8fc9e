#include "sortie/hydra/grammar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <optional>

#include "sortie/hydra/functions.hpp"
#include "sortie/hydra/render.hpp"

namespace sortie::hydra {
namespace {

// The lexer's token types, named as in OverrideLexer.g4 (error messages use these names).
enum class TokenType {
  eof,
  equal,
  tilde,
  plus,
  at,
  colon,
  slash,
  id,
  key_special,
  dot_path,
  popen,
  comma,
  pclose,
  bracket_open,
  bracket_close,
  brace_open,
  brace_close,
  float_number,
  int_number,
  boolean,
  null,
  unquoted_char,
  esc,
  whitespace,
  quoted_value,
  interpolation,
};

struct Token {
  TokenType type;
  std::size_t begin;
  std::size_t end;
};

// A failure with the 0-based offset where it was found.
struct SyntaxError {
  std::string reason;
  std::size_t position;
};

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_blank(char c) {
  return c == ' ' || c == '\t';
}

bool equals_ignoring_case(std::string_view text, std::string_view lower_word) {
  if (text.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_word[i]) return false;
  }
  return true;
}

// A long text is shown by its start only, so that an error about a huge value stays short.
std::string shortened(std::string_view text) {
  constexpr std::size_t k_shown = 200;
  if (text.size() <= k_shown) return std::string(text);
  return fmt::format("{}... ({} characters)", text.substr(0, k_shown), text.size());
}

// The characters of the input, with '\0' past the end so look-ahead needs no bounds checks.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : m_text(text) {}
  char at(std::size_t index) const { return index < m_text.size() ? m_text[index] : '\0'; }
  std::size_t size() const { return m_text.size(); }
  std::string_view slice(std::size_t begin, std::size_t end) const {
    return m_text.substr(begin, end - begin);
  }

 private:
  std::string_view m_text;
};

// fragment INT_UNSIGNED: '0' | [1-9] (('_')? DIGIT)*
std::size_t match_int_unsigned(const Scanner& s, std::size_t p) {
  if (s.at(p) == '0') return 1;
  if (s.at(p) < '1' || s.at(p) > '9') return 0;
  std::size_t q = p + 1;
  while (true) {
    if (is_digit(s.at(q))) {
      ++q;
    } else if (s.at(q) == '_' && is_digit(s.at(q + 1))) {
      q += 2;
    } else {
      break;
    }
  }
  return q - p;
}

// DIGIT (('_')? DIGIT)*
std::size_t match_digits(const Scanner& s, std::size_t p) {
  if (!is_digit(s.at(p))) return 0;
  std::size_t q = p + 1;
  while (true) {
    if (is_digit(s.at(q))) {
      ++q;
    } else if (s.at(q) == '_' && is_digit(s.at(q + 1))) {
      q += 2;
    } else {
      break;
    }
  }
  return q - p;
}

// The longest FLOAT or INT starting at p (length 0 when neither matches).
std::pair<std::size_t, TokenType> match_number(const Scanner& s, std::size_t p) {
  std::size_t q = p;
  if (s.at(q) == '+' || s.at(q) == '-') ++q;
  std::pair<std::size_t, TokenType> best{0, TokenType::int_number};
  auto offer = [&](std::size_t end, TokenType type) {
    if (end - p > best.first) best = {end - p, type};
  };
  auto word = s.slice(q, std::min(q + 3, s.size()));
  if (equals_ignoring_case(word, "inf") || equals_ignoring_case(word, "nan"))
    offer(q + 3, TokenType::float_number);
  const std::size_t integer = match_int_unsigned(s, q);
  if (integer > 0) offer(q + integer, TokenType::int_number);
  std::size_t mantissa_end = integer > 0 ? q + integer : 0;
  if (integer > 0 && s.at(q + integer) == '.') {
    mantissa_end = q + integer + 1 + match_digits(s, q + integer + 1);
    offer(mantissa_end, TokenType::float_number);
  } else if (integer == 0 && s.at(q) == '.') {
    if (std::size_t fraction = match_digits(s, q + 1); fraction > 0) {
      mantissa_end = q + 1 + fraction;
      offer(mantissa_end, TokenType::float_number);
    }
  }
  if (mantissa_end > 0 && (s.at(mantissa_end) == 'e' || s.at(mantissa_end) == 'E')) {
    std::size_t e = mantissa_end + 1;
    if (s.at(e) == '+' || s.at(e) == '-') ++e;
    if (std::size_t exponent = match_digits(s, e); exponent > 0)
      offer(e + exponent, TokenType::float_number);
  }
  return best;
}

bool is_unquoted_char(char c) {
  switch (c) {
    case '/':
    case '-':
    case '\\':
    case '+':
    case '.':
    case '$':
    case '%':
    case '*':
    case '@':
    case '?':
    case '|':
      return true;
    default:
      return false;
  }
}

std::size_t skip_blanks(const Scanner& s, std::size_t p) {
  while (is_blank(s.at(p))) ++p;
  return p;
}

// A key segment: KEY_SPECIAL (letters, digits, `_`, `-`, `$`, not starting with a digit or
// `-`) or INT_UNSIGNED.
std::size_t match_key_segment(const Scanner& s, std::size_t p) {
  const char c = s.at(p);
  if (is_letter(c) || c == '_' || c == '$') {
    std::size_t q = p + 1;
    while (is_letter(s.at(q)) || is_digit(s.at(q)) || s.at(q) == '_' || s.at(q) == '-' ||
           s.at(q) == '$')
      ++q;
    return q - p;
  }
  return match_int_unsigned(s, p);
}

std::unexpected<SyntaxError> recognition_error(const Scanner& s, std::size_t p, std::size_t end) {
  return std::unexpected(
      SyntaxError{fmt::format("token recognition error at: '{}'", s.slice(p, end)), p});
}

// The key part, before the first `=`: DEFAULT_MODE of OverrideLexer.g4.
std::expected<Token, SyntaxError> next_key_token(const Scanner& s, std::size_t p) {
  switch (s.at(p)) {
    case '=':
      return Token{TokenType::equal, p, skip_blanks(s, p + 1)};
    case '~':
      return Token{TokenType::tilde, p, p + 1};
    case '+':
      return Token{TokenType::plus, p, p + 1};
    case '@':
      return Token{TokenType::at, p, p + 1};
    case ':':
      return Token{TokenType::colon, p, p + 1};
    case '/':
      return Token{TokenType::slash, p, p + 1};
    default:
      break;
  }
  const std::size_t first = match_key_segment(s, p);
  if (first == 0) return recognition_error(s, p, p + 1);
  std::size_t end = p + first;
  bool dotted = false;
  while (s.at(end) == '.') {
    const std::size_t next = match_key_segment(s, end + 1);
    if (next == 0) break;
    end += 1 + next;
    dotted = true;
  }
  if (dotted) return Token{TokenType::dot_path, p, end};
  if (is_digit(s.at(p))) return recognition_error(s, p, end);
  const auto text = s.slice(p, end);
  const bool plain_id = text.find('$') == std::string_view::npos;
  return Token{plain_id ? TokenType::id : TokenType::key_special, p, end};
}

// A quoted value ends at the first matching quote preceded by an even number of backslashes.
std::optional<std::size_t> quoted_value_end(const Scanner& s, std::size_t p) {
  const char quote = s.at(p);
  std::size_t backslashes = 0;
  for (std::size_t q = p + 1; q < s.size(); ++q) {
    const char c = s.at(q);
    if (c == quote && backslashes % 2 == 0) return q + 1;
    backslashes = c == '\\' ? backslashes + 1 : 0;
  }
  return std::nullopt;
}

// The value part: VALUE_MODE of OverrideLexer.g4, longest match first, rule order on ties.
std::expected<Token, SyntaxError> next_value_token(const Scanner& s, std::size_t p) {
  const char c = s.at(p);
  if (is_blank(c)) {
    const std::size_t after = skip_blanks(s, p);
    switch (s.at(after)) {
      case '(':
        return Token{TokenType::popen, p, skip_blanks(s, after + 1)};
      case ',':
        return Token{TokenType::comma, p, skip_blanks(s, after + 1)};
      case ':':
        return Token{TokenType::colon, p, skip_blanks(s, after + 1)};
      case '=':
        return Token{TokenType::equal, p, skip_blanks(s, after + 1)};
      case ')':
        return Token{TokenType::pclose, p, after + 1};
      case ']':
        return Token{TokenType::bracket_close, p, after + 1};
      case '}':
        return Token{TokenType::brace_close, p, after + 1};
      default:
        return Token{TokenType::whitespace, p, after};
    }
  }
  switch (c) {
    case '(':
      return Token{TokenType::popen, p, skip_blanks(s, p + 1)};
    case ',':
      return Token{TokenType::comma, p, skip_blanks(s, p + 1)};
    case ':':
      return Token{TokenType::colon, p, skip_blanks(s, p + 1)};
    case '=':
      return Token{TokenType::equal, p, skip_blanks(s, p + 1)};
    case '[':
      return Token{TokenType::bracket_open, p, skip_blanks(s, p + 1)};
    case '{':
      return Token{TokenType::brace_open, p, skip_blanks(s, p + 1)};
    case ')':
      return Token{TokenType::pclose, p, p + 1};
    case ']':
      return Token{TokenType::bracket_close, p, p + 1};
    case '}':
      return Token{TokenType::brace_close, p, p + 1};
    case '\'':
    case '"': {
      if (auto end = quoted_value_end(s, p)) return Token{TokenType::quoted_value, p, *end};
      return recognition_error(s, p, s.size());
    }
    case '$': {
      if (s.at(p + 1) == '{' && s.at(p + 2) != '}' && p + 2 < s.size()) {
        for (std::size_t q = p + 2; q < s.size(); ++q)
          if (s.at(q) == '}') return Token{TokenType::interpolation, p, q + 1};
      }
      return Token{TokenType::unquoted_char, p, p + 1};
    }
    case '\\': {
      std::size_t q = p;
      while (s.at(q) == '\\' && is_special_character(s.at(q + 1))) q += 2;
      if (q > p) return Token{TokenType::esc, p, q};
      return Token{TokenType::unquoted_char, p, p + 1};
    }
    default:
      break;
  }
  if (is_letter(c) || c == '_') {
    std::size_t q = p + 1;
    while (is_letter(s.at(q)) || is_digit(s.at(q)) || s.at(q) == '_' || s.at(q) == '-') ++q;
    const auto word = s.slice(p, q);
    if (equals_ignoring_case(word, "inf") || equals_ignoring_case(word, "nan"))
      return Token{TokenType::float_number, p, q};
    if (equals_ignoring_case(word, "true") || equals_ignoring_case(word, "false"))
      return Token{TokenType::boolean, p, q};
    if (equals_ignoring_case(word, "null")) return Token{TokenType::null, p, q};
    return Token{TokenType::id, p, q};
  }
  if (is_digit(c) || c == '.' || c == '+' || c == '-') {
    if (auto [length, type] = match_number(s, p); length > 0) return Token{type, p, p + length};
  }
  if (is_unquoted_char(c)) return Token{TokenType::unquoted_char, p, p + 1};
  return recognition_error(s, p, p + 1);
}

enum class StartMode { key, value };

std::expected<std::vector<Token>, SyntaxError> tokenize(std::string_view text, StartMode mode) {
  const Scanner s(text);
  std::vector<Token> tokens;
  bool in_value = mode == StartMode::value;
  std::size_t p = 0;
  while (p < s.size()) {
    auto token = in_value ? next_value_token(s, p) : next_key_token(s, p);
    if (!token) return std::unexpected(token.error());
    if (token->type == TokenType::equal) in_value = true;
    tokens.push_back(*token);
    p = token->end;
  }
  tokens.push_back(Token{TokenType::eof, s.size(), s.size()});
  return tokens;
}

// `'a\'b'` -> `a'b`: backslashes are only special before a quote of the same kind
// (Hydra's _unescape_quoted_string).
std::string unquote(std::string_view token) {
  const char quote = token.front();
  const std::string_view body = token.substr(1, token.size() - 2);
  std::string text;
  text.reserve(body.size());
  std::size_t i = 0;
  while (i < body.size()) {
    if (body[i] != '\\') {
      text.push_back(body[i++]);
      continue;
    }
    std::size_t run = i;
    while (run < body.size() && body[run] == '\\') ++run;
    const std::size_t count = run - i;
    const bool before_quote = run < body.size() && body[run] == quote;
    const bool before_end = run == body.size();
    if (before_quote) {
      text.append(count / 2, '\\');
      text.push_back(quote);
      i = run + 1;
    } else if (before_end) {
      text.append(count / 2, '\\');
      i = run;
    } else {
      text.append(count, '\\');
      i = run;
    }
  }
  return text;
}

// Python's int() of an INT token, `_` separators allowed.
std::optional<std::int64_t> to_int(std::string_view token) {
  std::string digits;
  for (char c : token)
    if (c != '_' && c != '+') digits.push_back(c);
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

double to_double(std::string_view token) {
  std::string digits;
  for (char c : token)
    if (c != '_') digits.push_back(c);
  return std::strtod(digits.c_str(), nullptr);
}

// Recursive descent over the tokens, one method per rule of OverrideParser.g4.
class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens, const ParseOptions& options)
      : m_text(text), m_tokens(std::move(tokens)), m_options(options) {}

  std::expected<Override, SyntaxError> parse_override() {
    Override result;
    result.input = std::string(m_text);
    if (peek().type == TokenType::tilde) {
      result.kind = OverrideKind::del;
      ++m_index;
    } else if (peek().type == TokenType::plus) {
      result.kind = OverrideKind::add;
      ++m_index;
      if (peek().type == TokenType::plus) {
        result.kind = OverrideKind::force_add;
        ++m_index;
      }
    }
    if (auto key = parse_key(result); !key) return std::unexpected(key.error());
    const Token& next = peek();
    if (next.type == TokenType::eof && result.kind == OverrideKind::del) return result;
    if (next.type != TokenType::equal) {
      // ANTLR inserts the missing `=` when what follows could start a value.
      const bool could_start_value = next.type == TokenType::eof || next.type == TokenType::colon ||
                                     next.type == TokenType::id;
      return fail(next, could_start_value
                            ? fmt::format("missing EQUAL at {}", display(next))
                            : fmt::format("mismatched input {} expecting EQUAL", display(next)));
    }
    ++m_index;
    auto value = parse_top_value();
    if (!value) return std::unexpected(value.error());
    result.value = std::move(*value);
    return result;
  }

  std::expected<OverrideValue, SyntaxError> parse_top_value() {
    m_value_start = peek().begin;
    if (peek().type == TokenType::eof) return OverrideValue{Value{std::string()}};
    const Token first_token = peek();
    auto first = parse_element();
    if (!first) return first;
    if (peek().type != TokenType::comma) return expect_end(std::move(*first));
    ChoiceSweep sweep;
    sweep.simple_form = true;
    auto add = [&](OverrideValue&& element, const Token& at) -> std::optional<SyntaxError> {
      auto* value = std::get_if<Value>(&element);
      if (value == nullptr)
        return SyntaxError{
            "a sweep cannot be an element of a comma-separated sweep (nesting "
            "sweeps is not supported)",
            at.begin};
      sweep.choices.push_back(std::move(*value));
      return std::nullopt;
    };
    if (auto error = add(std::move(*first), first_token)) return std::unexpected(*error);
    while (peek().type == TokenType::comma) {
      ++m_index;
      const Token at = peek();
      auto element = parse_element();
      if (!element) return element;
      if (auto error = add(std::move(*element), at)) return std::unexpected(*error);
    }
    return expect_end(OverrideValue{std::move(sweep)});
  }

 private:
  const Token& peek(std::size_t ahead = 0) const {
    return m_tokens[std::min(m_index + ahead, m_tokens.size() - 1)];
  }
  std::string_view text_of(const Token& token) const {
    return m_text.substr(token.begin, token.end - token.begin);
  }
  std::string display(const Token& token) const {
    if (token.type == TokenType::eof) return "'<EOF>'";
    return fmt::format("'{}'", text_of(token));
  }
  static std::unexpected<SyntaxError> fail(const Token& at, std::string reason) {
    return std::unexpected(SyntaxError{std::move(reason), at.begin});
  }
  // What ANTLR reports when no rule can continue: the value so far, through the offending token.
  std::unexpected<SyntaxError> no_viable_alternative(const Token& at) const {
    const std::size_t end = at.type == TokenType::eof ? m_text.size() : at.end;
    constexpr std::size_t k_shown = 200;
    const std::size_t begin = end - m_value_start > k_shown ? end - k_shown : m_value_start;
    return fail(at, fmt::format("no viable alternative at input '{}{}'",
                                begin > m_value_start ? "..." : "",
                                m_text.substr(begin, end - begin)));
  }

  std::expected<OverrideValue, SyntaxError> expect_end(OverrideValue value) {
    const Token& next = peek();
    if (next.type == TokenType::eof) return value;
    // ANTLR drops a single unwanted token when what follows could still be matched.
    const bool single = peek(1).type == TokenType::eof || is_primitive_token(peek(1).type, false);
    return fail(next, fmt::format("{} input {} expecting <EOF>",
                                  single ? "extraneous" : "mismatched", display(next)));
  }

  // key: packageOrGroup (AT package)?   packageOrGroup: package | ID (SLASH ID)+
  // package: ( | ID | KEY_SPECIAL | DOT_PATH)
  std::expected<void, SyntaxError> parse_key(Override& result) {
    auto is_package = [](TokenType type) {
      return type == TokenType::id || type == TokenType::key_special || type == TokenType::dot_path;
    };
    if (peek().type == TokenType::id && peek(1).type == TokenType::slash) {
      result.key = std::string(text_of(peek()));
      ++m_index;
      while (peek().type == TokenType::slash) {
        ++m_index;
        if (peek().type != TokenType::id)
          return fail(peek(), fmt::format("mismatched input {} expecting ID", display(peek())));
        result.key += '/';
        result.key += text_of(peek());
        ++m_index;
      }
    } else if (is_package(peek().type)) {
      result.key = std::string(text_of(peek()));
      ++m_index;
    }
    if (peek().type == TokenType::at) {
      ++m_index;
      result.package = std::string();
      if (is_package(peek().type)) {
        *result.package = std::string(text_of(peek()));
        ++m_index;
      }
    }
    return {};
  }

  // element: primitive | listContainer | dictContainer | function
  std::expected<OverrideValue, SyntaxError> parse_element() {
    const Token& token = peek();
    switch (token.type) {
      case TokenType::bracket_open:
        return nested(token, [this] { return parse_list(); });
      case TokenType::brace_open:
        return nested(token, [this] { return parse_dict(); });
      case TokenType::quoted_value:
        ++m_index;
        return OverrideValue{Value{unquote(text_of(token))}};
      case TokenType::id:
        if (peek(1).type == TokenType::popen)
          return nested(token, [this] { return parse_function(); });
        return parse_primitive();
      default:
        return parse_primitive();
    }
  }

  // Parses one container or call one level deeper, refusing to go past k_max_nesting_depth so
  // that no input, however deep, can exhaust the stack.
  template <class ParseContainer>
  std::expected<OverrideValue, SyntaxError> nested(const Token& opening, ParseContainer parse) {
    if (m_depth == k_max_nesting_depth)
      return fail(opening,
                  fmt::format("the value nests lists, dicts and function calls more than {} deep "
                              "(sortie's limit; Hydra has none): flatten it",
                              k_max_nesting_depth));
    ++m_depth;
    auto result = parse();
    --m_depth;
    return result;
  }

  static bool is_primitive_token(TokenType type, bool dict_key) {
    switch (type) {
      case TokenType::id:
      case TokenType::null:
      case TokenType::int_number:
      case TokenType::float_number:
      case TokenType::boolean:
      case TokenType::unquoted_char:
      case TokenType::esc:
      case TokenType::whitespace:
        return true;
      case TokenType::colon:
      case TokenType::interpolation:
        return !dict_key;
      default:
        return false;
    }
  }

  // The text of a run of primitive tokens, escapes undone; typed when it is a single token.
  std::expected<Value, SyntaxError> primitive_value(std::size_t first, std::size_t last) {
    std::size_t begin = first;
    std::size_t end = last;
    if (m_tokens[begin].type == TokenType::whitespace) {
      if (end - begin == 1)
        return std::unexpected(SyntaxError{"Trying to parse a primitive that is all whitespaces",
                                           m_tokens[begin].begin});
      ++begin;
    }
    if (m_tokens[end - 1].type == TokenType::whitespace) --end;
    auto unescape = [](std::string_view text) {
      std::string out;
      for (std::size_t i = 1; i < text.size(); i += 2) out.push_back(text[i]);
      return out;
    };
    if (end - begin > 1) {
      std::string text;
      for (std::size_t i = begin; i < end; ++i) {
        const auto piece = text_of(m_tokens[i]);
        if (m_tokens[i].type == TokenType::esc)
          text += unescape(piece);
        else
          text += piece;
      }
      return Value{std::move(text)};
    }
    const Token& token = m_tokens[begin];
    const auto text = text_of(token);
    switch (token.type) {
      case TokenType::int_number: {
        auto number = to_int(text);
        if (!number)
          return std::unexpected(SyntaxError{
              fmt::format("integer {} does not fit in 64 bits (quote it to keep it as a string)",
                          text),
              token.begin});
        return Value{*number};
      }
      case TokenType::float_number:
        return Value{to_double(text)};
      case TokenType::null:
        return Value{nullptr};
      case TokenType::boolean:
        return Value{equals_ignoring_case(text, "true")};
      case TokenType::esc:
        return Value{unescape(text)};
      default:
        return Value{std::string(text)};
    }
  }

  std::expected<OverrideValue, SyntaxError> parse_primitive() {
    const std::size_t first = m_index;
    while (is_primitive_token(peek().type, false)) ++m_index;
    if (m_index == first) return no_viable_alternative(peek());
    auto value = primitive_value(first, m_index);
    if (!value) return std::unexpected(value.error());
    return OverrideValue{std::move(*value)};
  }

  std::expected<Value, SyntaxError> parse_nested_value() {
    const Token& at = peek();
    auto element = parse_element();
    if (!element) return std::unexpected(element.error());
    if (auto* value = std::get_if<Value>(&*element)) return std::move(*value);
    return std::unexpected(
        SyntaxError{"a sweep cannot be nested in a list or a dict; sweep over whole lists "
                    "instead (key=[a,b],[c,d])",
                    at.begin});
  }

  // listContainer: BRACKET_OPEN (element (COMMA element)*)? BRACKET_CLOSE
  std::expected<OverrideValue, SyntaxError> parse_list() {
    ++m_index;
    ListValue list;
    if (peek().type == TokenType::bracket_close) {
      ++m_index;
      return OverrideValue{Value{std::move(list)}};
    }
    while (true) {
      auto item = parse_nested_value();
      if (!item) return std::unexpected(item.error());
      list.items.push_back(std::move(*item));
      if (peek().type == TokenType::comma) {
        ++m_index;
        continue;
      }
      if (peek().type == TokenType::bracket_close) {
        ++m_index;
        return OverrideValue{Value{std::move(list)}};
      }
      return no_viable_alternative(peek());
    }
  }

  // dictContainer: BRACE_OPEN (dictKeyValuePair (COMMA dictKeyValuePair)*)? BRACE_CLOSE
  std::expected<OverrideValue, SyntaxError> parse_dict() {
    ++m_index;
    DictValue dict;
    if (peek().type == TokenType::brace_close) {
      ++m_index;
      return OverrideValue{Value{std::move(dict)}};
    }
    while (true) {
      const std::size_t first = m_index;
      while (is_primitive_token(peek().type, true)) ++m_index;
      if (m_index == first || peek().type != TokenType::colon) return no_viable_alternative(peek());
      auto key = primitive_value(first, m_index);
      if (!key) return std::unexpected(key.error());
      ++m_index;
      auto item = parse_nested_value();
      if (!item) return std::unexpected(item.error());
      std::string key_text = key_text_of(*key, first);
      auto existing = std::find_if(dict.entries.begin(), dict.entries.end(),
                                   [&](const auto& entry) { return entry.first == key_text; });
      if (existing != dict.entries.end())
        existing->second = std::move(*item);
      else
        dict.entries.emplace_back(std::move(key_text), std::move(*item));
      if (peek().type == TokenType::comma) {
        ++m_index;
        continue;
      }
      if (peek().type == TokenType::brace_close) {
        ++m_index;
        return OverrideValue{Value{std::move(dict)}};
      }
      return no_viable_alternative(peek());
    }
  }

  // Dict keys are kept as the text written (escapes undone): `{1:a}` has the key "1".
  std::string key_text_of(const Value& key, std::size_t first) const {
    if (auto* text = std::get_if<std::string>(&key.data)) return *text;
    std::size_t begin = first;
    if (m_tokens[begin].type == TokenType::whitespace) ++begin;
    return std::string(text_of(m_tokens[begin]));
  }

  // function: ID POPEN (argName? element (COMMA argName? element)*)? PCLOSE
  std::expected<OverrideValue, SyntaxError> parse_function() {
    const Token& name = peek();
    m_index += 2;
    FunctionCall call;
    call.name = std::string(text_of(name));
    if (peek().type != TokenType::pclose) {
      while (true) {
        std::optional<std::string> argument_name;
        if (peek().type == TokenType::id && peek(1).type == TokenType::equal) {
          argument_name = std::string(text_of(peek()));
          m_index += 2;
        } else if (!call.named_arguments.empty()) {
          return fail(peek(), "positional argument follows keyword argument");
        }
        auto argument = parse_element();
        if (!argument) return argument;
        if (argument_name) {
          auto existing =
              std::find_if(call.named_arguments.begin(), call.named_arguments.end(),
                           [&](const auto& named) { return named.first == *argument_name; });
          if (existing != call.named_arguments.end())
            existing->second = std::move(*argument);
          else
            call.named_arguments.emplace_back(*argument_name, std::move(*argument));
        } else {
          call.arguments.push_back(std::move(*argument));
        }
        if (peek().type == TokenType::comma) {
          ++m_index;
          continue;
        }
        if (peek().type == TokenType::pclose) break;
        return no_viable_alternative(peek());
      }
    }
    const Token& close = peek();
    ++m_index;
    auto result = evaluate(call, m_options.shuffle_seed);
    if (!result)
      return fail(name, fmt::format("{} while evaluating '{}': {}", result.error().type,
                                    shortened(m_text.substr(name.begin, close.end - name.begin)),
                                    result.error().message));
    return std::move(*result);
  }

  std::string_view m_text;
  std::vector<Token> m_tokens;
  const ParseOptions& m_options;
  std::size_t m_index = 0;
  std::size_t m_value_start = 0;
  std::size_t m_depth = 0;
};

// A long input is shown by its start only, so that an error about a huge value stays short.

core::Error to_error(std::string_view input, const SyntaxError& error) {
  return core::Error{core::ErrorCode::invalid_argument,
                     fmt::format("Error parsing override '{}': {} (column {}). See "
                                 "https://hydra.cc/docs/1.3/advanced/override_grammar/basic/",
                                 shortened(input), error.reason, error.position + 1)};
}

}  // namespace

core::Result<Override> parse_override(std::string_view input, const ParseOptions& options) {
  auto tokens = tokenize(input, StartMode::key);
  if (!tokens) return std::unexpected(to_error(input, tokens.error()));
  Parser parser(input, std::move(*tokens), options);
  auto parsed = parser.parse_override();
  if (!parsed) return std::unexpected(to_error(input, parsed.error()));
  return std::move(*parsed);
}

core::Result<std::vector<Override>> parse_overrides(const std::vector<std::string>& inputs,
                                                    const ParseOptions& options) {
  std::vector<Override> overrides;
  overrides.reserve(inputs.size());
  for (const auto& input : inputs) {
    auto parsed = parse_override(input, options);
    if (!parsed) return std::unexpected(parsed.error());
    overrides.push_back(std::move(*parsed));
  }
  return overrides;
}

core::Result<OverrideValue> parse_value(std::string_view text, const ParseOptions& options) {
  auto tokens = tokenize(text, StartMode::value);
  if (!tokens) return std::unexpected(to_error(text, tokens.error()));
  Parser parser(text, std::move(*tokens), options);
  auto parsed = parser.parse_top_value();
  if (!parsed) return std::unexpected(to_error(text, parsed.error()));
  return std::move(*parsed);
}

ValueType value_type(const Override& override_value) {
  if (!override_value.value) return ValueType::element;
  return std::visit(
      [](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        if constexpr (std::is_same_v<T, ChoiceSweep>)
          return value.simple_form ? ValueType::simple_choice_sweep : ValueType::choice_sweep;
        else if constexpr (std::is_same_v<T, RangeSweep>)
          return ValueType::range_sweep;
        else if constexpr (std::is_same_v<T, IntervalSweep>)
          return ValueType::interval_sweep;
        else if constexpr (std::is_same_v<T, GlobSweep>)
          return ValueType::glob_sweep;
        else
          return ValueType::element;
      },
      *override_value.value);
}

bool is_sweep(const Override& override_value) {
  return value_type(override_value) != ValueType::element;
}

std::string_view to_string(OverrideKind kind) {
  switch (kind) {
    case OverrideKind::change:
      return "change";
    case OverrideKind::add:
      return "add";
    case OverrideKind::force_add:
      return "force_add";
    case OverrideKind::del:
      return "delete";
  }
  return "change";
}

std::string_view to_string(ValueType type) {
  switch (type) {
    case ValueType::element:
      return "element";
    case ValueType::simple_choice_sweep:
      return "simple_sweep";
    case ValueType::choice_sweep:
      return "choice_sweep";
    case ValueType::range_sweep:
      return "range_sweep";
    case ValueType::interval_sweep:
      return "interval_sweep";
    case ValueType::glob_sweep:
      return "glob_sweep";
  }
  return "element";
}

}  // namespace sortie::hydra
