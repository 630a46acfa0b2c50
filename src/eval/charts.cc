#include "feedscout/eval/charts.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>

extern char** environ;

namespace feedscout {
namespace {

constexpr std::string_view kPngSuffix = ".png";
constexpr size_t kErrorTailBytes = 600;  // of gnuplot's stderr, in error messages

// `text` as a gnuplot single-quoted string: no escapes are processed inside one except ''
// for a quote; control characters (which would end the script line) become spaces.
std::string quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "''";
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
      out += ' ';
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

// Shortest round-trip decimal, independent of the locale; "NaN" (gnuplot: no point) when not
// finite.
std::string number(double v) {
  if (!std::isfinite(v)) return "NaN";
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc() ? std::string(buf, end) : "NaN";
}

Status check_shape(const BarChart& chart, const std::string& png_path,
                   const ChartOptions& options) {
  if (png_path.size() <= kPngSuffix.size() ||
      std::string_view(png_path).substr(png_path.size() - kPngSuffix.size()) != kPngSuffix) {
    return Status::invalid_argument("bar chart: the output path '" + png_path +
                                    "' must end in .png");
  }
  if (chart.groups.empty() || chart.series.empty()) {
    return Status::invalid_argument("bar chart '" + chart.title +
                                    "': needs at least one group and one series");
  }
  if (chart.values.size() != chart.series.size()) {
    return Status::invalid_argument(
        "bar chart '" + chart.title + "': " + std::to_string(chart.values.size()) +
        " value rows for " + std::to_string(chart.series.size()) + " series");
  }
  for (size_t s = 0; s < chart.values.size(); ++s) {
    if (chart.values[s].size() != chart.groups.size()) {
      return Status::invalid_argument("bar chart '" + chart.title + "': series " +
                                      std::to_string(s) + " has " +
                                      std::to_string(chart.values[s].size()) + " values for " +
                                      std::to_string(chart.groups.size()) + " groups");
    }
  }
  auto in_range = [](int v) { return v >= 100 && v <= 10000; };
  if (!in_range(options.width) || !in_range(options.height)) {
    return Status::invalid_argument("bar chart: width and height must be 100..10000 pixels");
  }
  if (options.gnuplot.empty()) return Status::invalid_argument("bar chart: no gnuplot program");
  return Status::ok();
}

Status write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::io_error("cannot write '" + path + "'");
  return Status::ok();
}

// Groups are rows (column 1: the group's index), series are columns 2…
std::string data_text(const BarChart& chart) {
  std::string out = "# group";
  for (size_t s = 0; s < chart.series.size(); ++s) out += " s" + std::to_string(s);
  out += "\n";
  for (size_t s = 0; s < chart.series.size(); ++s) {
    out += "# s" + std::to_string(s) + ": " + quote(chart.series[s]) + "\n";
  }
  for (size_t g = 0; g < chart.groups.size(); ++g) {
    out += "# group " + std::to_string(g) + ": " + quote(chart.groups[g]) + "\n";
  }
  for (size_t g = 0; g < chart.groups.size(); ++g) {
    out += std::to_string(g);
    for (const auto& row : chart.values) out += " " + number(row[g]);
    out += "\n";
  }
  return out;
}

std::string script_text(const BarChart& chart, const ChartOptions& options,
                        const std::string& png_name, const std::string& dat_name) {
  bool negative = false;
  size_t label_bytes = 0;
  for (const auto& row : chart.values) {
    for (double v : row) negative = negative || v < 0;
  }
  for (const auto& g : chart.groups) label_bytes += g.size() + 2;

  std::string s =
      "# Written by feedscout write_bar_chart; redraw in this directory with: gnuplot " +
      quote(png_name.substr(0, png_name.size() - kPngSuffix.size()) + ".gp") + "\n";
  s += "set terminal pngcairo noenhanced size " + std::to_string(options.width) + "," +
       std::to_string(options.height) + "\n";
  s += "set output " + quote(png_name) + "\n";
  s += "set title " + quote(chart.title) + "\n";
  s += "set ylabel " + quote(chart.y_label) + "\n";
  s += "set style data histograms\n";
  s += "set style histogram clustered gap 1\n";
  s += "set style fill solid 0.85 border -1\n";
  s += "set key outside right top\n";
  s += "set grid ytics\n";
  s += negative ? "set yrange [*:*]\n" : "set yrange [0:*]\n";
  s += "set xtics nomirror";
  // Rotated when the labels would not fit side by side (about 8 px per byte).
  if (label_bytes * 8 > static_cast<size_t>(options.width) * 3 / 4) {
    s += " rotate by -30 left";
  }
  s += " (";
  for (size_t g = 0; g < chart.groups.size(); ++g) {
    s += (g ? ", " : "") + quote(chart.groups[g]) + " " + std::to_string(g);
  }
  s += ")\n";
  s += "plot ";
  for (size_t k = 0; k < chart.series.size(); ++k) {
    s += k == 0 ? quote(dat_name) : std::string(",\\\n     ''");
    s += " using " + std::to_string(k + 2) + " title " + quote(chart.series[k]);
  }
  s += "\n";
  return s;
}

// Runs `program script` in `dir` ("" = the current directory), stdin and stdout on
// /dev/null, stderr collected; IOError naming the command when it cannot start or fails.
Status run_gnuplot(const std::string& program, const std::string& dir, const std::string& script,
                   const std::string& shown_command) {
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    return Status::io_error(shown_command + ": pipe: " + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  if (!dir.empty()) posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
  std::string arg0 = program, arg1 = script;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(err_pipe[1]);
  if (rc != 0) {
    ::close(err_pipe[0]);
    return Status::io_error(shown_command + ": cannot run: " + std::strerror(rc) +
                            " (is gnuplot-nox installed? scripts/install-deps.sh)");
  }
  std::string errors;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(err_pipe[0], buf, sizeof buf);
    if (n > 0) {
      errors.append(buf, static_cast<size_t>(n));
      if (errors.size() > 4 * kErrorTailBytes) errors.erase(0, errors.size() - kErrorTailBytes);
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(err_pipe[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0) {
    if (errno != EINTR)
      return Status::io_error(shown_command + ": waitpid: " + std::strerror(errno));
  }
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return Status::ok();
  if (errors.size() > kErrorTailBytes) errors.erase(0, errors.size() - kErrorTailBytes);
  while (!errors.empty() && (errors.back() == '\n' || errors.back() == ' ')) errors.pop_back();
  const std::string how = WIFEXITED(wstatus)
                              ? "exit status " + std::to_string(WEXITSTATUS(wstatus))
                              : "killed by signal " + std::to_string(WTERMSIG(wstatus));
  return Status::io_error(shown_command + " failed: " + how +
                          (errors.empty() ? std::string() : ": " + errors));
}

}  // namespace

Status write_bar_chart(const BarChart& chart, const std::string& png_path,
                       const ChartOptions& options) {
  FEEDSCOUT_RETURN_IF_ERROR(check_shape(chart, png_path, options));
  const std::string stem = png_path.substr(0, png_path.size() - kPngSuffix.size());
  const std::string dat_path = stem + ".dat", gp_path = stem + ".gp";
  const std::filesystem::path png(png_path);
  const std::string dir = png.parent_path().string();
  const std::string png_name = png.filename().string();
  const std::string dat_name = std::filesystem::path(dat_path).filename().string();
  const std::string gp_name = std::filesystem::path(gp_path).filename().string();

  FEEDSCOUT_RETURN_IF_ERROR(write_text(dat_path, data_text(chart)));
  FEEDSCOUT_RETURN_IF_ERROR(write_text(gp_path, script_text(chart, options, png_name, dat_name)));
  std::error_code ec;
  std::filesystem::remove(png, ec);  // a stale chart must not pass for a fresh one
  // "./": a script name starting with '-' is not an option.
  const std::string script = "./" + gp_name;
  const std::string shown = "'" + options.gnuplot + " " + script + "'" +
                            (dir.empty() ? std::string() : " in '" + dir + "'");
  FEEDSCOUT_RETURN_IF_ERROR(run_gnuplot(options.gnuplot, dir, script, shown));
  if (std::filesystem::file_size(png, ec) == 0 || ec) {
    return Status::io_error(shown + " exited 0 but wrote no chart to '" + png_path + "'");
  }
  return Status::ok();
}

}  // namespace feedscout
