#include "sortie/json/hydra_sweep.hpp"

#include <nlohmann/json.hpp>

namespace sortie::json {

std::string to_json(const SweepPreviewReport& report) {
  using Json = nlohmann::ordered_json;
  Json root;
  root["config_dir"] = report.config_dir;
  if (report.config_name.empty())
    root["config_name"] = nullptr;
  else
    root["config_name"] = report.config_name;
  root["mode"] = report.mode == hydra::SweepMode::paired ? "paired" : "cartesian";
  root["job_count"] = report.jobs.size();
  Json jobs = Json::array();
  for (std::size_t index = 0; index < report.jobs.size(); ++index) {
    Json job;
    job["index"] = index;
    job["overrides"] = report.jobs[index];
    jobs.push_back(std::move(job));
  }
  root["jobs"] = std::move(jobs);
  // Overrides come from the user's command line and may hold bytes that are not UTF-8.
  return root.dump(2, ' ', false, Json::error_handler_t::replace);
}

std::string expansion_document(const SweepPreviewReport& report) {
  using Json = nlohmann::ordered_json;
  Json root;
  root["config_dir"] = report.config_dir.empty() ? Json(nullptr) : Json(report.config_dir);
  root["config_name"] = report.config_name.empty() ? Json(nullptr) : Json(report.config_name);
  root["mode"] = report.mode == hydra::SweepMode::paired ? "paired" : "cartesian";
  root["count"] = report.jobs.size();
  root["jobs"] = report.jobs;
  return root.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace sortie::json
