// PNG charts of evaluation results, drawn by gnuplot (Debian package gnuplot-nox, installed by
// scripts/install-deps.sh; its pngcairo terminal is used).
//
// write_bar_chart writes, next to the PNG, the data (`<stem>.dat`) and the gnuplot script
// (`<stem>.gp`) it drew from, so a chart can be re-drawn or restyled by hand:
// `cd <dir> && gnuplot <stem>.gp`. Labels may contain any text: the script quotes them
// (single-quoted, no enhanced-text markup, so quotes, backslashes, backticks, '@', '^', '_'
// and braces print as written, and nothing in a label is executed); control characters
// such as line breaks become spaces. Thread-safe; gnuplot runs as a child process.
#pragma once

#include <string>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout {

// A clustered bar chart: one cluster per group along the x axis, one bar per series in each
// cluster, series named in the legend.
struct BarChart {
  std::string title, y_label;
  std::vector<std::string> groups;          // x categories, e.g. methods
  std::vector<std::string> series;          // bars in a cluster, e.g. metrics
  std::vector<std::vector<double>> values;  // values[series][group]; non-finite: no bar
};

struct ChartOptions {
  std::string gnuplot = "gnuplot";  // the program, looked up on PATH unless it has a '/'
  int width = 900, height = 500;    // pixels, 100..10000
};

// Draws `chart` into `png_path` (which must end in ".png"; `<stem>` is the path without it)
// and leaves `<stem>.dat` and `<stem>.gp` beside it; existing files are replaced. The y axis
// starts at 0 unless a value is negative.
// Errors: InvalidArgument for a path not ending in ".png", an empty chart (no group or no
// series), values.size() != series.size(), a row whose size != groups.size(), or a size out
// of range; IOError when a file cannot be written, or gnuplot cannot be started or fails —
// the message names the command, the exit status and the end of gnuplot's error output.
[[nodiscard]] Status write_bar_chart(const BarChart& chart, const std::string& png_path,
                                     const ChartOptions& options = {});

}  // namespace feedscout
