#pragma once

// A Remote that records every batch and answers from scripted outputs, by the program each
// command runs.

#include <algorithm>
#include <deque>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "sortie/remote/remote.hpp"

namespace sortie::jobs::testing {

inline std::string read_data(const std::string& name) {
  std::ifstream file(std::string(SORTIE_TEST_DATA) + "/slurm/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// One squeue line in the field order of slurm::kSqueueJobFields.
inline std::string squeue_line(const std::string& id, const std::string& state,
                               const std::string& name, int exit_status = 0) {
  const std::vector<std::string> fields = {id,
                                           id,
                                           "N/A",
                                           state,
                                           "None",
                                           "researcher",
                                           "gpu",
                                           "1795944116",
                                           "1795944116",
                                           "1795944117",
                                           "0:01",
                                           "1:00:00",
                                           std::to_string(exit_status),
                                           "gpu-1",
                                           "/home/researcher",
                                           "/dev/null",
                                           "/dev/null",
                                           "",
                                           name};
  std::string line;
  for (const auto& field : fields) line += field + "|~|";
  return line + "\n";
}

// One sacct line in the field order of slurm::kSacctJobFields.
inline std::string sacct_line(const std::string& id, const std::string& state,
                              const std::string& exit_code, const std::string& name) {
  const std::vector<std::string> fields = {
      id,           id,           state,        exit_code, "None", "researcher", "gpu",
      "1795943945", "1795943945", "1795943946", "1",       "60",   "gpu-1",      "/home/researcher",
      "",           name};
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) line += (i ? "|~|" : "") + fields[i];
  return line + "\n";
}

class FakeRemote final : public remote::Remote {
 public:
  struct Batch {
    std::vector<remote::Command> commands;
    remote::OnFailure on_failure;
  };

  std::vector<Batch> batches;
  std::vector<std::string> written_paths;
  // Answers per program (argv[0]), or per action ("ensure_directory", "write_text_file"); the
  // `sh` that resolves the workspace answers `where`.
  std::map<std::string, remote::Output> answers = {
      {"ensure_directory", {}},
      {"write_text_file", {}},
      {"mv", {}},
      {"scancel", {}},
      {"squeue", {}},
      {"sacct", {}},
      {"sbatch", {0, "4242\n", ""}},
  };
  std::string where = "/home/researcher/sortie\nresearcher\n";
  remote::Output scontrol_job{1, "", "slurm_load_jobs error: Invalid job id specified\n"};
  // When set, the batch holding a command run by this program fails with this error.
  std::map<std::string, core::Error> failures;
  // Files read_file() serves (absent: an empty string, as past the end of a file).
  std::map<std::string, std::string> files;
  // Every read_file() call: path and offset.
  std::vector<std::pair<std::string, std::uint64_t>> reads;
  // Errors the next read_file() calls return instead of reading, front first.
  std::deque<core::Error> read_errors;
  // Called before each read_file(), e.g. to grow a log as a running job would.
  std::function<void()> before_read;

  core::Result<std::vector<remote::Output>> run(const std::vector<remote::Command>& commands,
                                                std::chrono::milliseconds,
                                                remote::OnFailure on_failure) override {
    batches.push_back({commands, on_failure});
    std::vector<remote::Output> outputs;
    for (const auto& command : commands) {
      const auto& program = command.argv.front();
      if (auto failure = failures.find(program); failure != failures.end()) {
        return std::unexpected(failure->second);
      }
      outputs.push_back(answer(command));
      if (on_failure == remote::OnFailure::stop_batch && outputs.back().exit_code != 0) break;
    }
    return outputs;
  }

  core::Result<void> write_file(const std::string& path, std::string_view, unsigned) override {
    written_paths.push_back(path);
    return {};
  }

  core::Result<std::string> read_file(const std::string& path, std::uint64_t offset,
                                      std::uint64_t length) override {
    if (before_read) before_read();
    reads.emplace_back(path, offset);
    if (!read_errors.empty()) {
      auto error = read_errors.front();
      read_errors.pop_front();
      return std::unexpected(error);
    }
    auto found = files.find(path);
    if (found == files.end() || offset >= found->second.size()) return std::string();
    return found->second.substr(offset, length);
  }

 private:
  remote::Output answer(const remote::Command& command) const {
    if (command.action == remote::Action::ensure_directory) return answers.at("ensure_directory");
    if (command.action == remote::Action::write_text_file) return answers.at("write_text_file");
    // SLURM's query commands run as `env SLURM_TIME_FORMAT=%s PROGRAM ...`.
    const auto& program = command.argv.front() == "env" ? command.argv.at(2) : command.argv.front();
    if (program == "scontrol" &&
        std::find(command.argv.begin(), command.argv.end(), "job") != command.argv.end()) {
      return scontrol_job;
    }
    if (program == "scontrol") {
      const bool partitions = command.argv.back() == "partition";
      return {0,
              read_data(partitions ? "scontrol-show-partition.idle.txt"
                                   : "scontrol-show-node.idle.txt"),
              ""};
    }
    if (program == "sh" && command.argv.size() > 2 && command.argv[2].starts_with("ws=")) {
      return {0, where, ""};
    }
    if (program == "sh") return {};
    auto found = answers.find(program);
    return found == answers.end() ? remote::Output{127, "", "command not found"} : found->second;
  }
};

}  // namespace sortie::jobs::testing
