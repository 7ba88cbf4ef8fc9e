#pragma once

#include <string>

#include "sortie/gpus/availability.hpp"

namespace sortie::gpus {

// Renders availability for a terminal: a header line with the cluster and the time of the query
// (UTC), a table TYPE TOTAL USED FREE PWR-DOWN UNAVAIL PENDING NODES-WITH-FREE for the cluster
// (nodes as `name:free`), then the same table per partition. Says so when there are no GPUs.
// Ends with a newline.
std::string render_table(const Availability& availability);

// Formats a time as ISO-8601 UTC to the second, e.g. "2026-11-29T08:40:00Z".
std::string iso8601_utc(std::chrono::system_clock::time_point time);

}  // namespace sortie::gpus
