#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sortie::remote {

// The one function through which every argument reaches a remote POSIX shell.
//
// Returns `word` written so that a POSIX shell (sh, dash, bash, zsh) reads it back as exactly
// one word with exactly these bytes, with no expansion of any kind. Words made only of
// [A-Za-z0-9_@+:,./-] stay bare (`=` is not in the set: a bare `A=b` first word would be an
// assignment); everything else is wrapped in single quotes with each `'` written as `'\''`;
// the empty string becomes `''`. A leading `-` is kept as is: quoting cannot stop a program
// from reading it as an option, only `--` can.
// A shell word cannot carry a NUL byte: callers must reject such input first (see
// has_nul()); quote() asserts on it.
std::string quote(std::string_view word);

// The words of `argv`, each passed through quote(), separated by single spaces.
std::string join(const std::vector<std::string>& argv);

// True when `word` contains a NUL byte, which no shell command line can carry.
bool has_nul(std::string_view word);

}  // namespace sortie::remote
