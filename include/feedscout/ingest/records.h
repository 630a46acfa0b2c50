// The data model: documents and user events, as accepted from JSON Lines or JSON arrays.
// The wire formats are documented in docs/FORMATS.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/time.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

// Where an interaction happened.
enum class Surface : uint8_t { kSearch = 0, kFeed = 1, kMain = 2 };
constexpr int kNumSurfaces = 3;
const char* surface_name(Surface s);  // "search", "feed", "main"
std::optional<Surface> parse_surface(std::string_view name);

enum class EventType : uint8_t { kSearch = 0, kImpression = 1, kClick = 2 };
const char* event_type_name(EventType t);
std::optional<EventType> parse_event_type(std::string_view name);

// One user event. Event ids are globally unique; applying the same id twice is a no-op.
struct Event {
  std::string id;
  EventType type = EventType::kClick;
  std::string user;
  TimeMs time_ms = 0;
  Surface surface = Surface::kSearch;  // always kSearch for type kSearch
  std::string query;                   // search only, non-empty
  std::vector<std::string> doc_ids;    // clicked (search, click) or shown (impression), as
                                       // listed; a repeated id counts once when applied
  double dwell_s = -1;                 // click only; < 0 when not reported
};

// Where a document's topic came from.
// kClassifier: the in-process student (fastText); kLanguageModel: a language model with
// trie-constrained decoding.
enum class TopicSource : uint8_t { kProvided = 0, kClassifier = 1, kLanguageModel = 2 };
const char* topic_source_name(TopicSource s);

struct DocTopic {
  TopicId topic = kNoTopic;
  float score = 1.0f;  // 0..1
  TopicSource source = TopicSource::kProvided;
};

struct Document {
  std::string id;
  std::string title;
  std::string body;
  std::string url;
  std::string source;  // free-form origin: "blog", "news", "cafe", ...
  TimeMs created_ms = 0;
  std::vector<DocTopic> topics;  // at most 3, every topic valid in the loaded taxonomy
};

}  // namespace feedscout
