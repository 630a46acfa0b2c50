// Human-readable rendering of contexts and feeds for the terminal (private to src/cli).
#pragma once

#include <ostream>
#include <string>

#include "feedscout/engine/engine.h"

namespace feedscout::cli {

// Prints a user's contexts (top `top` topics per surface and integrated, recent searches)
// and a feed page of `n` items with reasons. The page is not remembered as served.
void print_user_report(std::ostream& out, Engine& engine, const std::string& user,
                       const std::string& label, size_t top, size_t n);

}  // namespace feedscout::cli
