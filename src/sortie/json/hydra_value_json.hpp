#pragma once

// For json/ only (it includes nlohmann-json): the one encoding of hydra::Value that
// json/hydra_value.hpp describes, for the encoders that embed values in larger documents.

#include <nlohmann/json.hpp>

#include "sortie/hydra/override.hpp"

namespace sortie::json {

nlohmann::ordered_json hydra_value_json(const hydra::Value& value);

}  // namespace sortie::json
