#pragma once

// Following sortie's jobs on one cluster to their true end, one exchange per tick: squeue for
// the jobs still in the controller, sacct for the ones that left it, and the lookups by
// submission key that settle submissions whose answer was lost (reconcile).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sortie/config/clusters.hpp"
#include "sortie/core/error.hpp"
#include "sortie/logs/wandb.hpp"
#include "sortie/remote/remote.hpp"
#include "sortie/slurm/jobs.hpp"
#include "sortie/store/store.hpp"

namespace sortie::jobs {

struct TrackOptions {
  std::chrono::milliseconds timeout{60'000};
  // A submission with no SLURM job by its key is declared failed only this long after it was
  // last touched: sbatch has its own retries and timeouts, and must be certainly over.
  std::chrono::seconds submit_grace{120};
  // Log bytes read per job per tick when scanning for W&B links, over both its logs (stdout
  // and stderr take turns chunk by chunk, so neither starves the other).
  std::uint64_t log_read_limit = 4u << 20;
  // Jobs whose logs (both of them) are scanned per tick per cluster; they take turns when more
  // run.
  std::size_t log_scans_per_tick = 16;
  store::Clock clock = store::system_now;  // the time now; a parameter so tests can fix it
};

// What one tick did.
struct TickReport {
  int exchanges = 0;      // Remote::run() calls (0 or 1)
  int slurm_calls = 0;    // SLURM commands in that exchange (at most 5)
  int state_changes = 0;  // events appended by record_state
  int reconciled = 0;     // submitting → submitted
  int failed = 0;         // submitting → submit_failed
  // One message per SLURM job that neither squeue nor sacct (or scontrol) knows (yet).
  std::vector<std::string> unknown;
  // One message per row of SLURM's answer that could not be read: the job (SLURM's id and
  // sortie's, when known), the command, field and value, and the cluster's SLURM version. Each
  // such job was left as it was (unless another command's row said what it is), and carries the
  // message as its reason; a row whose job id is unreadable names no job.
  std::vector<std::string> unreadable;
};

// The slurm job's stdout/stderr path of `job`: the recorded pattern with %j and %A replaced by
// SLURM's id and, for an array task, %a by its index. Empty when the job has no SLURM id or was
// never rendered.
std::string stdout_path(const store::Job& job);
std::string stderr_path(const store::Job& job);

// What SLURM reported about a job, as the store records it.
store::StateUpdate state_update(const slurm::JobInfo& info);

// Tracks the jobs of any number of clusters; remembers between ticks which jobs squeue no longer
// lists (they are asked of sacct). Used by one thread at a time. Keeps each cluster's unfinished
// jobs between ticks and reads them again only when the store may have changed since
// (Store::change_token: a write by any connection, or a state this Tracker recorded), so a
// tick where nothing changed reads no job rows. A new Tracker (a restarted
// sortie) asks sacct about every job once. Both logs of a job are scanned for W&B links (wandb
// prints on stderr; a file named by both --output and --error is read once), and how far each
// was scanned is kept in the store (Store::wandb_scan_offset, per stream): a new Tracker resumes
// each there, at the start of the line the last scan had not finished, never from byte 0.
class Tracker {
 public:
  explicit Tracker(store::Store& store, TrackOptions options = {});

  // One tick for `cluster`: ONE Remote::run() with at most five SLURM calls whatever the number
  // of jobs and array tasks (an array is asked for once, by its id; each task is recorded from
  // its own line `123_4`, tasks not started yet from the range line `123_[4-9%2]`; a task
  // that accounting never recorded while the rest of its array is over was cancelled before
  // it started, and is recorded so): squeue for the submitted unfinished jobs, sacct for those
  // squeue did not list last time (all of them on a Tracker's first tick), scontrol for all jobs
  // when sacct said last time that accounting is off, and squeue+sacct by the names of all jobs
  // still `submitting`; then records every change, settles submissions (found → submitted; not
  // found after the grace period → submit_failed, never a new sbatch), and scans new stdout and
  // stderr bytes of running and just-finished jobs for W&B run links. A row of SLURM's answer
  // that cannot be read marks only its own job (TickReport::unreadable; the job keeps its state,
  // its reason says what could not be read) and stops no other job's update; submissions are
  // not declared failed while a lookup row is unreadable. The first tick for a cluster also asks
  // its SLURM version (`sinfo --version`, not a controller call, not counted), for those
  // messages. Fails when the exchange fails or a command itself failed; nothing is recorded then.
  //
  // `max_slurm_calls` (at least 1) caps the SLURM calls of this tick, so a caller can hold a
  // rate: squeue comes first, then the lookups of unsettled submissions, then sacct, then
  // scontrol; what does not fit waits for a later tick (nothing is lost: jobs squeue did not
  // list stay due for sacct).
  core::Result<TickReport> tick(const config::Cluster& cluster, remote::Remote& remote,
                                int max_slurm_calls = 5);

 private:
  struct LogCursor {
    std::uint64_t offset = 0;    // bytes of the log fed to the scanner
    std::uint64_t recorded = 0;  // the resume offset last written to the store
    logs::WandbScanner scanner;
    std::size_t links_stored = 0;  // scanner.links() already handed to the store
  };
  // A sortie job id and one of its logs.
  using LogKey = std::pair<std::int64_t, store::LogStream>;

  // One cluster's unfinished jobs as last read, and what the tick derives from them alone.
  struct Tracked {
    std::optional<store::ChangeToken> read_at;  // nullopt: must be read again
    std::vector<store::Job> jobs;               // Store::unfinished_jobs()
    std::vector<std::size_t> with_id;           // indices of jobs SLURM has an id for
    std::vector<std::size_t> submitting;        // indices of unsettled submissions
    std::vector<std::string> ids;               // distinct SLURM ids of `with_id` (an array once)
    // SLURM id → index of the first plain job with it.
    std::unordered_map<std::int64_t, std::size_t> by_slurm_id;
    // Array job id → indices of its tracked tasks, by task index.
    std::unordered_map<std::int64_t, std::map<std::int64_t, std::size_t>> by_array;
    std::optional<remote::Command> squeue;  // squeue_jobs(ids), unless `ids` is empty
  };

  // Where a job is in what squeue listed last: its SLURM id and task index (-1: no array).
  using Listed = std::pair<std::int64_t, std::int64_t>;

  // Brings `tracked` up to date with the store when it may have changed since it was read.
  core::Result<void> refresh(const std::string& cluster, Tracked& tracked);
  // Reads new bytes of the job's stdout and stderr logs (within log_read_limit), stores the run
  // links found and each stream's resume offset. Returns the first read or store error; what
  // the other stream read is still recorded then.
  core::Result<void> scan_log(remote::Remote& remote, const store::Job& job);

  store::Store& m_store;
  TrackOptions m_options;
  std::map<std::string, Tracked> m_tracked;  // per cluster
  // Per cluster: the jobs and array tasks seen by the last squeue, sorted.
  std::map<std::string, std::vector<Listed>> m_listed;
  // Reused from tick to tick, so a steady tick allocates little.
  slurm::JobRows m_queued;
  std::vector<std::optional<slurm::JobState>> m_latest;  // per index of Tracked::jobs
  std::vector<char> m_accounted;                         // per index of Tracked::jobs
  std::vector<char> m_listed_now;                        // per index of Tracked::jobs
  // Per index of Tracked::jobs: a row of it could not be read.
  std::vector<char> m_unreadable;
  std::map<LogKey, LogCursor> m_logs;                    // per sortie job id and stream
  std::set<std::string> m_no_accounting;  // clusters whose sacct said accounting is disabled
  std::map<std::string, std::string> m_slurm_versions;  // per cluster, once `sinfo` answered
  std::map<std::string, std::size_t> m_scan_turn;  // per cluster: where the next log scan starts
};

}  // namespace sortie::jobs
