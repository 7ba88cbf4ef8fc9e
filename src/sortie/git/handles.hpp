#pragma once

// RAII owners for libgit2 handles and the libgit2 error helper. Internal to git/: only this
// folder includes libgit2.

#include <fmt/format.h>
#include <git2.h>

#include <memory>
#include <string>
#include <string_view>

#include "sortie/core/error.hpp"

namespace sortie::git {

struct RepositoryDeleter {
  void operator()(git_repository* repository) const { git_repository_free(repository); }
};
using RepositoryPtr = std::unique_ptr<git_repository, RepositoryDeleter>;

struct ReferenceDeleter {
  void operator()(git_reference* reference) const { git_reference_free(reference); }
};
using ReferencePtr = std::unique_ptr<git_reference, ReferenceDeleter>;

struct ReferenceIteratorDeleter {
  void operator()(git_reference_iterator* iterator) const { git_reference_iterator_free(iterator); }
};
using ReferenceIteratorPtr = std::unique_ptr<git_reference_iterator, ReferenceIteratorDeleter>;

struct ObjectDeleter {
  void operator()(git_object* object) const { git_object_free(object); }
};
using ObjectPtr = std::unique_ptr<git_object, ObjectDeleter>;

struct CommitDeleter {
  void operator()(git_commit* commit) const { git_commit_free(commit); }
};
using CommitPtr = std::unique_ptr<git_commit, CommitDeleter>;

struct TreeDeleter {
  void operator()(git_tree* tree) const { git_tree_free(tree); }
};
using TreePtr = std::unique_ptr<git_tree, TreeDeleter>;

struct IndexDeleter {
  void operator()(git_index* index) const { git_index_free(index); }
};
using IndexPtr = std::unique_ptr<git_index, IndexDeleter>;

struct StatusListDeleter {
  void operator()(git_status_list* list) const { git_status_list_free(list); }
};
using StatusListPtr = std::unique_ptr<git_status_list, StatusListDeleter>;

struct RemoteDeleter {
  void operator()(git_remote* remote) const { git_remote_free(remote); }
};
using RemotePtr = std::unique_ptr<git_remote, RemoteDeleter>;

// Owns the strings of a git_strarray that libgit2 filled in.
class StrArray {
 public:
  StrArray() = default;
  ~StrArray() { git_strarray_dispose(&m_array); }
  StrArray(const StrArray&) = delete;
  StrArray& operator=(const StrArray&) = delete;

  git_strarray* get() { return &m_array; }
  const git_strarray& operator*() const { return m_array; }

 private:
  git_strarray m_array{nullptr, 0};
};

// Owns the memory of a git_buf that libgit2 filled in.
class Buffer {
 public:
  Buffer() = default;
  ~Buffer() { git_buf_dispose(&m_buffer); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  git_buf* get() { return &m_buffer; }
  std::string_view view() const { return {m_buffer.ptr, m_buffer.size}; }

 private:
  git_buf m_buffer = GIT_BUF_INIT;
};

// libgit2's description of its last failure on this thread, or a fallback when it has none.
inline std::string last_git_error() {
  const git_error* error = git_error_last();
  if (error == nullptr || error->message == nullptr) return "unknown libgit2 error";
  return error->message;
}

// An Error of `code` whose message is `what` followed by libgit2's explanation.
inline std::unexpected<core::Error> git_failure(core::ErrorCode code, std::string_view what) {
  return core::fail(code, fmt::format("{}: {}", what, last_git_error()));
}

}  // namespace sortie::git
