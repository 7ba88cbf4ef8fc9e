#pragma once

#include <string>

#include "sortie/hydra/override.hpp"

namespace sortie::json {

enum class Layout { compact, pretty };

// A Hydra value (an override's value or a composed config) as JSON, dict keys in their order.
// Ints are JSON integers; floats always show a decimal point or an exponent (1.0, 1e-05) so a
// reader can tell them from ints; non-finite floats, which JSON cannot hold, are objects:
// {"float": "inf"}, {"float": "-inf"}, {"float": "nan"}. Bytes that are not UTF-8 are
// replaced. Pretty is a 2-space indent. Never throws.
std::string to_json(const hydra::Value& value, Layout layout = Layout::pretty);

}  // namespace sortie::json
