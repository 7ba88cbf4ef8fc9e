// The store under the monitor's and the UI's load: 10,000 jobs recorded in batches, the newest
// 50 and 1,000 listed, the 500 unfinished jobs of a cluster loaded, 500 state changes recorded
// in one transaction. Each read is timed next to a bare sqlite3_exec of the equivalent simple
// SELECT on the same file in the same run, so the ratio shows what the typed layer (statement
// cache, row decoding, child lists) costs over SQLite itself.
#include <fmt/format.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sortie/store/database.hpp"
#include "sortie/store/store.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace sortie;

constexpr int k_jobs = 10'000;
constexpr int k_batch = 100;
constexpr int k_unfinished = 500;
constexpr int k_runs = 21;

double milliseconds_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double median_of_runs(const std::function<void()>& body) {
  std::vector<double> times;
  for (int run = 0; run < k_runs; ++run) {
    const auto start = Clock::now();
    body();
    times.push_back(milliseconds_since(start));
  }
  return median(times);
}

[[noreturn]] void die(const std::string& message) {
  fmt::print(stderr, "store_bench: {}\n", message);
  std::exit(1);
}

template <class T>
T check(core::Result<T> result) {
  if (!result) die(result.error().message);
  return std::move(*result);
}

void check(const core::Result<void>& result) {
  if (!result) die(result.error().message);
}

store::NewJob bench_job(store::ProjectId project, int index) {
  store::NewJob job;
  job.project = project;
  job.cluster = store::ClusterName{"alpha"};
  job.submission_key = store::SubmissionKey{fmt::format("bench-{:06}", index)};
  job.name = fmt::format("train-{}", index);
  job.command = "python train.py";
  job.arguments = {"--lr", "0.001", fmt::format("seed={}", index)};
  job.resources.partition = "gpu";
  job.resources.gpu_count = 4;
  job.resources.time_limit_minutes = 600;
  job.code.commit = "0123456789abcdef0123456789abcdef01234567";
  return job;
}

// The bare baseline: sqlite3_exec with a callback that only counts rows.
struct RawConnection {
  sqlite3* connection = nullptr;
  explicit RawConnection(const std::filesystem::path& path) {
    if (sqlite3_open_v2(path.c_str(), &connection, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      die("cannot open the database for the baseline");
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  ~RawConnection() { sqlite3_close_v2(connection); }

  std::size_t select(const char* sql) const {
    std::size_t rows = 0;
    auto count = [](void* counter, int, char**, char**) {
      ++*static_cast<std::size_t*>(counter);
      return 0;
    };
    if (sqlite3_exec(connection, sql, count, &rows, nullptr) != SQLITE_OK)
      die(fmt::format("baseline query failed: {}", sqlite3_errmsg(connection)));
    return rows;
  }
};

}  // namespace

int main() {
  std::string pattern = (std::filesystem::temp_directory_path() / "sortie-bench-XXXXXX").string();
  if (!mkdtemp(pattern.data())) die("mkdtemp failed");
  const std::filesystem::path directory = pattern;
  const auto path = directory / "sortie.db";

  auto database = check(store::Database::open(path));
  store::Store jobs(database);
  store::NewProject project_spec;
  project_spec.name = "bench";
  project_spec.path = "/bench";
  const auto project = check(jobs.create_project(project_spec)).id;

  // Record 10,000 jobs, 100 per transaction, as a monitor flushing a batch would.
  std::vector<store::JobId> ids;
  auto start = Clock::now();
  for (int batch = 0; batch < k_jobs / k_batch; ++batch) {
    check(database.transaction([&]() -> core::Result<void> {
      for (int index = batch * k_batch; index < (batch + 1) * k_batch; ++index) {
        auto job = jobs.create_job(bench_job(project, index));
        if (!job) return std::unexpected(job.error());
        ids.push_back(job->id);
      }
      return {};
    }));
  }
  const double insert_ms = milliseconds_since(start);

  // Submit them all and finish all but the newest 500 (setup, not timed).
  check(database.transaction([&]() -> core::Result<void> {
    for (std::size_t index = 0; index < ids.size(); ++index) {
      if (auto marked = jobs.mark_submitted(
              ids[index], store::SlurmJobId{static_cast<std::int64_t>(100'000 + index)});
          !marked)
        return std::unexpected(marked.error());
      if (index + k_unfinished >= ids.size()) continue;
      store::StateUpdate done;
      done.state = slurm::JobState::completed;
      done.exit_code = 0;
      if (auto recorded = jobs.record_state(ids[index], done); !recorded)
        return std::unexpected(recorded.error());
    }
    return {};
  }));

  RawConnection raw(path);
  std::size_t rows = 0;
  const store::JobFilter everything;
  const double newest_50 = median_of_runs([&] {
    rows = check(jobs.list_jobs(everything, store::PageRequest{50, {}})).jobs.size();
  });
  if (rows != 50) die("listing 50 returned the wrong count");
  const double newest_50_raw =
      median_of_runs([&] { rows = raw.select("SELECT * FROM jobs ORDER BY id DESC LIMIT 50"); });

  const double newest_1000 = median_of_runs([&] {
    rows = check(jobs.list_jobs(everything, store::PageRequest{1000, {}})).jobs.size();
  });
  if (rows != 1000) die("listing 1000 returned the wrong count");
  const double newest_1000_raw =
      median_of_runs([&] { rows = raw.select("SELECT * FROM jobs ORDER BY id DESC LIMIT 1000"); });

  const double unfinished = median_of_runs(
      [&] { rows = check(jobs.unfinished_jobs(store::ClusterName{"alpha"})).size(); });
  if (rows != k_unfinished) die(fmt::format("{} unfinished jobs, expected 500", rows));
  const double unfinished_raw = median_of_runs([&] {
    rows = raw.select("SELECT * FROM jobs WHERE cluster = 'alpha' AND finished = 0 ORDER BY id");
  });

  const double count = median_of_runs([&] { (void)check(jobs.count_jobs(everything)); });
  const double count_raw = median_of_runs([&] { raw.select("SELECT count(*) FROM jobs"); });

  // 500 state changes in one transaction, as one monitor poll of a busy cluster would record.
  start = Clock::now();
  check(database.transaction([&]() -> core::Result<void> {
    for (std::size_t index = ids.size() - k_unfinished; index < ids.size(); ++index) {
      store::StateUpdate running;
      running.state = slurm::JobState::running;
      running.nodes = "gpu01";
      if (auto recorded = jobs.record_state(ids[index], running); !recorded)
        return std::unexpected(recorded.error());
    }
    return {};
  }));
  const double state_changes_ms = milliseconds_since(start);

  fmt::print("store_bench: {} jobs in {} (median of {} runs for reads)\n\n", k_jobs, path.string(),
             k_runs);
  fmt::print("{:<44} {:>12} {:>16} {:>7}\n", "operation", "sortie ms", "sqlite3_exec ms", "ratio");
  auto row = [](std::string_view name, double ours, double baseline) {
    fmt::print("{:<44} {:>12.3f} {:>16.3f} {:>6.1f}x\n", name, ours, baseline, ours / baseline);
  };
  auto row_alone = [](std::string_view name, double ours, std::string_view note) {
    fmt::print("{:<44} {:>12.3f} {:>16} {:>7}\n", name, ours, note, "");
  };
  row_alone("insert 10,000 jobs (100 per transaction)", insert_ms,
            fmt::format("{:.1f} us/job", insert_ms * 1000.0 / k_jobs));
  row("list newest 50 jobs", newest_50, newest_50_raw);
  row("list newest 1,000 jobs", newest_1000, newest_1000_raw);
  row("unfinished jobs of a cluster (500 of 10,000)", unfinished, unfinished_raw);
  row("count all jobs", count, count_raw);
  row_alone("record 500 state changes (one transaction)", state_changes_ms,
            fmt::format("{:.1f} us/change", state_changes_ms * 1000.0 / k_unfinished));

  std::error_code ignored;
  std::filesystem::remove_all(directory, ignored);
  return 0;
}
