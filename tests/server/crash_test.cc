// The durability guarantee of the HTTP API, tested for real: the `feedscout serve` binary
// runs as a child process, two clients stream small event batches at it, the server is
// killed with SIGKILL mid-stream, and after a restart on the same data directory every
// event whose batch was acknowledged with a 200 must be there. Also: a second server on a
// data directory that is in use must refuse to start.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "feedscout/common/time.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

const std::string kBinary = FEEDSCOUT_BINARY;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A port that was free a moment ago (the kernel picks it).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A child process whose stdout and stderr go to files. Killed (SIGKILL) if still running
// when destroyed, so that a failing test never leaves a server behind.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& args, const fs::path& out, const fs::path& err)
      : out_(out), err_(err) {
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kBinary.c_str()));
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int out_fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    pid_ = ::fork();
    if (pid_ == 0) {
      // Only async-signal-safe calls between fork and exec.
      ::dup2(out_fd, STDOUT_FILENO);
      ::dup2(err_fd, STDERR_FILENO);
      for (int fd = 3; fd < 4096; ++fd) ::close(fd);
      ::execv(kBinary.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(out_fd);
    ::close(err_fd);
  }
  ~ChildProcess() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      (void)wait_exit(10s);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  bool running() const { return pid_ > 0 && !exited_; }
  void signal(int sig) {
    if (running()) ::kill(pid_, sig);
  }

  // Waits for the child to exit; returns its wait status, or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout) {
    if (exited_) return status_;
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      int status = 0;
      const pid_t r = ::waitpid(pid_, &status, WNOHANG);
      if (r == pid_) {
        exited_ = true;
        status_ = status;
        return status;
      }
      std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
  }

  // Waits until stdout contains `needle` (false when the child exits first or on timeout).
  bool wait_for_output(const std::string& needle, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      if (read_file(out_).find(needle) != std::string::npos) return true;
      if (wait_exit(0ms)) return false;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  std::string output() const { return read_file(out_) + read_file(err_); }

 private:
  fs::path out_, err_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int status_ = 0;
};

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

std::vector<std::string> serve_args(const fs::path& data, int port, const fs::path& config) {
  return {"serve",    "--data-dir",   data.string(), "--port", std::to_string(port),
          "--config", config.string()};
}

bool wait_healthy(int port, std::chrono::milliseconds timeout) {
  httplib::Client c("127.0.0.1", port);
  c.set_connection_timeout(1, 0);
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    auto r = c.Get("/healthz");
    if (r && r->status == 200) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

class CrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(config_) << "[engine]\ntaxonomy = \"" << testing_support::kTaxonomyPath
                           << "\"\n\n[classifier]\nkind = \"none\"\n\n[server]\nthreads = 4\n";
    ASSERT_TRUE(fs::exists(kBinary)) << "the feedscout CLI is not built: " << kBinary;
  }

  const testing_support::TempDir tmp_{"feedscout-crash-test"};
  const fs::path dir_ = tmp_.path(), data_ = dir_ / "data", config_ = dir_ / "feedscout.toml";
};

TEST_F(CrashTest, AcknowledgedEventsSurviveKill9AndTheDataDirIsLocked) {
  const int port = free_port();
  ASSERT_GT(port, 0);

  // ---- first server ------------------------------------------------------------------------
  auto first = std::make_unique<ChildProcess>(serve_args(data_, port, config_), dir_ / "s1.out",
                                              dir_ / "s1.err");
  ASSERT_TRUE(first->started());
  const std::string ready = "listening on 127.0.0.1:" + std::to_string(port);
  ASSERT_TRUE(first->wait_for_output(ready, 60s)) << first->output();
  ASSERT_TRUE(wait_healthy(port, 10s)) << first->output();

  constexpr int kDocs = 20;
  {
    std::string docs;
    for (int i = 0; i < kDocs; ++i) {
      docs += R"({"id":"doc)" + std::to_string(i) + R"(","title":"문서 )" + std::to_string(i) +
              R"(","created_at":")" + format_rfc3339(now_ms() - kMsPerHour) + R"(","topics":[")" +
              (i % 2 == 0 ? "533" : "545") + "\"]}\n";
    }
    httplib::Client c("127.0.0.1", port);
    auto r = c.Post("/v1/documents", docs, "application/x-ndjson");
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_EQ(json::parse(r->body)["accepted"], kDocs) << r->body;
  }

  // ---- two writers, SIGKILL mid-stream -------------------------------------------------------
  constexpr int kWriters = 2;
  constexpr int kBatch = 8;
  std::vector<std::vector<std::string>> acked(kWriters);
  std::vector<std::set<std::string>> users(kWriters);
  std::atomic<int> batches_ok{0}, server_errors{0};
  const auto stream_end = Clock::now() + 2s;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      httplib::Client c("127.0.0.1", port);
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);  // headers and body are separate writes: no Nagle delay
      c.set_connection_timeout(1, 0);
      c.set_read_timeout(5, 0);
      int consecutive_failures = 0;
      for (int seq = 0; Clock::now() < stream_end && consecutive_failures < 20; ++seq) {
        std::string body;
        std::vector<std::string> ids;
        std::vector<std::string> batch_users;
        const std::string time = format_rfc3339(now_ms() - 60 * kMsPerSecond);
        for (int i = 0; i < kBatch; ++i) {
          const std::string id =
              "w" + std::to_string(w) + "-" + std::to_string(seq) + "-" + std::to_string(i);
          const std::string user = "user" + std::to_string(w) + "-" + std::to_string(i % 4);
          const std::string doc = "doc" + std::to_string((seq + i) % kDocs);
          body += R"({"id":")" + id + R"(","type":"click","user":")" + user + R"(","time":")" +
                  time + R"(","surface":"feed","docs":[")" + doc + "\"]}\n";
          ids.push_back(id);
          batch_users.push_back(user);
        }
        auto r = c.Post("/v1/events", body, "application/x-ndjson");
        if (!r) {  // the server is gone (or going): nothing acknowledged
          ++consecutive_failures;
          std::this_thread::sleep_for(20ms);
          continue;
        }
        consecutive_failures = 0;
        if (r->status >= 500) ++server_errors;
        if (r->status != 200) continue;
        const json report = json::parse(r->body, nullptr, false);
        if (report.is_discarded()) continue;
        if (report["accepted"].get<int>() + report["duplicates"].get<int>() != kBatch) continue;
        acked[w].insert(acked[w].end(), ids.begin(), ids.end());
        users[w].insert(batch_users.begin(), batch_users.end());
        ++batches_ok;
      }
    });
  }
  // Kill while both writers are streaming: after 1 s and at least a few batches.
  std::this_thread::sleep_for(1s);
  for (int i = 0; i < 200 && batches_ok.load() < 10; ++i) std::this_thread::sleep_for(10ms);
  first->signal(SIGKILL);
  const int acked_at_kill = batches_ok.load();
  for (auto& t : writers) t.join();
  const auto killed = first->wait_exit(10s);
  ASSERT_TRUE(killed.has_value());
  EXPECT_TRUE(WIFSIGNALED(*killed) && WTERMSIG(*killed) == SIGKILL)
      << describe_wait_status(*killed);
  EXPECT_EQ(server_errors.load(), 0);
  size_t total_acked = 0;
  for (const auto& a : acked) total_acked += a.size();
  ASSERT_GE(acked_at_kill, 1) << first->output();
  ASSERT_GT(total_acked, 0u);
  std::cout << "[crash_test] acknowledged " << total_acked << " events in " << batches_ok.load()
            << " batches before SIGKILL\n";
  first.reset();

  // ---- restart on the same data directory (and port) -----------------------------------------
  ChildProcess second(serve_args(data_, port, config_), dir_ / "s2.out", dir_ / "s2.err");
  ASSERT_TRUE(second.wait_for_output(ready, 60s)) << second.output();
  ASSERT_TRUE(wait_healthy(port, 10s)) << second.output();
  {
    httplib::Client c("127.0.0.1", port);
    c.set_keep_alive(true);
    c.set_tcp_nodelay(true);
    auto r = c.Get("/healthz");
    ASSERT_TRUE(r);
    EXPECT_EQ(json::parse(r->body)["documents"], kDocs) << r->body;

    size_t missing = 0;
    std::string first_missing;
    for (const auto& ids : acked) {
      for (const auto& id : ids) {
        auto r = c.Get("/v1/events/" + id);
        const bool found =
            r && r->status == 200 && json::parse(r->body, nullptr, false)["id"] == id;
        if (!found) {
          if (missing++ == 0) first_missing = id;
        }
      }
    }
    EXPECT_EQ(missing, 0u) << "acknowledged events lost after SIGKILL, e.g. " << first_missing;
    for (const auto& us : users) {
      for (const auto& u : us) {
        auto r = c.Get("/v1/users/" + u + "/context");
        ASSERT_TRUE(r);
        ASSERT_EQ(r->status, 200) << r->body;
        const json ctx = json::parse(r->body);
        EXPECT_EQ(ctx["known"], true) << u;
        EXPECT_FALSE(ctx["integrated"].empty()) << u << ": " << r->body;
        EXPECT_FALSE(ctx["per_surface"]["feed"].empty()) << u;
      }
    }
  }  // closes the keep-alive connection

  // ---- a second server on the same data directory must refuse to start --------------------
  {
    const int other_port = free_port();
    ChildProcess intruder(serve_args(data_, other_port, config_), dir_ / "s3.out", dir_ / "s3.err");
    const auto status = intruder.wait_exit(60s);
    ASSERT_TRUE(status.has_value()) << "a second server on a locked data directory kept running";
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) != 0) << describe_wait_status(*status);
    const std::string out = intruder.output();
    EXPECT_NE(out.find("in use"), std::string::npos) << out;
    EXPECT_NE(out.find(data_.string()), std::string::npos) << out;
    EXPECT_EQ(out.find("listening on"), std::string::npos) << out;
  }
  // The running server is unaffected, and stops cleanly on SIGTERM.
  EXPECT_TRUE(wait_healthy(port, 5s));
  second.signal(SIGTERM);
  const auto stopped = second.wait_exit(30s);
  ASSERT_TRUE(stopped.has_value()) << "no exit after SIGTERM: " << second.output();
  EXPECT_TRUE(WIFEXITED(*stopped) && WEXITSTATUS(*stopped) == 0)
      << "after SIGTERM: " << describe_wait_status(*stopped) << "\n"
      << second.output();
}

}  // namespace
}  // namespace feedscout
