// Configuration of the engine, with the documented defaults
// (config/feedscout.toml lists every key; docs/CONFIG.md explains them).
#pragma once

#include <string>

#include "feedscout/common/status.h"
#include "feedscout/config/config_table.h"
#include "feedscout/context/context_config.h"
#include "feedscout/engine/feature_log.h"
#include "feedscout/index/ann_index.h"
#include "feedscout/index/document_index.h"
#include "feedscout/index/query_graph.h"
#include "feedscout/index/suggest_index.h"
#include "feedscout/index/trend_index.h"
#include "feedscout/ingest/parse.h"
#include "feedscout/intent/keyword_extractor.h"
#include "feedscout/intent/refiner.h"
#include "feedscout/llm/client.h"
#include "feedscout/llm/llm_topic_classifier.h"
#include "feedscout/serve/feed_builder.h"
#include "feedscout/serve/search_feed.h"

namespace feedscout {

// The language-model classifier (kind "llm" or "llm+fasttext"; docs/LLM.md).
struct LlmClassifierConfig {
  llm::LlmClientConfig client;
  std::string prompt_path = "data/prompts/classify.txt";
  llm::LlmClassifierOptions options;  // beams, top_k, body budget, end token
  int max_logprobs = 20;              // K of each next-token request (the server's limit)
  // "beam": trie-constrained beam search over next-token log-probabilities (vLLM, llama.cpp;
  // top-k labels with scores). "choice": one request per document with the label set as the
  // answer's constraint (every dialect, Ollama and OpenAI included; one label, score 1).
  std::string decoding = "beam";
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
// The language-model refiner, run asynchronously after the default answered (intent/
// llm_refiner.h, engine/async_refinement.h; docs/INTENTS.md).
struct IntentLlmConfig {
  bool enabled = false;
  llm::LlmClientConfig client;  // its deadline_ms is set to timeout_ms
  std::string prompt_path = "data/prompts/refine.txt";
  TimeMs timeout_ms = 3000;  // from the search's arrival to the model's answer
  size_t workers = 2;        // threads waiting on the model (the client bounds requests)
  size_t max_queue = 1024;   // searches waiting; more are dropped (default answer stays)
  size_t body_budget = 300;  // code points of each clicked document's body in the prompt
};

struct IntentConfig {
  std::string refiner = "extractive";  // "extractive", "mined" (+ extractive fallback), "none"
  std::string mined_table;             // mine-intents output (JSON Lines); kind "mined" only
  intent::RefinerOptions options;
  SuggestConfig suggest;  // GET /v1/suggest: decay and bound of the suggestion index
  IntentLlmConfig llm;
};

// Interest keywords, the fourth context (issue 5; intent/keyword_extractor.h): the extractor
// run on every search and click. The context's own keys (cap, half-lives, lasting thresholds)
// are ContextConfig::keywords, read from the same [keywords] section.
struct KeywordsConfig {
  // "statistical" (the embedded default) or "none". The language-model extractor
  // (intent/llm_keyword_extractor.h) is a library, not run on the ingest path.
  std::string extractor = "statistical";
  intent::KeywordOptions options;
};

// Document embeddings and the ANN index (issue 6; docs/EMBEDDINGS.md). Section [embeddings].
// Documents are embedded on ingest (on the caller's thread, like classification), their
// vectors stored beside them (v/<id>) and indexed in an AnnIndex that is saved under the data
// directory and loaded, or rebuilt from the stored vectors, on start.
struct EmbeddingsConfig {
  // "fasttext": the in-process skipgram model at model_path (`feedscout train-embeddings`);
  // "llm": a server's /v1/embeddings (client keys llm_*; llm_dimension required); "none".
  std::string kind = "none";
  std::string model_path;
  llm::LlmClientConfig client;
  size_t llm_dimension = 0;
  size_t llm_max_batch = 32;
  std::string llm_document_prefix;
  // The ANN's graph parameters; its dimension is the embedder's. ef_construction is lower
  // than AnnIndexConfig's default: inserts sit on the ingest path (docs/EMBEDDINGS.md).
  AnnIndexConfig ann{.dimension = 64, .m = 16, .ef_construction = 100, .ef_search = 64};
  // Documents older than this (by created time) leave the ANN index; 0 keeps them all.
  TimeMs max_age_ms = 30 * kMsPerDay;
  // While it changes, the ANN file is rewritten at most this often (and at close); a crash
  // loses nothing: missing vectors are re-added from the store on start.
  TimeMs save_interval_ms = 10 * 60 * kMsPerSecond;
};

// The collaborative model (models/collaborative_model.h), trained from every user's recent
// clicks (context.max_recent_clicks each) off the write path.
struct CollaborativeConfig {
  bool enabled = true;
  CollaborativeOptions options;
  // A background trainer retrains every retrain_interval_s when at least min_new_clicks
  // clicks arrived since the last training (and once after opening); 0 = only when asked
  // (Engine::train_collaborative, e.g. the offline evaluation).
  double retrain_interval_s = 600;
  size_t min_new_clicks = 100;
};

// The learned ranker (models/gbdt_ranker.h, trained by `feedscout train-ranker`).
struct RankingConfig {
  // A model file trained on serve/ranking_features.h's schema; "" = the hand-set ranking.
  // Engine::load_ranker swaps in another one without a restart.
  std::string model_path;
  // The model file is checked this often and reloaded when it changed (`train-ranker`
  // replaces it atomically); 0 = only at start and by Engine::load_ranker.
  double reload_check_s = 5;
  // Served pages and clicks for training (engine/feature_log.h), under
  // <data_dir>/feature-log.
  FeatureLogConfig feature_log;
};

struct EngineConfig {
  std::string data_dir = "var/data";
  std::string taxonomy_path = "data/taxonomy/iab-content-3.1-ko.tsv";
  ClassifierConfig classifier;
  ParseLimits limits;
  ContextConfig context;
  IndexConfig index;
  FeedConfig feed;
  TrendConfig trends;            // GET /v1/trends ([trends]; index/trend_index.h)
  SearchFeedConfig search_feed;  // GET /v1/search-feed (serve/search_feed.h)
  QueryGraphConfig query_graph;  // neighbouring queries and context texts
  IntentConfig intent;
  KeywordsConfig keywords;
  EmbeddingsConfig embeddings;
  CollaborativeConfig collaborative;
  RankingConfig ranking;
  // Documents served by the feed are not served again for this long, even before the
  // platform reports their impressions.
  TimeMs served_memory_ms = 10 * 60 * kMsPerSecond;
  size_t block_cache_mb = 64;
  // Contexts are checkpointed this often while events arrive (and when ingest goes idle);
  // a crash replays at most this much of the durable event log on the next open.
  TimeMs checkpoint_interval_ms = 5 * kMsPerSecond;
};

// Reads the engine's sections of a configuration file over the defaults in `out` (every
// key in config/feedscout.toml except [server]); errors are recorded in `table` and returned.
// Unknown keys are the caller's to report (ConfigTable::finish, after every stage read).
[[nodiscard]] Status read_engine_config(ConfigTable& table, EngineConfig& out);
// Checks ranges and combinations; errors name `source` and the key.
[[nodiscard]] Status validate_engine_config(const EngineConfig& config, const std::string& source);

}  // namespace feedscout
