#pragma once

// The monitor of a long-running sortie (`sortie serve`): it ticks the Tracker for every
// cluster, often right after a submission, less and less often while nothing changes, backing
// off while a cluster fails, and never more than a cap of SLURM calls per minute per cluster,
// whatever the number of jobs.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "sortie/config/clusters.hpp"
#include "sortie/jobs/track.hpp"
#include "sortie/remote/remote.hpp"
#include "sortie/store/store.hpp"

namespace sortie::jobs {

using SteadyTime = std::chrono::steady_clock::time_point;

struct PacingOptions {
  std::chrono::milliseconds fastest{3'000};   // right after a submission or a state change
  std::chrono::milliseconds slowest{60'000};  // the interval grows to this while nothing changes
  std::chrono::milliseconds longest_backoff{300'000};  // after repeated errors
  int slurm_calls_per_minute = 12;                     // the cap, over any 60 s window
};

// What a tick found.
enum class TickOutcome { changed, quiet, failed };

// When the next tick of ONE cluster may run, and how many SLURM calls it may make. Pure: the
// caller passes the time.
class Pacer {
 public:
  explicit Pacer(PacingOptions options = {});

  // Records a tick that ran at `at` and made `slurm_calls` calls.
  void after_tick(SteadyTime at, int slurm_calls, TickOutcome outcome);

  // A job was just submitted (or appeared in the store): tick soon.
  void hurry(SteadyTime now);

  // The earliest time the next tick may run: the interval has passed and the cap leaves room
  // for at least one call.
  SteadyTime next_tick() const;

  // How many SLURM calls a tick at `now` may make without breaking the cap (0 = none).
  int budget(SteadyTime now) const;

  std::chrono::milliseconds interval() const { return m_interval; }

 private:
  void forget_before(SteadyTime cutoff) const;

  PacingOptions m_options;
  std::chrono::milliseconds m_interval;
  std::optional<SteadyTime> m_last_tick;
  int m_failures = 0;
  mutable std::deque<std::pair<SteadyTime, int>> m_calls;  // the last minute's ticks
};

// Where the monitor gets each cluster's Remote (kept open between ticks: a warm session).
using RemoteFor = std::function<remote::Remote&(const config::Cluster&)>;

struct MonitorOptions {
  PacingOptions pacing;
  TrackOptions tracking;
  // How often the store is looked at for jobs submitted by other processes (the CLI).
  std::chrono::milliseconds store_poll{1'000};
  // Called after every tick, e.g. to log it. Runs on the monitor's thread.
  std::function<void(const std::string& cluster, const core::Result<TickReport>& report)> on_tick;
};

// Follows the jobs of `clusters` on one owned thread until stopped; `store` is used by that
// thread only (give it its own Database), `remote_for` is called on it. A new Monitor (a restarted
// sortie) starts with a tick per cluster at once: the Tracker's first tick asks accounting
// about every unfinished job and settles every unsettled submission (reconcile on restart).
class Monitor {
 public:
  Monitor(store::Store& store, std::vector<config::Cluster> clusters, RemoteFor remote_for,
          MonitorOptions options = {});
  ~Monitor();
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;

  void start();
  // Stops the thread after the tick under way, if any. Called by the destructor.
  void stop();
  // A job was submitted to `cluster` by this process: tick it soon.
  void hurry(const std::string& cluster);

 private:
  struct Watched {
    config::Cluster cluster;
    Pacer pacer;
    std::optional<std::int64_t> newest_job;  // the newest job id seen in the store
  };

  void run(std::stop_token stop);
  void look_for_new_jobs(SteadyTime now);

  store::Store& m_store;
  RemoteFor m_remote_for;
  MonitorOptions m_options;
  Tracker m_tracker;
  std::mutex m_mutex;  // guards m_watched's pacers against hurry() from other threads
  std::condition_variable_any m_wake;
  bool m_hurried = false;  // set by hurry(), under m_mutex
  std::vector<Watched> m_watched;
  std::jthread m_thread;
};

}  // namespace sortie::jobs
