#include "sortie/cli/interrupt.hpp"

#include <pthread.h>
#include <time.h>

namespace sortie::cli {

InterruptWatch::InterruptWatch() {
  sigemptyset(&m_signals);
  sigaddset(&m_signals, SIGINT);
  sigaddset(&m_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &m_signals, &m_previous);
  m_watcher = std::jthread([this](std::stop_token stop) {
    // Wakes every 200 ms to notice that the watch itself ends.
    const timespec period{0, 200'000'000};
    while (!stop.stop_requested()) {
      if (sigtimedwait(&m_signals, nullptr, &period) > 0) {
        m_source.request_stop();
        return;
      }
    }
  });
}

InterruptWatch::~InterruptWatch() {
  m_watcher.request_stop();
  if (m_watcher.joinable()) m_watcher.join();
  pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
}

}  // namespace sortie::cli
