#pragma once

// Ctrl-C for long-running commands (`logs --follow`): turned into a stop request that the
// command's loop checks, so it ends cleanly instead of dying mid-write.

#include <signal.h>

#include <stop_token>
#include <thread>

namespace sortie::cli {

// While it lives, SIGINT and SIGTERM do not kill the process: a watcher thread takes them and
// requests stop on token(). Make it before any other thread starts (threads inherit the blocked
// signals). The destructor stops the watcher and restores the signal mask.
class InterruptWatch {
 public:
  InterruptWatch();
  ~InterruptWatch();
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  std::stop_token token() const { return m_source.get_token(); }

 private:
  sigset_t m_signals;
  sigset_t m_previous;
  std::stop_source m_source;
  std::jthread m_watcher;  // last: stopped and joined first
};

}  // namespace sortie::cli
