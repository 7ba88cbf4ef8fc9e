#pragma once

// Choosing how a project's code reaches the cluster: by Git when HEAD is pushed and the tree is
// clean, else as a snapshot of the working tree.

#include <filesystem>
#include <optional>

#include "sortie/core/error.hpp"
#include "sortie/jobs/submit.hpp"
#include "sortie/store/model.hpp"

namespace sortie::jobs {

// Reads the Git state of the checkout at `project_path` and decides the delivery: `requested`
// when given, else git when needs_snapshot() is false, else snapshot. Git mode needs a remote
// and a pushed, clean HEAD: asked for otherwise, fails with invalid_argument saying to push,
// commit or use --mode snapshot. Snapshot mode hashes the tree now; the archive is written
// only if the cluster lacks it.
core::Result<CodeToDeliver> resolve_code(const std::filesystem::path& project_path,
                                         std::optional<store::DeliveryMode> requested);

}  // namespace sortie::jobs
