#include "sortie/jobs/monitor.hpp"

#include <algorithm>

namespace sortie::jobs {

namespace {

constexpr auto kWindow = std::chrono::minutes(1);
constexpr int kMostCallsPerTick = 5;  // Tracker::tick's most

}  // namespace

Pacer::Pacer(PacingOptions options) : m_options(options), m_interval(options.fastest) {}

void Pacer::forget_before(SteadyTime cutoff) const {
  while (!m_calls.empty() && m_calls.front().first <= cutoff) m_calls.pop_front();
}

void Pacer::after_tick(SteadyTime at, int slurm_calls, TickOutcome outcome) {
  m_last_tick = at;
  if (slurm_calls > 0) m_calls.emplace_back(at, slurm_calls);
  switch (outcome) {
    case TickOutcome::changed:
      m_failures = 0;
      m_interval = m_options.fastest;
      break;
    case TickOutcome::quiet:
      m_failures = 0;
      // Grow by half each quiet tick: 3 s, 4.5 s, 6.75 s, ... up to the slowest.
      m_interval = std::min(m_options.slowest, m_interval + m_interval / 2);
      break;
    case TickOutcome::failed: {
      // Double per failure in a row, from twice the fastest up to the longest backoff.
      ++m_failures;
      auto backoff = m_options.fastest * (1 << std::min(m_failures, 10));
      m_interval = std::min(std::max(backoff, m_options.fastest), m_options.longest_backoff);
      break;
    }
  }
}

void Pacer::hurry(SteadyTime now) {
  if (m_failures > 0) return;  // a failing cluster keeps its backoff
  m_interval = m_options.fastest;
  if (m_last_tick && *m_last_tick + m_interval > now) return;
  m_last_tick.reset();
}

int Pacer::budget(SteadyTime now) const {
  forget_before(now - kWindow);
  int used = 0;
  for (const auto& [at, calls] : m_calls) used += calls;
  return std::clamp(m_options.slurm_calls_per_minute - used, 0, kMostCallsPerTick);
}

SteadyTime Pacer::next_tick() const {
  SteadyTime earliest = m_last_tick ? *m_last_tick + m_interval : SteadyTime::min();
  // The cap: wait until enough of the last minute's calls have aged out to leave one call.
  int used = 0;
  for (const auto& [at, calls] : m_calls) used += calls;
  int excess = used - (m_options.slurm_calls_per_minute - 1);
  for (const auto& [at, calls] : m_calls) {
    if (excess <= 0) break;
    earliest = std::max(earliest, at + kWindow);
    excess -= calls;
  }
  return earliest;
}

Monitor::Monitor(store::Store& store, std::vector<config::Cluster> clusters, RemoteFor remote_for,
                 MonitorOptions options)
    : m_store(store),
      m_remote_for(std::move(remote_for)),
      m_options(std::move(options)),
      m_tracker(store, m_options.tracking) {
  for (auto& cluster : clusters) {
    m_watched.push_back(Watched{std::move(cluster), Pacer(m_options.pacing), std::nullopt});
  }
}

Monitor::~Monitor() {
  stop();
}

void Monitor::start() {
  if (m_thread.joinable()) return;
  m_thread = std::jthread([this](std::stop_token stop) { run(stop); });
}

void Monitor::stop() {
  if (!m_thread.joinable()) return;
  m_thread.request_stop();
  m_wake.notify_all();
  m_thread.join();
}

void Monitor::hurry(const std::string& cluster) {
  {
    std::lock_guard lock(m_mutex);
    for (auto& watched : m_watched) {
      if (watched.cluster.name == cluster) watched.pacer.hurry(std::chrono::steady_clock::now());
    }
    m_hurried = true;
  }
  m_wake.notify_all();
}

void Monitor::look_for_new_jobs(SteadyTime now) {
  for (auto& watched : m_watched) {
    store::JobFilter filter;
    filter.cluster = store::ClusterName{watched.cluster.name};
    auto newest = m_store.list_jobs(filter, store::PageRequest{1, std::nullopt});
    if (!newest || newest->jobs.empty()) continue;
    const std::int64_t id = newest->jobs.front().id.value;
    // The first look only learns where the store stands; the first tick runs at once anyway.
    if (watched.newest_job && id > *watched.newest_job) {
      std::lock_guard lock(m_mutex);
      watched.pacer.hurry(now);
    }
    watched.newest_job = id;
  }
}

void Monitor::run(std::stop_token stop) {
  auto next_store_poll = std::chrono::steady_clock::now();
  while (!stop.stop_requested()) {
    auto now = std::chrono::steady_clock::now();
    // Jobs submitted by other processes (the CLI) show up in the store only.
    if (now >= next_store_poll) {
      look_for_new_jobs(now);
      next_store_poll = now + m_options.store_poll;
    }
    for (auto& watched : m_watched) {
      int budget = 0;
      {
        std::lock_guard lock(m_mutex);
        if (watched.pacer.next_tick() > now) continue;
        budget = watched.pacer.budget(now);
      }
      if (budget == 0) continue;
      auto report = m_tracker.tick(watched.cluster, m_remote_for(watched.cluster), budget);
      const auto ended = std::chrono::steady_clock::now();
      TickOutcome outcome = !report ? TickOutcome::failed
                            : report->state_changes + report->reconciled + report->failed > 0
                                ? TickOutcome::changed
                                : TickOutcome::quiet;
      {
        std::lock_guard lock(m_mutex);
        // Calls count when they were made; a failed exchange may still have reached SLURM.
        watched.pacer.after_tick(now, report ? report->slurm_calls : budget, outcome);
      }
      if (m_options.on_tick) m_options.on_tick(watched.cluster.name, report);
      if (stop.stop_requested()) return;
      now = ended;
    }
    // Sleep until the earliest next tick or store poll, or until hurried or stopped.
    SteadyTime wake_at = next_store_poll;
    {
      std::lock_guard lock(m_mutex);
      for (const auto& watched : m_watched) wake_at = std::min(wake_at, watched.pacer.next_tick());
    }
    std::unique_lock lock(m_mutex);
    m_wake.wait_until(lock, stop, std::max(wake_at, std::chrono::steady_clock::now()),
                      [this] { return m_hurried; });
    m_hurried = false;
  }
}

}  // namespace sortie::jobs
