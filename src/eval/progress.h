// A progress line for long evaluation runs (replay.cc, impression_replay.cc). Not a public
// header.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace feedscout::eval_internal {

// Rewrites one line on stderr:
//   "\r<label>: <done>/<total> <what>, <rate> <unit>/s, ETA <s> s"
// where rate = done / seconds since `start` and ETA = (total - done) / rate. update() prints at
// most 4 times a second; finish() always prints and ends the line. A disabled line prints
// nothing. Not thread-safe: use one from one thread.
class ProgressLine {
 public:
  using Clock = std::chrono::steady_clock;

  // `what` names the counted things with their state ("users queried"), `unit` the rate's
  // unit ("users").
  ProgressLine(bool enabled, std::string label, std::string what, std::string unit, size_t total,
               Clock::time_point start = Clock::now());

  void update(size_t done) { print(done, false); }
  void finish(size_t done) { print(done, true); }

 private:
  void print(size_t done, bool final);

  bool enabled_;
  std::string label_, what_, unit_;
  size_t total_;
  Clock::time_point start_, last_;
};

}  // namespace feedscout::eval_internal
