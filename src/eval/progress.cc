// ProgressLine; the contract is in progress.h.
#include "progress.h"

#include <cstdio>
#include <utility>

namespace feedscout::eval_internal {

ProgressLine::ProgressLine(bool enabled, std::string label, std::string what, std::string unit,
                           size_t total, Clock::time_point start)
    : enabled_(enabled),
      label_(std::move(label)),
      what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      start_(start),
      last_(start) {}

void ProgressLine::print(size_t done, bool final) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (!final && now - last_ < std::chrono::milliseconds(250)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  const double left = done < total_ ? static_cast<double>(total_ - done) : 0.0;
  const double eta = rate > 0 ? left / rate : 0.0;
  std::fprintf(stderr, "\r%s: %zu/%zu %s, %.1f %s/s, ETA %.0f s   %s", label_.c_str(), done, total_,
               what_.c_str(), rate, unit_.c_str(), eta, final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace feedscout::eval_internal
