#include "feedscout/engine/config.h"

#include <fstream>
#include <set>
#include <sstream>

namespace feedscout {
Status read_engine_config(ConfigTable& r, EngineConfig& e) {
  r.read("engine", "data_dir", e.data_dir);
  r.read("engine", "taxonomy", e.taxonomy_path);
  int64_t served_s = e.served_memory_ms / 1000;
  r.read("engine", "served_memory_s", served_s);
  e.served_memory_ms = served_s * 1000;
  r.read("engine", "block_cache_mb", e.block_cache_mb);
  double checkpoint_s = static_cast<double>(e.checkpoint_interval_ms) / 1000.0;
  r.read("engine", "checkpoint_interval_s", checkpoint_s);
  e.checkpoint_interval_ms = static_cast<TimeMs>(checkpoint_s * 1000.0);

  r.read("classifier", "kind", e.classifier.kind);
  r.read("classifier", "model", e.classifier.model_path);
  r.read("classifier", "max_topics", e.classifier.max_topics);
  r.read("classifier", "min_score", e.classifier.min_score);
  LlmClassifierConfig& lm = e.classifier.llm;
  // The client keys, shared by [classifier], [intent] and [embeddings]; `dialect` is parsed
  // after the section's keys.
  const auto read_client = [&r](const char* section, llm::LlmClientConfig& client,
                                std::string& dialect) {
    r.read(section, "llm_base_url", client.base_url);
    r.read(section, "llm_model", client.model);
    r.read(section, "llm_api_key_env", client.api_key_env);
    dialect = llm::dialect_name(client.dialect);
    r.read(section, "llm_dialect", dialect);
    r.read(section, "llm_vllm_version", client.vllm_version);
    r.read(section, "llm_connect_timeout_ms", client.connect_timeout_ms);
    r.read(section, "llm_request_timeout_ms", client.request_timeout_ms);
    r.read(section, "llm_max_in_flight", client.max_in_flight);
    r.read(section, "llm_max_retries", client.max_retries);
  };
  std::string dialect;
  read_client("classifier", lm.client, dialect);
  r.read("classifier", "llm_prompt", lm.prompt_path);
  r.read("classifier", "llm_body_budget", lm.options.body_budget);
  r.read("classifier", "llm_beams", lm.options.beam.beams);
  r.read("classifier", "llm_end_token", lm.options.end_token);
  r.read("classifier", "llm_max_logprobs", lm.max_logprobs);
  r.read("classifier", "llm_decoding", lm.decoding);

  ParseLimits& l = e.limits;
  r.read("limits", "max_item_bytes", l.max_item_bytes);
  r.read("limits", "max_doc_ids", l.max_doc_ids);
  r.read("limits", "max_query_bytes", l.max_query_bytes);
  r.read("limits", "max_body_bytes", l.max_body_bytes);
  int64_t future_s = l.max_future_ms / 1000, past_days = l.max_past_ms / kMsPerDay;
  r.read("limits", "max_future_s", future_s);
  r.read("limits", "max_past_days", past_days);
  l.max_future_ms = future_s * 1000;
  l.max_past_ms = past_days * kMsPerDay;

  ContextConfig& x = e.context;
  double half_life_days = x.half_life_s / 86400.0;
  r.read("context", "half_life_days", half_life_days);
  x.half_life_s = half_life_days * 86400.0;
  r.read("context", "prior", x.prior);
  r.read("context", "prior_strength", x.prior_strength);
  r.read("context", "short_dwell_s", x.short_dwell_s);
  r.read("context", "short_click_weight", x.short_click_weight);
  r.read("context", "light_max_feed_clicks", x.light_max_feed_clicks);
  r.read("context", "heavy_min_feed_clicks", x.heavy_min_feed_clicks);
  r.read_numbers("context", "light_weights", x.light_weights, "[search, feed, main]");
  r.read_numbers("context", "heavy_weights", x.heavy_weights, "[search, feed, main]");
  r.read("context", "max_recent_searches", x.max_recent_searches);
  r.read("context", "max_recent_clicks", x.max_recent_clicks);
  r.read("context", "max_seen_docs", x.max_seen_docs);

  FeedConfig& f = e.feed;
  r.read("feed", "default_n", f.default_n);
  r.read("feed", "max_n", f.max_n);
  int64_t window_h = f.after_search_window_ms / kMsPerHour;
  r.read("feed", "after_search_window_h", window_h);
  f.after_search_window_ms = window_h * kMsPerHour;
  r.read("feed", "after_search_queries", f.after_search_queries);
  r.read("feed", "after_search_items", f.after_search_items);
  r.read("feed", "max_topics", f.max_topics);
  r.read("feed", "specific_topic_ratio", f.specific_topic_ratio);
  r.read("feed", "max_items_per_topic", f.max_items_per_topic);
  double fresh_days = f.fresh_half_life_s / 86400.0;
  r.read("feed", "fresh_half_life_days", fresh_days);
  f.fresh_half_life_s = fresh_days * 86400.0;
  double young_h = f.recency_young_half_life_s / 3600.0;
  r.read("feed", "recency_young_half_life_h", young_h);
  f.recency_young_half_life_s = young_h * 3600.0;
  r.read("feed", "recency_young_share", f.recency_young_share);
  r.read("feed", "relevance_threshold", f.relevance_threshold);
  r.read("feed", "recency_weight", f.recency_weight);
  r.read("feed", "learned_recency_weight", f.learned_recency_weight);
  r.read("feed", "below_threshold_factor", f.below_threshold_factor);
  r.read("feed", "diversity_window", f.diversity_window);
  r.read("feed", "diversity_max_per_topic", f.diversity_max_per_topic);
  r.read("feed", "popular_share", f.popular_share);
  r.read("feed", "popularity_weight", f.popularity_weight);
  r.read("feed", "popular_weight", f.popular_weight);
  r.read("feed", "related_weight", f.related_weight);
  r.read("feed", "related_anchors", f.related_anchors);
  r.read("feed", "keyword_queries", f.keyword_queries);
  r.read("feed", "keyword_items", f.keyword_items);
  r.read("feed", "keyword_weight", f.keyword_weight);
  r.read("feed", "profile_queries", f.profile_queries);
  r.read("feed", "profile_items", f.profile_items);
  r.read("feed", "embedding_weight", f.embedding_weight);
  r.read("feed", "embedding_min_similarity", f.embedding_min_similarity);

  SearchFeedConfig& sf = e.search_feed;
  r.read("search_feed", "default_n", sf.default_n);
  r.read("search_feed", "max_n", sf.max_n);
  r.read("search_feed", "max_page", sf.max_page);
  r.read("search_feed", "related_pool", sf.related_pool);
  r.read("search_feed", "ranker_max_candidates", sf.ranker_max_candidates);
  r.read("search_feed", "reactive_items", sf.reactive_items);
  int64_t session_min = sf.session_window_ms / 60000;
  r.read("search_feed", "session_window_min", session_min);
  sf.session_window_ms = session_min * 60000;
  r.read("search_feed", "min_context_similarity", sf.min_context_similarity);
  r.read("search_feed", "min_on_sense", sf.min_on_sense);
  double sf_fresh_days = sf.fresh_half_life_s / 86400.0;
  r.read("search_feed", "fresh_half_life_days", sf_fresh_days);
  sf.fresh_half_life_s = sf_fresh_days * 86400.0;
  r.read("search_feed", "text_weight", sf.text_weight);
  r.read("search_feed", "fresh_weight", sf.fresh_weight);
  r.read("search_feed", "context_weight", sf.context_weight);
  r.read("search_feed", "preference_weight", sf.preference_weight);
  r.read("search_feed", "profile_weight", sf.profile_weight);
  r.read("search_feed", "min_profile_closeness", sf.min_profile_closeness);
  r.read("search_feed", "expansive_queries", sf.expansive_queries);
  r.read("search_feed", "expansive_items_per_query", sf.expansive_items_per_query);
  r.read("search_feed", "pool_cache_entries", sf.pool_cache_entries);
  r.read("search_feed", "pool_cache_max_stale_ms", sf.pool_cache_max_stale_ms);
  QueryGraphConfig& qg = e.query_graph;
  double qg_days = qg.half_life_s / 86400.0;
  r.read("query_graph", "half_life_days", qg_days);
  qg.half_life_s = qg_days * 86400.0;
  double gap_min = qg.session_gap_s / 60.0;
  r.read("query_graph", "session_gap_min", gap_min);
  qg.session_gap_s = gap_min * 60.0;
  r.read("query_graph", "session_weight", qg.session_weight);
  r.read("query_graph", "max_queries", qg.max_queries);
  r.read("query_graph", "max_neighbours", qg.max_neighbours);
  r.read("query_graph", "max_context_words", qg.max_context_words);

  TrendConfig& tr = e.trends;
  r.read("trends", "default_window_h", tr.default_window_h);
  r.read("trends", "max_window_h", tr.max_window_h);
  r.read("trends", "min_recent_clicks", tr.min_recent_clicks);
  r.read("trends", "min_growth", tr.min_growth);
  r.read("trends", "docs_per_trend", tr.docs_per_trend);

  double pop_hours = e.index.popularity_half_life_s / 3600.0;
  r.read("index", "popularity_half_life_h", pop_hours);
  e.index.popularity_half_life_s = pop_hours * 3600.0;
  double lasting_pop_days = e.index.lasting_popularity_half_life_s / 86400.0;
  r.read("index", "lasting_popularity_half_life_days", lasting_pop_days);
  e.index.lasting_popularity_half_life_s = lasting_pop_days * 86400.0;
  r.read("index", "min_query_coverage", e.index.min_query_coverage);
  r.read("index", "topic_popular_size", e.index.topic_popular_size);
  r.read("index", "coclick_neighbours", e.index.coclick_neighbours);
  double coclick_days = e.index.coclick_window_s / 86400.0;
  r.read("index", "coclick_window_days", coclick_days);
  e.index.coclick_window_s = coclick_days * 86400.0;

  auto& in = e.intent;
  r.read("intent", "refiner", in.refiner);
  r.read("intent", "mined_table", in.mined_table);
  r.read("intent", "max_added_words", in.options.max_added_words);
  r.read("intent", "max_tokens", in.options.max_tokens);
  r.read("intent", "max_bytes", in.options.max_bytes);
  r.read("intent", "title_weight", in.options.title_weight);
  r.read("intent", "min_idf", in.options.min_idf);
  double suggest_days = in.suggest.half_life_s / 86400.0;
  r.read("intent", "suggest_half_life_days", suggest_days);
  in.suggest.half_life_s = suggest_days * 86400.0;
  r.read("intent", "suggest_max_entries", in.suggest.max_entries);
  std::string intent_dialect;
  r.read("intent", "llm", in.llm.enabled);
  read_client("intent", in.llm.client, intent_dialect);
  r.read("intent", "llm_prompt", in.llm.prompt_path);
  r.read("intent", "llm_timeout_ms", in.llm.timeout_ms);
  r.read("intent", "llm_workers", in.llm.workers);
  r.read("intent", "llm_max_queue", in.llm.max_queue);
  r.read("intent", "llm_body_budget", in.llm.body_budget);

  KeywordsConfig& kw = e.keywords;
  KeywordContextConfig& kc = x.keywords;
  r.read("keywords", "extractor", kw.extractor);
  r.read("keywords", "max_per_event", kw.options.max_keywords);
  r.read("keywords", "min_idf", kw.options.min_idf);
  r.read("keywords", "title_weight", kw.options.title_weight);
  r.read("keywords", "body_weight", kw.options.body_weight);
  r.read("keywords", "query_weight", kw.options.query_weight);
  r.read("keywords", "max_entity_words", kw.options.max_entity_words);
  r.read("keywords", "max_per_user", kc.max_per_user);
  r.read("keywords", "lasting_min_days", kc.lasting_min_days);
  r.read("keywords", "lasting_min_surfaces", kc.lasting_min_surfaces);
  double lasting_days = kc.lasting_half_life_s / 86400.0;
  double errand_days = kc.errand_half_life_s / 86400.0;
  r.read("keywords", "lasting_half_life_days", lasting_days);
  r.read("keywords", "errand_half_life_days", errand_days);
  kc.lasting_half_life_s = lasting_days * 86400.0;
  kc.errand_half_life_s = errand_days * 86400.0;
  r.read("keywords", "min_view_weight", kc.min_view_weight);

  EmbeddingsConfig& em = e.embeddings;
  r.read("embeddings", "kind", em.kind);
  r.read("embeddings", "model", em.model_path);
  std::string embed_dialect;
  read_client("embeddings", em.client, embed_dialect);
  r.read("embeddings", "llm_dimension", em.llm_dimension);
  r.read("embeddings", "llm_max_batch", em.llm_max_batch);
  r.read("embeddings", "llm_document_prefix", em.llm_document_prefix);
  r.read("embeddings", "ann_m", em.ann.m);
  r.read("embeddings", "ann_ef_construction", em.ann.ef_construction);
  r.read("embeddings", "ann_ef_search", em.ann.ef_search);
  double max_age_days = static_cast<double>(em.max_age_ms) / kMsPerDay;
  r.read("embeddings", "max_age_days", max_age_days);
  em.max_age_ms = static_cast<TimeMs>(max_age_days * kMsPerDay);
  double save_s = static_cast<double>(em.save_interval_ms) / 1000.0;
  r.read("embeddings", "save_interval_s", save_s);
  em.save_interval_ms = static_cast<TimeMs>(save_s * 1000.0);

  CollaborativeConfig& co = e.collaborative;
  r.read("collaborative", "enabled", co.enabled);
  r.read("collaborative", "factors", co.options.als.factors);
  r.read("collaborative", "iterations", co.options.als.iterations);
  r.read("collaborative", "regularization", co.options.als.regularization);
  r.read("collaborative", "alpha", co.options.als.alpha);
  r.read("collaborative", "min_item_users", co.options.min_item_users);
  r.read("collaborative", "retrain_interval_s", co.retrain_interval_s);
  r.read("collaborative", "min_new_clicks", co.min_new_clicks);
  r.read("feed", "collaborative_items", f.collaborative_items);
  r.read("feed", "collaborative_weight", f.collaborative_weight);
  r.read("feed", "ranker_popular_items", f.ranker_popular_items);
  r.read("feed", "ranker_max_candidates", f.ranker_max_candidates);
  r.read("feed", "ranker_collaborative_items", f.ranker_collaborative_items);
  r.read("feed", "ranker_related_items", f.ranker_related_items);
  r.read("ranking", "model", e.ranking.model_path);
  r.read("ranking", "reload_check_s", e.ranking.reload_check_s);
  FeatureLogConfig& fl = e.ranking.feature_log;
  r.read("ranking", "log_features", fl.enabled);
  r.read("ranking", "log_sample_rate", fl.sample_rate);
  size_t segment_mb = fl.segment_bytes >> 20;
  r.read("ranking", "log_segment_mb", segment_mb);
  fl.segment_bytes = segment_mb << 20;
  r.read("ranking", "log_max_segments", fl.max_segments);

  ProfileContextConfig& pc = x.profiles;
  r.read("profiles", "max_profiles", pc.max_profiles);
  r.read("profiles", "merge_similarity", pc.merge_similarity);
  r.read("profiles", "click_rate", pc.click_rate);
  r.read("profiles", "skip_rate", pc.skip_rate);
  r.read("profiles", "skip_min_similarity", pc.skip_min_similarity);
  double profile_days = pc.half_life_s / 86400.0;
  r.read("profiles", "half_life_days", profile_days);
  pc.half_life_s = profile_days * 86400.0;
  double skip_min = static_cast<double>(pc.skip_after_ms) / 60000.0;
  r.read("profiles", "skip_after_min", skip_min);
  pc.skip_after_ms = static_cast<TimeMs>(skip_min * 60000.0);
  r.read("profiles", "max_pending", pc.max_pending);
  r.read("profiles", "min_view_weight", pc.min_view_weight);

  const auto parse_client_dialect = [&r](const std::string& name, const char* key,
                                         llm::LlmClientConfig& client) {
    auto d = llm::parse_dialect(name);
    if (d.is_ok()) {
      client.dialect = *d;
    } else {
      r.fail(d.status().with_context(key));
    }
  };
  parse_client_dialect(dialect, "classifier.llm_dialect", lm.client);
  parse_client_dialect(intent_dialect, "intent.llm_dialect", in.llm.client);
  parse_client_dialect(embed_dialect, "embeddings.llm_dialect", em.client);
  return r.status();
}

Status validate_engine_config(const EngineConfig& e, const std::string& source) {
  const LlmClassifierConfig& lm = e.classifier.llm;
  const ParseLimits& l = e.limits;
  const ContextConfig& x = e.context;
  const FeedConfig& f = e.feed;
  const SearchFeedConfig& sf = e.search_feed;
  const QueryGraphConfig& qg = e.query_graph;
  const TrendConfig& tr = e.trends;
  const auto& in = e.intent;
  const KeywordsConfig& kw = e.keywords;
  const KeywordContextConfig& kc = x.keywords;
  const EmbeddingsConfig& em = e.embeddings;
  const CollaborativeConfig& co = e.collaborative;
  const FeatureLogConfig& fl = e.ranking.feature_log;
  const ProfileContextConfig& pc = x.profiles;
  if (l.max_item_bytes == 0 || l.max_doc_ids == 0 || l.max_query_bytes == 0 ||
      l.max_body_bytes == 0 || l.max_future_ms < 0 || l.max_past_ms <= 0) {
    return Status::invalid_argument(source +
                                    ": limits.max_item_bytes, max_doc_ids, max_query_bytes and "
                                    "max_body_bytes must be >= 1, max_future_s >= 0 and "
                                    "max_past_days >= 1");
  }
  if (lm.decoding != "beam" && lm.decoding != "choice") {
    return Status::invalid_argument(source +
                                    ": classifier.llm_decoding must be \"beam\" or \"choice\"");
  }
  if (lm.options.beam.beams == 0 || lm.max_logprobs < 1) {
    return Status::invalid_argument(source +
                                    ": classifier.llm_beams and llm_max_logprobs must be >= 1");
  }

  if (in.llm.timeout_ms < 1 || in.llm.workers < 1 || in.llm.max_queue < 1) {
    return Status::invalid_argument(
        source + ": intent.llm_timeout_ms, llm_workers and llm_max_queue must be >= 1");
  }
  if (em.kind != "fasttext" && em.kind != "llm" && em.kind != "none") {
    return Status::invalid_argument(source +
                                    ": embeddings.kind must be \"fasttext\", \"llm\" or \"none\"");
  }
  if (em.kind == "fasttext" && em.model_path.empty()) {
    return Status::invalid_argument(source +
                                    ": embeddings.kind \"fasttext\" needs embeddings.model");
  }
  if (em.kind == "llm" && (em.llm_dimension < 1 || em.llm_max_batch < 1)) {
    return Status::invalid_argument(
        source + ": embeddings.kind \"llm\" needs llm_dimension >= 1 and llm_max_batch >= 1");
  }
  if (em.ann.m < 2 || em.ann.ef_construction < 1 || em.ann.ef_search < 1 || em.max_age_ms < 0 ||
      em.save_interval_ms < 0) {
    return Status::invalid_argument(source +
                                    ": embeddings.ann_m must be >= 2, ann_ef_* >= 1, "
                                    "max_age_days and save_interval_s >= 0");
  }
  if (pc.max_profiles > 16 || pc.max_pending > 4096 || !(pc.half_life_s > 0) ||
      !(pc.click_rate >= 0 && pc.click_rate <= 1) || !(pc.skip_rate >= 0 && pc.skip_rate <= 1) ||
      !(pc.merge_similarity >= -1 && pc.merge_similarity <= 1) ||
      !(pc.skip_min_similarity >= -1 && pc.skip_min_similarity <= 1) || pc.skip_after_ms < 0 ||
      !(pc.min_view_weight >= 0)) {
    return Status::invalid_argument(
        source +
        ": profiles.max_profiles must be in 0..16, max_pending in 0..4096, click_rate and "
        "skip_rate in 0..1, similarities in -1..1, half_life_days > 0, skip_after_min and "
        "min_view_weight >= 0");
  }
  if (sf.max_n < 1 || sf.default_n < 1 || sf.related_pool < 1 || sf.fresh_half_life_s <= 0 ||
      qg.half_life_s <= 0 || qg.max_queries < 10 || qg.max_neighbours < 1) {
    return Status::invalid_argument(source +
                                    ": search_feed / query_graph sizes and half-lives must be "
                                    "positive (max_queries >= 10)");
  }
  if (in.refiner != "extractive" && in.refiner != "mined" && in.refiner != "none") {
    return Status::invalid_argument(
        source + ": intent.refiner must be \"extractive\", \"mined\" or \"none\"");
  }
  if (in.refiner == "mined" && in.mined_table.empty()) {
    return Status::invalid_argument(source + ": intent.refiner \"mined\" needs intent.mined_table");
  }
  if (in.suggest.half_life_s <= 0 || in.suggest.max_entries < 10) {
    return Status::invalid_argument(
        source + ": intent.suggest_half_life_days must be > 0 and suggest_max_entries >= 10");
  }
  if (in.options.max_tokens < 1 || in.options.max_bytes < 8) {
    return Status::invalid_argument(source + ": intent.max_tokens must be >= 1 and max_bytes >= 8");
  }

  if (kw.extractor != "statistical" && kw.extractor != "none") {
    return Status::invalid_argument(source +
                                    ": keywords.extractor must be \"statistical\" or \"none\"");
  }
  if (kw.options.max_keywords < 1 || kw.options.max_keywords > 64)
    return Status::invalid_argument(source + ": keywords.max_per_event must be in 1..64");
  if (kw.options.max_entity_words > 4)
    return Status::invalid_argument(source + ": keywords.max_entity_words must be in 0..4");
  if (!(kw.options.title_weight >= 0 && kw.options.title_weight <= 1) ||
      !(kw.options.body_weight >= 0 && kw.options.body_weight <= 1) ||
      !(kw.options.query_weight >= 0 && kw.options.query_weight <= 1) ||
      !(kw.options.min_idf >= 0)) {
    return Status::invalid_argument(
        source +
        ": keywords.title_weight, body_weight and query_weight must be in 0..1, "
        "min_idf >= 0");
  }
  if (kc.max_per_user < 1 || kc.max_per_user > 10000)
    return Status::invalid_argument(source + ": keywords.max_per_user must be in 1..10000");
  if (kc.lasting_min_days < 1 || kc.lasting_min_days > 64 || kc.lasting_min_surfaces < 1 ||
      kc.lasting_min_surfaces > kNumSurfaces + 1) {
    return Status::invalid_argument(
        source +
        ": keywords.lasting_min_days must be in 1..64 and lasting_min_surfaces in 1..4 "
        "(4: never lasting by surfaces)");
  }
  if (!(kc.lasting_half_life_s > 0) || !(kc.errand_half_life_s > 0))
    return Status::invalid_argument(source + ": keywords half-lives must be > 0");
  if (!(kc.min_view_weight >= 0))
    return Status::invalid_argument(source + ": keywords.min_view_weight must be >= 0");
  if (x.half_life_s <= 0)
    return Status::invalid_argument(source + ": context.half_life_days must be > 0");
  if (x.prior < 0 || x.prior > 1)
    return Status::invalid_argument(source + ": context.prior must be in 0..1");
  if (x.prior_strength <= 0)
    return Status::invalid_argument(source + ": context.prior_strength must be > 0");
  if (!(f.popularity_weight >= 0 && f.popularity_weight <= 1))
    return Status::invalid_argument(source + ": feed.popularity_weight must be in 0..1");
  if (!(f.related_weight >= 0 && f.related_weight <= 100))
    return Status::invalid_argument(source + ": feed.related_weight must be in 0..100");
  if (e.index.coclick_neighbours == 0 || e.index.coclick_neighbours > 1000)
    return Status::invalid_argument(source + ": index.coclick_neighbours must be in 1..1000");
  if (!(e.index.popularity_half_life_s > 0) || !(e.index.lasting_popularity_half_life_s > 0))
    return Status::invalid_argument(source +
                                    ": index.popularity_half_life_h and "
                                    "lasting_popularity_half_life_days must be > 0");
  if (!(e.index.coclick_window_s >= 0))
    return Status::invalid_argument(source + ": index.coclick_window_days must be >= 0");
  if (!(f.fresh_half_life_s > 0) || !(f.recency_young_half_life_s > 0))
    return Status::invalid_argument(
        source + ": feed.fresh_half_life_days and recency_young_half_life_h must be > 0");
  if (!(f.recency_young_share >= 0 && f.recency_young_share <= 1) ||
      !(f.relevance_threshold >= 0 && f.relevance_threshold <= 1) ||
      !(f.below_threshold_factor >= 0 && f.below_threshold_factor <= 1))
    return Status::invalid_argument(source +
                                    ": feed.recency_young_share, relevance_threshold and "
                                    "below_threshold_factor must be in 0..1");
  if (!(f.recency_weight >= 0 && f.recency_weight < 1) ||
      !(f.learned_recency_weight >= 0 && f.learned_recency_weight < 1))
    return Status::invalid_argument(source +
                                    ": feed.recency_weight and learned_recency_weight must be "
                                    "in 0..<1");
  if (f.diversity_window > 1000 || f.diversity_max_per_topic > 1000)
    return Status::invalid_argument(source +
                                    ": feed.diversity_window and diversity_max_per_topic "
                                    "must be in 0..1000");
  if (tr.max_window_h < 1 || tr.max_window_h > 24 * 90 || tr.default_window_h < 1 ||
      tr.default_window_h > tr.max_window_h)
    return Status::invalid_argument(source +
                                    ": trends.max_window_h must be in 1..2160 and "
                                    "default_window_h in 1..max_window_h");
  if (!(tr.min_growth >= 1) || tr.docs_per_trend < 1 || tr.docs_per_trend > 100)
    return Status::invalid_argument(
        source + ": trends.min_growth must be >= 1 and docs_per_trend in 1..100");
  if (!(f.keyword_weight >= 0 && f.keyword_weight <= 1) ||
      !(f.embedding_weight >= 0 && f.embedding_weight <= 1) ||
      !(f.embedding_min_similarity >= -1 && f.embedding_min_similarity <= 1) ||
      f.keyword_queries > 32 || f.keyword_items > 100 || f.profile_queries > 16 ||
      f.profile_items > 100)
    return Status::invalid_argument(
        source +
        ": feed.keyword_weight and embedding_weight must be in 0..1, "
        "embedding_min_similarity in -1..1, keyword_queries <= 32, "
        "profile_queries <= 16, keyword_items and profile_items <= 100");
  if (!(f.popular_weight >= 0 && f.popular_weight <= 1))
    return Status::invalid_argument(source + ": feed.popular_weight must be in 0..1");
  if (co.options.als.factors < 1 || co.options.als.factors > 256 || co.options.als.iterations < 1 ||
      co.options.als.iterations > 100 || !(co.options.als.regularization > 0) ||
      !(co.options.als.alpha >= 0) || co.options.min_item_users < 1 ||
      !(co.retrain_interval_s >= 0))
    return Status::invalid_argument(source +
                                    ": collaborative.factors must be in 1..256, iterations in "
                                    "1..100, regularization > 0, alpha >= 0, min_item_users "
                                    ">= 1, retrain_interval_s >= 0");
  if (!(f.collaborative_weight >= 0 && f.collaborative_weight <= 1) ||
      f.collaborative_items > 100 || f.ranker_popular_items > 1000 ||
      f.ranker_collaborative_items > 1000 || f.ranker_related_items > 1000)
    return Status::invalid_argument(source +
                                    ": feed.collaborative_weight must be in 0..1, "
                                    "collaborative_items <= 100, ranker_popular_items, "
                                    "ranker_collaborative_items and ranker_related_items <= 1000");
  if (!(e.ranking.reload_check_s >= 0))
    return Status::invalid_argument(source + ": ranking.reload_check_s must be >= 0");
  if (!(fl.sample_rate >= 0 && fl.sample_rate <= 1) || fl.segment_bytes < (1u << 20) ||
      fl.segment_bytes > (size_t{4096} << 20) || fl.max_segments < 1 || fl.max_segments > 1000)
    return Status::invalid_argument(source +
                                    ": ranking.log_sample_rate must be in 0..1, "
                                    "log_segment_mb in 1..4096, log_max_segments in 1..1000");
  if (f.max_n == 0 || f.default_n == 0 || f.default_n > f.max_n) {
    return Status::invalid_argument(source + ": feed.default_n must be in 1..feed.max_n");
  }
  return Status::ok();
}

}  // namespace feedscout
