// Recovery from the event log: a process that dies right after its events were
// acknowledged (before any checkpoint of the contexts) loses nothing — reopening replays
// the log past the checkpoint and gives the same contexts as an engine that never died.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "feedscout/engine/engine.h"
#include "feedscout/ingest/event_record.h"
#include "feedscout/store/rocksdb_store.h"
#include "support/test_support.h"

namespace feedscout {
namespace {

namespace fs = std::filesystem;
using testing_support::engine_config;
using testing_support::TempDir;

constexpr TimeMs kNow = 1795176000000;  // 2026-11-20T12:00:00Z

const char* kDocs =
    R"({"id":"d1","title":"손흥민 결승골","created_at":"2026-11-19T12:00:00Z","topics":["533"]})"
    "\n"
    R"({"id":"d2","title":"오타니 홈런","created_at":"2026-11-20T09:00:00Z","topics":["545"]})"
    "\n"
    R"({"id":"d3","title":"두바이 초콜릿 가게","created_at":"2026-11-20T06:00:00Z","topics":["217"]})"
    "\n";

std::string events() {
  std::string out;
  for (int i = 0; i < 300; ++i) {
    const std::string user = "u" + std::to_string(i % 7);
    const std::string t = "\"2026-11-20T" + std::string(i % 20 < 10 ? "0" : "") +
                          std::to_string(i % 20) + ":00:00Z\"";
    const char* doc = i % 3 == 0 ? "d1" : i % 3 == 1 ? "d2" : "d3";
    if (i % 5 == 0) {
      out += R"({"id":"s)" + std::to_string(i) + R"(","type":"search","user":")" + user +
             R"(","time":)" + t + R"(,"query":"두바이 초콜릿","clicked":["d3"]})" + "\n";
    } else if (i % 2 == 0) {
      out += R"({"id":"i)" + std::to_string(i) + R"(","type":"impression","user":")" + user +
             R"(","time":)" + t + R"(,"surface":"feed","docs":["d1","d2","d3"]})" + "\n";
    } else {
      out += R"({"id":"c)" + std::to_string(i) + R"(","type":"click","user":")" + user +
             R"(","time":)" + t + R"(,"surface":"main","docs":[")" + doc + "\"]}\n";
    }
  }
  return out;
}

EngineConfig config_for(const fs::path& dir) {
  return engine_config((dir / "data").string());
}

// A child process ingests kDocs and events() into `dir` and exits at once, skipping every
// destructor (no checkpoint: the pinned clock never makes one due, and the idle checkpoint
// waits a second). Fails the test unless every item was acknowledged.
void ingest_and_die(const fs::path& dir) {
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    auto e = Engine::open(config_for(dir), [] { return kNow; });
    if (!e.is_ok()) std::_Exit(10);
    if ((*e)->ingest_documents(kDocs).accepted != 3) std::_Exit(11);
    const IngestReport r = (*e)->ingest_events(events());
    std::_Exit(r.accepted == 300 && r.commit_status.is_ok() ? 0 : 12);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
}

// The same input through an engine that closes normally.
void ingest_and_close(const fs::path& dir) {
  auto e = Engine::open(config_for(dir), [] { return kNow; });
  ASSERT_TRUE(e.is_ok());
  ASSERT_EQ((*e)->ingest_documents(kDocs).accepted, 3u);
  ASSERT_EQ((*e)->ingest_events(events()).accepted, 300u);
}

TEST(RecoveryTest, AcknowledgedEventsAreReplayedAfterADeathBeforeTheCheckpoint) {
  const TempDir base("feedscout_recovery");
  const fs::path died = base.path() / "died", lived = base.path() / "lived";
  fs::create_directories(died);
  fs::create_directories(lived);

  ASSERT_NO_FATAL_FAILURE(ingest_and_die(died));
  ASSERT_NO_FATAL_FAILURE(ingest_and_close(lived));

  auto recovered = Engine::open(config_for(died), [] { return kNow; });
  ASSERT_TRUE(recovered.is_ok()) << recovered.status().to_string();
  auto control = Engine::open(config_for(lived), [] { return kNow; });
  ASSERT_TRUE(control.is_ok()) << control.status().to_string();
  EXPECT_EQ((*recovered)->stats().replayed_events, 300u);
  EXPECT_EQ((*control)->stats().replayed_events, 0u);  // its checkpoint covered everything

  for (int u = 0; u < 7; ++u) {
    const std::string user = "u" + std::to_string(u);
    bool known = false;
    const ContextView a = (*recovered)->context(user, &known);
    ASSERT_TRUE(known) << user;
    const ContextView b = (*control)->context(user);
    EXPECT_EQ(a.user_class, b.user_class);
    ASSERT_EQ(a.integrated.size(), b.integrated.size()) << user;
    for (size_t i = 0; i < a.integrated.size(); ++i) {
      EXPECT_EQ(a.integrated[i].topic, b.integrated[i].topic);
      EXPECT_NEAR(a.integrated[i].score, b.integrated[i].score, 1e-9);
    }
    ASSERT_EQ(a.recent_searches.size(), b.recent_searches.size());
    const FeedPage fa = (*recovered)->feed(user, 5, false), fb = (*control)->feed(user, 5, false);
    ASSERT_EQ(fa.items.size(), fb.items.size());
    for (size_t i = 0; i < fa.items.size(); ++i) EXPECT_EQ(fa.items[i].doc_id, fb.items[i].doc_id);
  }
  // Replayed events stay duplicates: nothing is applied twice.
  const IngestReport again = (*recovered)->ingest_events(events());
  EXPECT_EQ(again.accepted, 0u);
  EXPECT_EQ(again.duplicates, 300u);
}

// Searches of many users (more than one hand-over batch of the open's rebuild thread): after
// a restart the suggestions and the query graph behind the search feed's later pages are
// rebuilt from the stored contexts and answer as before.
TEST(RecoveryTest, SuggestionsAndTheQueryGraphAnswerTheSameAfterARestart) {
  const TempDir base("feedscout_recovery_graph");
  const char* queries[] = {"두바이 초콜릿", "두바이 초콜릿 가게", "손흥민", "손흥민 골", "오타니"};
  const char* clicked[] = {"d3", "d3", "d1", "d1", "d2"};
  std::string body;
  for (int u = 0; u < 700; ++u) {
    for (int k = 0; k < 2; ++k) {
      const int q = (u + k * (u % 3 + 1)) % 5;
      const int minute = (u * 2 + k) % 60;
      body += R"({"id":"g)" + std::to_string(u) + "_" + std::to_string(k) +
              R"(","type":"search","user":"gu)" + std::to_string(u) +
              R"(","time":"2026-11-20T10:)" + (minute < 10 ? "0" : "") + std::to_string(minute) +
              R"(:00Z","query":")" + queries[q] + R"(","clicked":[")" + clicked[q] + "\"]}\n";
    }
  }
  struct Answers {
    std::vector<std::vector<std::string>> suggestions;
    std::vector<std::vector<std::string>> pages;
  };
  const auto answers = [&](Engine& e) {
    Answers a;
    for (const char* q : queries) {
      std::vector<std::string> got;
      for (const Suggestion& s : e.suggest(q, 5)) got.push_back(s.query);
      a.suggestions.push_back(got);
    }
    for (const char* q : queries) {
      for (size_t page = 0; page < 3; ++page) {
        std::vector<std::string> got;
        for (const SearchFeedEntry& item : e.search_feed("gu1", q, page, 3, false, false).items) {
          got.push_back(item.doc_id + " " + item.reason);
        }
        a.pages.push_back(got);
      }
    }
    return a;
  };
  Answers before;
  {
    auto e = Engine::open(config_for(base.path()), [] { return kNow; });
    ASSERT_TRUE(e.is_ok());
    ASSERT_EQ((*e)->ingest_documents(kDocs).accepted, 3u);
    std::string docs;
    const char* titles[] = {"두바이 초콜릿 만들기", "두바이 초콜릿 가게 후기",
                            "손흥민 인터뷰",        "손흥민 골 장면",
                            "오타니 투구",          "오타니 인터뷰"};
    for (int i = 0; i < 24; ++i) {
      docs += R"({"id":"x)" + std::to_string(i) + R"(","title":")" + titles[i % 6] + " " +
              std::to_string(i) + R"(","created_at":"2026-11-20T0)" + std::to_string(i % 10) +
              ":00:00Z\"}\n";
    }
    ASSERT_EQ((*e)->ingest_documents(docs).accepted, 24u);
    ASSERT_EQ((*e)->ingest_events(body).accepted, 1400u);
    before = answers(**e);
  }
  auto reopened = Engine::open(config_for(base.path()), [] { return kNow; });
  ASSERT_TRUE(reopened.is_ok()) << reopened.status().to_string();
  EXPECT_EQ((*reopened)->stats().users, 700u);
  const Answers after = answers(**reopened);
  EXPECT_EQ(after.suggestions, before.suggestions);
  EXPECT_EQ(after.pages, before.pages);
  size_t suggested = 0, paged = 0;
  for (const auto& list : before.suggestions) suggested += list.size();
  for (const auto& list : before.pages) paged += list.size();
  EXPECT_GT(suggested, 0u);
  EXPECT_GT(paged, 20u);
}

// Data directories written before events were stored as binary records hold canonical JSON
// under e/<id>: a log replay over them applies them the same, and reading one back gives it.
TEST(RecoveryTest, EventsStoredAsJsonBeforeRecordsAreStillReplayedAndRead) {
  const TempDir base("feedscout_recovery_json");
  const fs::path died = base.path() / "died", lived = base.path() / "lived";
  ASSERT_NO_FATAL_FAILURE(ingest_and_die(died));
  {
    // Rewrite every stored event the old way.
    auto store = open_rocksdb_store((died / "data").string());
    ASSERT_TRUE(store.is_ok()) << store.status().to_string();
    WriteBatch rewrite;
    ASSERT_TRUE((*store)
                    ->scan_prefix("e/",
                                  [&](std::string_view key, std::string_view value) {
                                    auto event = decode_event_record(value);
                                    EXPECT_TRUE(event.is_ok());
                                    if (event.is_ok()) {
                                      rewrite.put(std::string(key), event_to_json(*event));
                                    }
                                    return true;
                                  })
                    .is_ok());
    ASSERT_EQ(rewrite.size(), 300u);
    ASSERT_TRUE((*store)->write(rewrite, WriteOptions{true}).is_ok());
  }
  ASSERT_NO_FATAL_FAILURE(ingest_and_close(lived));
  auto recovered = Engine::open(config_for(died), [] { return kNow; });
  ASSERT_TRUE(recovered.is_ok()) << recovered.status().to_string();
  auto control = Engine::open(config_for(lived), [] { return kNow; });
  ASSERT_TRUE(control.is_ok());
  EXPECT_EQ((*recovered)->stats().replayed_events, 300u);
  for (int u = 0; u < 7; ++u) {
    const std::string user = "u" + std::to_string(u);
    const ContextView a = (*recovered)->context(user), b = (*control)->context(user);
    ASSERT_EQ(a.integrated.size(), b.integrated.size()) << user;
    for (size_t i = 0; i < a.integrated.size(); ++i) {
      EXPECT_NEAR(a.integrated[i].score, b.integrated[i].score, 1e-9);
    }
  }
  // Both forms read back as the same JSON.
  for (const char* id : {"s0", "i2", "c1"}) {
    auto old_form = (*recovered)->event_json(id), new_form = (*control)->event_json(id);
    ASSERT_TRUE(old_form.is_ok() && new_form.is_ok());
    ASSERT_TRUE(old_form->has_value() && new_form->has_value()) << id;
    EXPECT_EQ(**old_form, **new_form);
    EXPECT_EQ(new_form->value().front(), '{');
  }
}

}  // namespace
}  // namespace feedscout
