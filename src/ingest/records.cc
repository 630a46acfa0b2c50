#include "feedscout/ingest/records.h"

namespace feedscout {

const char* surface_name(Surface s) {
  switch (s) {
    case Surface::kSearch:
      return "search";
    case Surface::kFeed:
      return "feed";
    case Surface::kMain:
      return "main";
  }
  return "?";
}

std::optional<Surface> parse_surface(std::string_view name) {
  if (name == "search") return Surface::kSearch;
  if (name == "feed") return Surface::kFeed;
  if (name == "main") return Surface::kMain;
  return std::nullopt;
}

const char* event_type_name(EventType t) {
  switch (t) {
    case EventType::kSearch:
      return "search";
    case EventType::kImpression:
      return "impression";
    case EventType::kClick:
      return "click";
  }
  return "?";
}

std::optional<EventType> parse_event_type(std::string_view name) {
  if (name == "search") return EventType::kSearch;
  if (name == "impression") return EventType::kImpression;
  if (name == "click") return EventType::kClick;
  return std::nullopt;
}

const char* topic_source_name(TopicSource s) {
  switch (s) {
    case TopicSource::kProvided:
      return "provided";
    case TopicSource::kClassifier:
      return "classifier";
    case TopicSource::kLanguageModel:
      return "language_model";
  }
  return "provided";
}

}  // namespace feedscout
