#pragma once

#include "sortie/script/render.hpp"

namespace sortie::script {

// The sbatch template that ships with sortie, built into the binary: byte for byte
// templates/default.sbatch.mustache (a unit test checks they agree). Its file name in
// messages is "default.sbatch.mustache".
Template default_template();

}  // namespace sortie::script
