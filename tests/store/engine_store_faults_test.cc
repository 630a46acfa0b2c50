// The engine over a failing store (store/fault_injection_store.h): every failure branch of
// the group commit and of the checkpoint. A commit that fails answers an error (503 over
// HTTP), applies nothing and leaves nothing behind, whatever part of its batch reached the
// store; the next commit works and the same items are accepted again. A checkpoint that
// fails keeps its dirty state and the log for the next one, and a restart replays the log.
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "feedscout/engine/engine.h"
#include "feedscout/server/http_server.h"
#include "feedscout/store/fault_injection_store.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

using testing_support::engine_config;
using testing_support::TempDir;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

const char* kDocs =
    R"({"id":"d1","title":"손흥민 결승골","created_at":"2026-11-19T12:00:00Z","topics":["533"]})"
    "\n"
    R"({"id":"d2","title":"오타니 홈런","created_at":"2026-11-20T09:00:00Z","topics":["545"]})"
    "\n";

const char* kEvents =
    R"({"id":"e1","type":"click","user":"u1","time":"2026-11-20T10:00:00Z","surface":"main","docs":["d1"]})"
    "\n"
    R"({"id":"e2","type":"search","user":"u2","time":"2026-11-20T10:01:00Z","query":"오타니","clicked":["d2"]})"
    "\n"
    R"({"id":"e3","type":"impression","user":"u1","time":"2026-11-20T10:02:00Z","surface":"feed","docs":["d1","d2"]})"
    "\n";

const char* kMoreEvents =
    R"({"id":"e4","type":"click","user":"u3","time":"2026-11-20T10:03:00Z","surface":"feed","docs":["d2"]})"
    "\n";

// An engine whose store injects faults; `faults` points into the engine (valid while it is).
struct FaultyEngine {
  std::unique_ptr<Engine> engine;
  FaultInjectionKvStore* faults = nullptr;
};

FaultyEngine open_faulty(const std::string& data_dir) {
  FaultyEngine out;
  auto e = Engine::open(
      engine_config(data_dir), [] { return kNow; },
      [&out](std::unique_ptr<KvStore> base) -> std::unique_ptr<KvStore> {
        auto f = std::make_unique<FaultInjectionKvStore>(std::move(base));
        out.faults = f.get();
        return f;
      });
  EXPECT_TRUE(e.is_ok()) << e.status().to_string();
  if (e.is_ok()) out.engine = std::move(e).value();
  return out;
}

bool known_user(const Engine& e, const std::string& user) {
  bool known = false;
  (void)e.context(user, &known);
  return known;
}

bool stored_event(const Engine& e, const std::string& id) {
  auto v = e.event_json(id);
  EXPECT_TRUE(v.is_ok());
  return v.is_ok() && v->has_value();
}

// Ingests kEvents expecting success and checks they are applied.
void expect_events_accepted(Engine& e) {
  const IngestReport r = e.ingest_events(kEvents);
  ASSERT_TRUE(r.commit_status.is_ok()) << r.commit_status.to_string();
  EXPECT_EQ(r.accepted, 3u);
  EXPECT_EQ(r.duplicates, 0u);
  EXPECT_TRUE(known_user(e, "u1"));
  EXPECT_TRUE(known_user(e, "u2"));
  EXPECT_EQ(e.context("u2").recent_searches.size(), 1u);
}

class CommitFaultTest : public ::testing::TestWithParam<FaultLanding> {};

TEST_P(CommitFaultTest, AFailedCommitAppliesNothingLeavesNothingAndTheRetryIsAccepted) {
  const TempDir dir("feedscout_commit_fault");
  {
    FaultyEngine f = open_faulty(dir.file("data"));
    ASSERT_TRUE(f.engine);
    ASSERT_EQ(f.engine->ingest_documents(kDocs).accepted, 2u);

    f.faults->arm_writes({GetParam(), FaultSync::kSyncedOnly});
    const IngestReport failed = f.engine->ingest_events(kEvents);
    EXPECT_FALSE(failed.commit_status.is_ok());
    EXPECT_EQ(failed.accepted, 0u);
    EXPECT_EQ(f.faults->failed_writes(), 1u);
    EXPECT_EQ(f.engine->stats().commit_failures, 1u);
    // Nothing applied in memory, nothing left in the store (the rollback deleted what
    // landed), so the retry is new to the engine.
    EXPECT_FALSE(known_user(*f.engine, "u1"));
    EXPECT_FALSE(known_user(*f.engine, "u2"));
    EXPECT_FALSE(stored_event(*f.engine, "e1"));
    EXPECT_FALSE(stored_event(*f.engine, "e3"));
    EXPECT_EQ(f.engine->stats().events_accepted, 0u);

    expect_events_accepted(*f.engine);
    EXPECT_TRUE(stored_event(*f.engine, "e3"));
  }
  // After a restart the events are there once: replaying or re-sending them adds nothing.
  auto reopened = Engine::open(engine_config(dir.file("data")), [] { return kNow; });
  ASSERT_TRUE(reopened.is_ok()) << reopened.status().to_string();
  EXPECT_TRUE(known_user(**reopened, "u1"));
  EXPECT_EQ((*reopened)->context("u2").recent_searches.size(), 1u);
  const IngestReport again = (*reopened)->ingest_events(kEvents);
  EXPECT_EQ(again.accepted, 0u);
  EXPECT_EQ(again.duplicates, 3u);
}

TEST_P(CommitFaultTest, AFailedDocumentCommitIndexesNothingAndTheRetryIsAccepted) {
  const TempDir dir("feedscout_doc_commit_fault");
  FaultyEngine f = open_faulty(dir.file("data"));
  ASSERT_TRUE(f.engine);
  f.faults->arm_writes({GetParam(), FaultSync::kSyncedOnly});
  const IngestReport failed = f.engine->ingest_documents(kDocs);
  EXPECT_FALSE(failed.commit_status.is_ok());
  EXPECT_EQ(failed.accepted, 0u);
  EXPECT_EQ(f.engine->stats().documents, 0u);
  auto stored = f.engine->document_json("d1");
  ASSERT_TRUE(stored.is_ok());
  EXPECT_FALSE(stored->has_value());
  // Events naming those documents are refused as unknown, not applied.
  const IngestReport refused = f.engine->ingest_events(kEvents);
  EXPECT_EQ(refused.accepted, 0u);
  EXPECT_EQ(refused.rejected, 3u);

  const IngestReport retried = f.engine->ingest_documents(kDocs);
  ASSERT_TRUE(retried.commit_status.is_ok());
  EXPECT_EQ(retried.accepted, 2u);
  expect_events_accepted(*f.engine);
}

INSTANTIATE_TEST_SUITE_P(Landings, CommitFaultTest,
                         ::testing::Values(FaultLanding::kNothing, FaultLanding::kEverything,
                                           FaultLanding::kPrefix),
                         [](const auto& info) {
                           switch (info.param) {
                             case FaultLanding::kNothing:
                               return std::string("NothingLanded");
                             case FaultLanding::kEverything:
                               return std::string("AcknowledgementLost");
                             case FaultLanding::kPrefix:
                               return std::string("TornBatch");
                           }
                           return std::string("Unknown");
                         });

TEST(CommitFaultTest, AFailedRollbackBlocksCommitsUntilItIsWritten) {
  const TempDir dir("feedscout_rollback_fault");
  FaultyEngine f = open_faulty(dir.file("data"));
  ASSERT_TRUE(f.engine);
  ASSERT_EQ(f.engine->ingest_documents(kDocs).accepted, 2u);

  // The commit lands but reports failure, and its rollback and one retry of it fail too.
  f.faults->arm_writes({FaultLanding::kEverything, FaultSync::kSyncedOnly, 0, 3});
  EXPECT_FALSE(f.engine->ingest_events(kEvents).commit_status.is_ok());
  // While the rollback is pending, another commit fails before writing anything.
  const IngestReport blocked = f.engine->ingest_events(kMoreEvents);
  EXPECT_FALSE(blocked.commit_status.is_ok());
  EXPECT_NE(blocked.commit_status.message().find("rolled back"), std::string::npos)
      << blocked.commit_status.to_string();
  EXPECT_FALSE(known_user(*f.engine, "u3"));
  EXPECT_EQ(f.faults->failed_writes(), 3u);

  // The store works again: the rollback is written first, then both batches are new.
  const IngestReport more = f.engine->ingest_events(kMoreEvents);
  ASSERT_TRUE(more.commit_status.is_ok()) << more.commit_status.to_string();
  EXPECT_EQ(more.accepted, 1u);
  EXPECT_TRUE(known_user(*f.engine, "u3"));
  expect_events_accepted(*f.engine);
  EXPECT_EQ(f.engine->stats().commit_failures, 2u);
}

TEST(CommitFaultTest, AFailedDuplicateLookupAppliesNothing) {
  const TempDir dir("feedscout_lookup_fault");
  FaultyEngine f = open_faulty(dir.file("data"));
  ASSERT_TRUE(f.engine);
  ASSERT_EQ(f.engine->ingest_documents(kDocs).accepted, 2u);
  f.faults->arm_reads({0, 1});
  const IngestReport failed = f.engine->ingest_events(kEvents);
  EXPECT_FALSE(failed.commit_status.is_ok());
  EXPECT_EQ(failed.accepted, 0u);
  EXPECT_FALSE(known_user(*f.engine, "u1"));
  EXPECT_EQ(f.faults->failed_writes(), 0u);
  expect_events_accepted(*f.engine);
}

TEST(CommitFaultTest, AFailedCommitAnswers503AndTheRetryAnswers200) {
  const TempDir dir("feedscout_http_commit_fault");
  FaultyEngine f = open_faulty(dir.file("data"));
  ASSERT_TRUE(f.engine);
  ServerConfig sc;
  sc.host = "127.0.0.1";
  sc.port = 0;
  sc.threads = 2;
  HttpServer server(*f.engine, sc);
  ASSERT_TRUE(server.bind().is_ok());
  std::thread t([&] { server.run(); });
  httplib::Client client("127.0.0.1", server.port());
  client.set_read_timeout(10, 0);

  ASSERT_EQ(client.Post("/v1/documents", kDocs, "application/x-ndjson")->status, 200);
  f.faults->arm_writes({FaultLanding::kEverything, FaultSync::kSyncedOnly});
  auto failed = client.Post("/v1/events", kEvents, "application/x-ndjson");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 503);
  EXPECT_NE(failed->body.find("commit_failed"), std::string::npos) << failed->body;
  EXPECT_EQ(client.Get("/v1/users/u1/context")->status, 200);
  EXPECT_FALSE(known_user(*f.engine, "u1"));
  auto retried = client.Post("/v1/events", kEvents, "application/x-ndjson");
  ASSERT_TRUE(retried);
  EXPECT_EQ(retried->status, 200) << retried->body;
  EXPECT_NE(retried->body.find("\"accepted\":3"), std::string::npos) << retried->body;
  server.stop();
  t.join();
}

// Waits up to 5 s for the engine's successful checkpoints to reach `n`.
bool wait_for_checkpoints(const Engine& e, uint64_t n) {
  for (int i = 0; i < 100 && e.stats().checkpoints < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return e.stats().checkpoints >= n;
}

TEST(CheckpointFaultTest, AFailedCheckpointKeepsItsStateForTheNextOne) {
  const TempDir dir("feedscout_checkpoint_fault");
  // The reference: the same input, closed normally.
  {
    auto e = Engine::open(engine_config(dir.file("control")), [] { return kNow; });
    ASSERT_TRUE(e.is_ok());
    ASSERT_EQ((*e)->ingest_documents(kDocs).accepted, 2u);
    ASSERT_EQ((*e)->ingest_events(kEvents).accepted, 3u);
  }
  // A child ingests while its first checkpoint fails, waits for the next (idle) checkpoint
  // to succeed, and dies without closing: only that checkpoint can have kept the contexts.
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    FaultyEngine f = open_faulty(dir.file("data"));
    if (!f.engine) std::_Exit(10);
    if (f.engine->ingest_documents(kDocs).accepted != 2) std::_Exit(11);
    const uint64_t before = f.engine->stats().checkpoints;
    f.faults->arm_writes({FaultLanding::kNothing, FaultSync::kUnsyncedOnly});
    if (f.engine->ingest_events(kEvents).accepted != 3) std::_Exit(13);
    // The writer checkpoints after a second idle: the first try fails, the next succeeds.
    if (!wait_for_checkpoints(*f.engine, before + 1)) std::_Exit(14);
    if (f.faults->failed_writes() != 1) std::_Exit(15);
    std::_Exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  auto recovered = Engine::open(engine_config(dir.file("data")), [] { return kNow; });
  ASSERT_TRUE(recovered.is_ok()) << recovered.status().to_string();
  auto control = Engine::open(engine_config(dir.file("control")), [] { return kNow; });
  ASSERT_TRUE(control.is_ok());
  EXPECT_EQ((*recovered)->stats().replayed_events, 0u);  // the checkpoint covered the log
  for (const char* user : {"u1", "u2"}) {
    bool known = false;
    const ContextView a = (*recovered)->context(user, &known);
    ASSERT_TRUE(known) << user;
    const ContextView b = (*control)->context(user);
    ASSERT_EQ(a.integrated.size(), b.integrated.size()) << user;
    for (size_t i = 0; i < a.integrated.size(); ++i) {
      EXPECT_EQ(a.integrated[i].topic, b.integrated[i].topic);
      EXPECT_NEAR(a.integrated[i].score, b.integrated[i].score, 1e-9);
    }
    EXPECT_EQ(a.recent_searches.size(), b.recent_searches.size());
  }
}

TEST(CheckpointFaultTest, WhenEveryCheckpointFailsARestartReplaysTheLog) {
  const TempDir dir("feedscout_checkpoint_always_fails");
  {
    FaultyEngine f = open_faulty(dir.file("data"));
    ASSERT_TRUE(f.engine);
    ASSERT_EQ(f.engine->ingest_documents(kDocs).accepted, 2u);
    f.faults->arm_writes({FaultLanding::kNothing, FaultSync::kUnsyncedOnly, 0, UINT64_MAX});
    expect_events_accepted(*f.engine);
    // Closing checkpoints once more; that fails too.
    f.engine.reset();
  }
  auto recovered = Engine::open(engine_config(dir.file("data")), [] { return kNow; });
  ASSERT_TRUE(recovered.is_ok()) << recovered.status().to_string();
  EXPECT_EQ((*recovered)->stats().replayed_events, 3u);
  EXPECT_TRUE(known_user(**recovered, "u1"));
  EXPECT_EQ((*recovered)->context("u2").recent_searches.size(), 1u);
  const IngestReport again = (*recovered)->ingest_events(kEvents);
  EXPECT_EQ(again.duplicates, 3u);
}

TEST(CloseFlushTest, ACleanCloseFlushesAndAFailedFlushLosesNothing) {
  const TempDir dir("feedscout_close_flush");
  {
    FaultyEngine f = open_faulty(dir.file("data"));
    ASSERT_TRUE(f.engine);
    ASSERT_EQ(f.engine->ingest_documents(kDocs).accepted, 2u);
    expect_events_accepted(*f.engine);
    EXPECT_EQ(f.faults->flushes(), 0u);  // only a close flushes
    FaultInjectionKvStore* faults = f.faults;
    faults->arm_flushes(1);
    f.engine.reset();  // the final checkpoint, then a flush that fails
  }
  {
    FaultyEngine f = open_faulty(dir.file("data"));
    ASSERT_TRUE(f.engine);
    EXPECT_TRUE(stored_event(*f.engine, "e1"));
    EXPECT_TRUE(known_user(*f.engine, "u1"));
    EXPECT_EQ(f.engine->context("u2").recent_searches.size(), 1u);
    const IngestReport more = f.engine->ingest_events(kMoreEvents);
    ASSERT_TRUE(more.commit_status.is_ok()) << more.commit_status.to_string();
    f.engine.reset();  // a clean close: checkpoint and flush
  }
  // The flushed write-ahead log holds nothing for the next open to replay.
  size_t wal_bytes = 0, wal_files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("data"))) {
    if (entry.path().extension() != ".log" || entry.path().filename() == "LOG") continue;
    ++wal_files;
    wal_bytes += entry.file_size();
  }
  EXPECT_EQ(wal_bytes, 0u) << wal_files << " log files";
  auto reopened = Engine::open(engine_config(dir.file("data")), [] { return kNow; });
  ASSERT_TRUE(reopened.is_ok()) << reopened.status().to_string();
  EXPECT_EQ((*reopened)->stats().replayed_events, 0u);  // the close checkpointed everything
  EXPECT_TRUE(known_user(**reopened, "u3"));
  EXPECT_EQ((*reopened)->ingest_events(kEvents).duplicates, 3u);
}

TEST(OpenFaultTest, AStoreThatCannotBeReadAtOpenFailsTheOpenWithItsError) {
  const TempDir dir("feedscout_open_fault");
  {
    auto e = Engine::open(engine_config(dir.file("data")), [] { return kNow; });
    ASSERT_TRUE(e.is_ok());
    ASSERT_EQ((*e)->ingest_documents(kDocs).accepted, 2u);
  }
  for (uint64_t skip = 0; skip < 6; ++skip) {
    auto e = Engine::open(
        engine_config(dir.file("data")), [] { return kNow; },
        [skip](std::unique_ptr<KvStore> base) -> std::unique_ptr<KvStore> {
          auto f = std::make_unique<FaultInjectionKvStore>(std::move(base));
          f->arm_reads({skip, 1});
          return f;
        });
    ASSERT_FALSE(e.is_ok()) << "read " << skip;
    EXPECT_NE(e.status().to_string().find("injected read fault"), std::string::npos)
        << e.status().to_string();
  }
}

}  // namespace
}  // namespace feedscout
