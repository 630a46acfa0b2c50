// Configuration of the engine and its server, with the documented defaults
// (config/feedscout.toml lists every key; docs/CONFIG.md explains them).
#pragma once

#include <string>

#include "feedscout/common/status.h"
#include "feedscout/context/context_config.h"
#include "feedscout/index/document_index.h"
#include "feedscout/index/suggest_index.h"
#include "feedscout/ingest/parse.h"
#include "feedscout/intent/refiner.h"
#include "feedscout/llm/client.h"
#include "feedscout/llm/llm_topic_classifier.h"
#include "feedscout/serve/feed_builder.h"

namespace feedscout {

// The language-model classifier (kind "llm" or "llm+fasttext"; docs/LLM.md).
struct LlmClassifierConfig {
  llm::LlmClientConfig client;
  std::string prompt_path = "data/prompts/classify.txt";
  llm::LlmClassifierOptions options;  // beams, top_k, body budget, end token
  int max_logprobs = 20;              // K of each next-token request (the server's limit)
};

struct ClassifierConfig {
  // "fasttext" (the student), "none", "llm" (a language model with trie-constrained
  // decoding) or "llm+fasttext" (the language model, the student answering whenever it
  // fails — also when the server cannot be reached at start-up).
  std::string kind = "fasttext";
  std::string model_path;  // the student; "" = none (documents need their own topics)
  int max_topics = 3;
  float min_score = 0.15f;  // labels below are dropped (the best one is always kept)
  LlmClassifierConfig llm;
};

// Search-intent refinement (issue 5; intent/refiner.h): a search with clicks gets a refined
// query Q*, kept with the user's recent search and led with by AfterSearch.
struct IntentConfig {
  std::string refiner = "extractive";  // "extractive", "mined" (+ extractive fallback), "none"
  std::string mined_table;             // mine-intents output (JSON Lines); kind "mined" only
  intent::RefinerOptions options;
  SuggestConfig suggest;  // GET /v1/suggest: decay and bound of the suggestion index
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = 8;
  size_t max_body_bytes = 16 << 20;  // larger request bodies get 413
};

struct EngineConfig {
  std::string data_dir = "var/data";
  std::string taxonomy_path = "data/taxonomy/iab-content-3.1-ko.tsv";
  ClassifierConfig classifier;
  ParseLimits limits;
  ContextConfig context;
  IndexConfig index;
  FeedConfig feed;
  IntentConfig intent;
  // Documents served by the feed are not served again for this long, even before the
  // platform reports their impressions.
  TimeMs served_memory_ms = 10 * 60 * kMsPerSecond;
  size_t block_cache_mb = 64;
  // Contexts are checkpointed this often while events arrive (and when ingest goes idle);
  // a crash replays at most this much of the durable event log on the next open.
  TimeMs checkpoint_interval_ms = 5 * kMsPerSecond;
};

struct AppConfig {
  EngineConfig engine;
  ServerConfig server;
};

// Reads a TOML file over the defaults. Unknown keys are errors (a typo must not silently
// keep a default); messages name the file and key.
[[nodiscard]] Result<AppConfig> load_config_file(const std::string& path);
[[nodiscard]] Result<AppConfig> parse_config(std::string_view toml_text, const std::string& source);

}  // namespace feedscout
