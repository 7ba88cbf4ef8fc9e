#pragma once

// Which sbatch template a job uses: the project's own, else its cluster's, else the built-in one.

#include <string>

#include "sortie/config/clusters.hpp"
#include "sortie/core/error.hpp"
#include "sortie/script/render.hpp"
#include "sortie/store/model.hpp"

namespace sortie::jobs {

// The chosen template and who chose it, for messages.
struct ChosenTemplate {
  script::Template script_template;  // file_name: the file's path, for rendering errors
  std::string chosen_by;             // "project 'x'", "cluster 'y' (clusters.yaml)", "built in"
};

// The template for `project`'s jobs on `cluster`: project beats cluster beats the built-in one.
// Reads the named file now. A missing or unreadable file fails (not_found / io_error) naming the
// file and who named it, and how to change that.
core::Result<ChosenTemplate> choose_template(const store::Project& project,
                                             const config::Cluster& cluster);

}  // namespace sortie::jobs
