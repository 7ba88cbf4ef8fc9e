#pragma once

#include <string>

#include "sortie/gpus/availability.hpp"

namespace sortie::json {

// Renders availability as pretty JSON (2-space indent), keys in this order:
// {"cluster", "queried_at" (ISO-8601 UTC, "2026-11-29T08:40:00Z"), "pending_untyped",
//  "gpu_types": [{"type", "total", "used", "free", "powered_down", "unavailable", "pending",
//                 "nodes": [{"name", "free"}]}],
//  "partitions": [{"name", "pending_untyped", "gpu_types": [...same shape...]}]}
// The shape is documented for users in the README; keep the two in step. Never throws.
std::string to_json(const gpus::Availability& availability);

}  // namespace sortie::json
