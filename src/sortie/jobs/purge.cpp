#include "sortie/jobs/purge.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <string>

namespace sortie::jobs {
namespace {

bool is_plain_name(std::string_view name) {
  return !name.empty() && name.front() != '.' && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

core::Error refused(const store::Job& job, std::string_view why) {
  return core::Error{
      core::ErrorCode::invalid_argument,
      fmt::format("not purging job {}: {}; its files were left alone", job.id.value, why)};
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

bool is_active(const store::Job& job) {
  return !store::is_finished(job.status);
}

core::Result<std::vector<remote::Command>> purge_commands(const store::Job& job) {
  const std::string& job_dir = job.rendered.workspace;
  if (job_dir.empty()) return std::vector<remote::Command>{};

  // The job dir must be exactly <workspace>/jobs/<key>: nothing else may be removed. A task of
  // a sweep shares its sweep's dir (named by the sweep's key) with the other tasks: only its
  // own logs and argument file go.
  const bool task = job.spec.sweep && job.spec.array_task_index;
  const std::string& key = task ? job.spec.sweep->value : job.spec.submission_key.value;
  const std::filesystem::path dir(job_dir);
  if (!is_plain_name(key)) return std::unexpected(refused(job, "its submission key is unusual"));
  if (!dir.is_absolute() || dir.lexically_normal().string() != job_dir || dir.filename() != key ||
      dir.parent_path().filename() != "jobs" || dir.parent_path().parent_path().empty()) {
    return std::unexpected(
        refused(job, fmt::format("its directory {} is not <workspace>/jobs/{}", job_dir, key)));
  }
  const std::string jobs_dir = dir.parent_path().string();

  std::vector<std::string> paths;
  if (task) {
    paths.push_back(fmt::format("{}/tasks/{}", job_dir, *job.spec.array_task_index));
  } else {
    paths = {job_dir, job_dir + ".sbatch"};
  }
  std::vector<std::string> patterns;  // file names in jobs_dir, for find -name
  for (std::string log : {job.rendered.stdout_path, job.rendered.stderr_path}) {
    if (log.empty()) continue;
    // Without a SLURM job there are no logs; with one, its id fills %j and %A, any task %a.
    if (!job.slurm_job_id) continue;
    const std::string id = std::to_string(job.slurm_job_id->value);
    replace_all(log, "%j", id);
    replace_all(log, "%A", id);
    if (task) replace_all(log, "%a", std::to_string(*job.spec.array_task_index));
    const bool every_task = log.find("%a") != std::string::npos;
    replace_all(log, "%a", "*");
    const std::filesystem::path file(log);
    const std::string name = file.filename().string();
    if (file.parent_path().string() != jobs_dir || !name.starts_with(key + ".") ||
        name.find('%') != std::string::npos || name.find('/') != std::string::npos) {
      return std::unexpected(
          refused(job, fmt::format("its log {} is not beside {}", log, job_dir)));
    }
    if (every_task) {
      patterns.push_back(name);
    } else {
      paths.push_back(log);
    }
  }

  std::vector<remote::Command> commands;
  std::vector<std::string> remove = {"rm", "-rf", "--"};
  remove.insert(remove.end(), paths.begin(), paths.end());
  commands.emplace_back(std::move(remove));
  if (!patterns.empty()) {
    std::vector<std::string> find = {"find", jobs_dir, "-maxdepth", "1", "-type", "f", "("};
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      if (i > 0) find.push_back("-o");
      find.insert(find.end(), {"-name", patterns[i]});
    }
    find.insert(find.end(), {")", "-delete"});
    commands.emplace_back(std::move(find));
  }
  return commands;
}

}  // namespace sortie::jobs
