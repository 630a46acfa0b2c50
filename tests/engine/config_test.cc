// The shipped config file must state the real defaults, and bad configs must be refused
// with the key named.
#include <gtest/gtest.h>

#include "feedscout/engine/config.h"
#include "feedscout/server/server_config.h"

namespace feedscout {
namespace {

TEST(ConfigTest, ShippedFileEqualsBuiltInDefaults) {
  auto loaded = load_config_file(std::string(FEEDSCOUT_SOURCE_DIR) + "/config/feedscout.toml");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  const AppConfig d;
  const AppConfig& c = *loaded;
  EXPECT_EQ(c.engine.data_dir, d.engine.data_dir);
  EXPECT_EQ(c.engine.taxonomy_path, d.engine.taxonomy_path);
  EXPECT_EQ(c.engine.served_memory_ms, d.engine.served_memory_ms);
  EXPECT_EQ(c.engine.checkpoint_interval_ms, d.engine.checkpoint_interval_ms);
  EXPECT_EQ(c.engine.classifier.kind, d.engine.classifier.kind);
  EXPECT_EQ(c.engine.classifier.model_path, d.engine.classifier.model_path);
  EXPECT_EQ(c.engine.classifier.max_topics, d.engine.classifier.max_topics);
  EXPECT_FLOAT_EQ(c.engine.classifier.min_score, d.engine.classifier.min_score);
  const LlmClassifierConfig &l = c.engine.classifier.llm, &dl = d.engine.classifier.llm;
  EXPECT_EQ(l.client.base_url, dl.client.base_url);
  EXPECT_EQ(l.client.model, dl.client.model);
  EXPECT_EQ(l.client.api_key_env, dl.client.api_key_env);
  EXPECT_EQ(l.client.dialect, dl.client.dialect);
  EXPECT_EQ(l.client.vllm_version, dl.client.vllm_version);
  EXPECT_EQ(l.client.connect_timeout_ms, dl.client.connect_timeout_ms);
  EXPECT_EQ(l.client.request_timeout_ms, dl.client.request_timeout_ms);
  EXPECT_EQ(l.client.max_in_flight, dl.client.max_in_flight);
  EXPECT_EQ(l.client.max_retries, dl.client.max_retries);
  EXPECT_EQ(l.prompt_path, dl.prompt_path);
  EXPECT_EQ(l.options.body_budget, dl.options.body_budget);
  EXPECT_EQ(l.options.beam.beams, dl.options.beam.beams);
  EXPECT_EQ(l.options.end_token, dl.options.end_token);
  EXPECT_EQ(l.max_logprobs, dl.max_logprobs);
  EXPECT_EQ(c.engine.limits.max_item_bytes, d.engine.limits.max_item_bytes);
  EXPECT_EQ(c.engine.limits.max_doc_ids, d.engine.limits.max_doc_ids);
  EXPECT_EQ(c.engine.limits.max_query_bytes, d.engine.limits.max_query_bytes);
  EXPECT_EQ(c.engine.limits.max_body_bytes, d.engine.limits.max_body_bytes);
  EXPECT_EQ(c.engine.limits.max_future_ms, d.engine.limits.max_future_ms);
  EXPECT_EQ(c.engine.limits.max_past_ms, d.engine.limits.max_past_ms);
  const ContextConfig &x = c.engine.context, &dx = d.engine.context;
  EXPECT_DOUBLE_EQ(x.half_life_s, dx.half_life_s);
  EXPECT_DOUBLE_EQ(x.prior, dx.prior);
  EXPECT_DOUBLE_EQ(x.prior_strength, dx.prior_strength);
  EXPECT_DOUBLE_EQ(x.short_dwell_s, dx.short_dwell_s);
  EXPECT_DOUBLE_EQ(x.short_click_weight, dx.short_click_weight);
  EXPECT_DOUBLE_EQ(x.light_max_feed_clicks, dx.light_max_feed_clicks);
  EXPECT_DOUBLE_EQ(x.heavy_min_feed_clicks, dx.heavy_min_feed_clicks);
  EXPECT_EQ(x.light_weights, dx.light_weights);
  EXPECT_EQ(x.heavy_weights, dx.heavy_weights);
  EXPECT_EQ(x.max_recent_searches, dx.max_recent_searches);
  EXPECT_EQ(x.max_seen_docs, dx.max_seen_docs);
  EXPECT_EQ(x.max_recent_clicks, dx.max_recent_clicks);
  const ProfileContextConfig &pc = x.profiles, &dpc = dx.profiles;
  EXPECT_EQ(pc.max_profiles, dpc.max_profiles);
  EXPECT_DOUBLE_EQ(pc.merge_similarity, dpc.merge_similarity);
  EXPECT_DOUBLE_EQ(pc.click_rate, dpc.click_rate);
  EXPECT_DOUBLE_EQ(pc.skip_rate, dpc.skip_rate);
  EXPECT_DOUBLE_EQ(pc.skip_min_similarity, dpc.skip_min_similarity);
  EXPECT_DOUBLE_EQ(pc.half_life_s, dpc.half_life_s);
  EXPECT_EQ(pc.skip_after_ms, dpc.skip_after_ms);
  EXPECT_EQ(pc.max_pending, dpc.max_pending);
  EXPECT_DOUBLE_EQ(pc.min_view_weight, dpc.min_view_weight);
  const EmbeddingsConfig &em = c.engine.embeddings, &dem = d.engine.embeddings;
  EXPECT_EQ(em.kind, dem.kind);
  EXPECT_EQ(em.model_path, dem.model_path);
  EXPECT_EQ(em.ann.m, dem.ann.m);
  EXPECT_EQ(em.ann.ef_construction, dem.ann.ef_construction);
  EXPECT_EQ(em.ann.ef_search, dem.ann.ef_search);
  EXPECT_EQ(em.max_age_ms, dem.max_age_ms);
  EXPECT_EQ(em.save_interval_ms, dem.save_interval_ms);
  EXPECT_EQ(em.client.base_url, dem.client.base_url);
  EXPECT_EQ(em.client.dialect, dem.client.dialect);
  EXPECT_EQ(em.llm_dimension, dem.llm_dimension);
  EXPECT_EQ(em.llm_max_batch, dem.llm_max_batch);
  EXPECT_EQ(em.llm_document_prefix, dem.llm_document_prefix);
  EXPECT_DOUBLE_EQ(c.engine.search_feed.profile_weight, d.engine.search_feed.profile_weight);
  EXPECT_DOUBLE_EQ(c.engine.search_feed.min_profile_closeness,
                   d.engine.search_feed.min_profile_closeness);
  EXPECT_EQ(c.engine.search_feed.pool_cache_entries, d.engine.search_feed.pool_cache_entries);
  EXPECT_EQ(c.engine.search_feed.pool_cache_max_stale_ms,
            d.engine.search_feed.pool_cache_max_stale_ms);
  const FeedConfig &f = c.engine.feed, &df = d.engine.feed;
  EXPECT_EQ(f.keyword_queries, df.keyword_queries);
  EXPECT_EQ(f.keyword_items, df.keyword_items);
  EXPECT_DOUBLE_EQ(f.keyword_weight, df.keyword_weight);
  EXPECT_EQ(f.profile_queries, df.profile_queries);
  EXPECT_EQ(f.profile_items, df.profile_items);
  EXPECT_DOUBLE_EQ(f.embedding_weight, df.embedding_weight);
  EXPECT_DOUBLE_EQ(f.embedding_min_similarity, df.embedding_min_similarity);
  EXPECT_EQ(f.default_n, df.default_n);
  EXPECT_EQ(f.max_n, df.max_n);
  EXPECT_EQ(f.after_search_window_ms, df.after_search_window_ms);
  EXPECT_EQ(f.after_search_queries, df.after_search_queries);
  EXPECT_EQ(f.after_search_items, df.after_search_items);
  EXPECT_EQ(f.max_topics, df.max_topics);
  EXPECT_DOUBLE_EQ(f.specific_topic_ratio, df.specific_topic_ratio);
  EXPECT_EQ(f.max_items_per_topic, df.max_items_per_topic);
  EXPECT_DOUBLE_EQ(f.fresh_half_life_s, df.fresh_half_life_s);
  EXPECT_DOUBLE_EQ(f.recency_young_half_life_s, df.recency_young_half_life_s);
  EXPECT_DOUBLE_EQ(f.recency_young_share, df.recency_young_share);
  EXPECT_DOUBLE_EQ(f.relevance_threshold, df.relevance_threshold);
  EXPECT_DOUBLE_EQ(f.recency_weight, df.recency_weight);
  EXPECT_DOUBLE_EQ(f.learned_recency_weight, df.learned_recency_weight);
  EXPECT_DOUBLE_EQ(f.below_threshold_factor, df.below_threshold_factor);
  EXPECT_EQ(f.diversity_window, df.diversity_window);
  EXPECT_EQ(f.diversity_max_per_topic, df.diversity_max_per_topic);
  const TrendConfig &tr = c.engine.trends, &dtr = d.engine.trends;
  EXPECT_EQ(tr.default_window_h, dtr.default_window_h);
  EXPECT_EQ(tr.max_window_h, dtr.max_window_h);
  EXPECT_EQ(tr.min_recent_clicks, dtr.min_recent_clicks);
  EXPECT_DOUBLE_EQ(tr.min_growth, dtr.min_growth);
  EXPECT_EQ(tr.docs_per_trend, dtr.docs_per_trend);
  EXPECT_DOUBLE_EQ(f.popular_share, df.popular_share);
  EXPECT_DOUBLE_EQ(f.popularity_weight, df.popularity_weight);
  EXPECT_DOUBLE_EQ(f.popular_weight, df.popular_weight);
  EXPECT_DOUBLE_EQ(f.related_weight, df.related_weight);
  EXPECT_EQ(f.related_anchors, df.related_anchors);
  EXPECT_EQ(f.ranker_popular_items, df.ranker_popular_items);
  EXPECT_EQ(f.ranker_collaborative_items, df.ranker_collaborative_items);
  EXPECT_EQ(f.ranker_related_items, df.ranker_related_items);
  EXPECT_EQ(f.ranker_max_candidates, df.ranker_max_candidates);
  EXPECT_DOUBLE_EQ(c.engine.index.popularity_half_life_s, d.engine.index.popularity_half_life_s);
  EXPECT_DOUBLE_EQ(c.engine.index.min_query_coverage, d.engine.index.min_query_coverage);
  EXPECT_EQ(c.engine.index.topic_popular_size, d.engine.index.topic_popular_size);
  EXPECT_EQ(c.engine.index.coclick_neighbours, d.engine.index.coclick_neighbours);
  EXPECT_DOUBLE_EQ(c.engine.index.coclick_window_s, d.engine.index.coclick_window_s);
  EXPECT_EQ(c.server.host, d.server.host);
  EXPECT_EQ(c.server.port, d.server.port);
  EXPECT_EQ(c.server.threads, d.server.threads);
  EXPECT_EQ(c.server.keep_alive_max_requests, d.server.keep_alive_max_requests);
  EXPECT_EQ(c.server.keep_alive_timeout_s, d.server.keep_alive_timeout_s);
  EXPECT_EQ(c.server.max_body_bytes, d.server.max_body_bytes);
}

TEST(ConfigTest, OverridesApply) {
  auto c = parse_config(
      "[context]\nhalf_life_days = 1.5\nlight_weights = [0.5, 0.0, 0.5]\n"
      "[server]\nport = 9090\n[embeddings]\nkind = \"fasttext\"\nmodel = \"m.bin\"\n"
      "max_age_days = 2\n[profiles]\nskip_after_min = 5\n",
      "test.toml");
  ASSERT_TRUE(c.is_ok()) << c.status().to_string();
  EXPECT_DOUBLE_EQ(c->engine.context.half_life_s, 1.5 * 86400);
  EXPECT_DOUBLE_EQ(c->engine.context.light_weights[1], 0.0);
  EXPECT_EQ(c->server.port, 9090);
  EXPECT_EQ(c->engine.embeddings.kind, "fasttext");
  EXPECT_EQ(c->engine.embeddings.model_path, "m.bin");
  EXPECT_EQ(c->engine.embeddings.max_age_ms, 2 * kMsPerDay);
  EXPECT_EQ(c->engine.context.profiles.skip_after_ms, 5 * 60 * 1000);
}

TEST(ConfigTest, ErrorsNameTheKey) {
  struct Case {
    const char* toml;
    const char* expect;
  };
  const Case cases[] = {
      {"[context]\nhalf_lfe_days = 3\n", "context.half_lfe_days"},  // typo: unknown key
      {"[context]\nhalf_life_days = \"seven\"\n", "context.half_life_days"},
      {"[context]\nhalf_life_days = 0\n", "half_life_days"},
      {"[context]\nprior = 1.5\n", "prior"},
      {"[context]\nlight_weights = [1, 2]\n", "context.light_weights"},
      {"[server]\nport = 70000\n", "port"},
      {"[server]\nthreads = 0\n", "server.threads"},
      {"[server]\nkeep_alive_timeout_s = 0\n", "keep_alive_timeout_s"},
      {"[feed]\ndefault_n = 500\n", "default_n"},
      {"[nosuch]\nx = 1\n", "nosuch.x"},
      {"[embeddings]\nkind = \"bert\"\n", "embeddings.kind"},
      {"[embeddings]\nkind = \"fasttext\"\n", "embeddings.model"},
      {"[embeddings]\nkind = \"llm\"\n", "llm_dimension"},
      {"[embeddings]\nann_m = 1\n", "embeddings.ann_m"},
      {"[embeddings]\nllm_dialect = \"x\"\n", "embeddings.llm_dialect"},
      {"[profiles]\nclick_rate = 2\n", "profiles."},
      {"[profiles]\nmax_profiles = 100\n", "profiles.max_profiles"},
      {"[feed]\nembedding_weight = 3\n", "embedding_weight"},
      {"[feed]\nlearned_recency_weight = 1\n", "learned_recency_weight"},
      {"[feed]\nranker_related_items = 5000\n", "ranker_related_items"},
      {"[limits]\nmax_doc_ids = 0\n", "max_doc_ids"},
      {"[limits]\nmax_past_days = 0\n", "max_past_days"},
      {"[engine\n", "test.toml:1"},
  };
  for (const auto& c : cases) {
    auto r = parse_config(c.toml, "test.toml");
    ASSERT_FALSE(r.is_ok()) << c.toml;
    EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument) << c.toml;
    EXPECT_NE(r.status().message().find(c.expect), std::string::npos)
        << c.toml << " → " << r.status().message();
  }
}

TEST(ConfigTest, MissingFileIsNotFound) {
  auto r = load_config_file("/nonexistent/feedscout.toml");
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), Status::Code::kNotFound);
}

}  // namespace
}  // namespace feedscout
