#pragma once

namespace sortie::git {

// Keeps libgit2's process-wide state initialised while it exists. libgit2 counts init/shutdown
// pairs and guards them with its own lock, so instances may nest and live on any thread. Every
// function in git/ holds one for the duration of its call, so callers need not; a caller that
// makes many calls may keep one alive (e.g. in main) so that libgit2 is set up only once.
class Library {
 public:
  Library();
  ~Library();
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;
};

}  // namespace sortie::git
