#include "sortie/git/library.hpp"

#include <git2.h>

namespace sortie::git {

Library::Library() {
  git_libgit2_init();
}

Library::~Library() {
  git_libgit2_shutdown();
}

}  // namespace sortie::git
