#include "feedscout/serve/feed_builder.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>
#include <iterator>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "feed_candidates.h"
#include "feedscout/serve/candidate_score.h"
#include "feedscout/serve/ranking_features.h"

namespace feedscout {

const char* feed_source_name(FeedSource s) {
  switch (s) {
    case FeedSource::kAfterSearch:
      return "after_search";
    case FeedSource::kTopic:
      return "topic";
    case FeedSource::kRelated:
      return "related";
    case FeedSource::kPopular:
      return "popular";
    case FeedSource::kKeyword:
      return "keyword";
    case FeedSource::kEmbedding:
      return "embedding";
    case FeedSource::kCollaborative:
      return "collaborative";
  }
  return "?";
}

std::vector<TopicScore> select_feed_topics(const ContextView& view, const Taxonomy& taxonomy,
                                           const FeedConfig& config) {
  // view.integrated is sorted by score. Walk it; a topic is taken unless a descendant with
  // enough of its score exists (then the descendant stands for it) or an already taken
  // topic is its descendant or ancestor.
  std::vector<TopicScore> chosen;
  auto related = [&](TopicId a, TopicId b) {
    return taxonomy.is_ancestor_or_self(a, b) || taxonomy.is_ancestor_or_self(b, a);
  };
  for (const TopicScore& ts : view.integrated) {
    if (chosen.size() >= config.max_topics) break;
    if (ts.clicks <= 0) continue;  // impressions alone are no interest
    // Most specific descendant with a comparable score.
    TopicScore best = ts;
    for (const TopicScore& d : view.integrated) {
      if (d.clicks <= 0 || d.topic == ts.topic) continue;
      if (!taxonomy.is_ancestor_or_self(ts.topic, d.topic)) continue;
      if (d.score < config.specific_topic_ratio * ts.score) continue;
      if (taxonomy.node(d.topic).level > taxonomy.node(best.topic).level ||
          (taxonomy.node(d.topic).level == taxonomy.node(best.topic).level &&
           d.score > best.score)) {
        best = d;
      }
    }
    const bool clash = std::any_of(chosen.begin(), chosen.end(), [&](const TopicScore& c) {
      return related(c.topic, best.topic);
    });
    if (!clash) chosen.push_back(best);
  }
  return chosen;
}

void apply_diversity(std::vector<FeedItem>& items, const DocumentIndex& index,
                     const Taxonomy& taxonomy, const FeedConfig& config) {
  for (FeedItem& item : items) {
    const auto t = tier2_topic(index, taxonomy, item.doc);
    item.scores.diversity_topic = t ? taxonomy.node(*t).path : "";
  }
  if (config.diversity_window == 0 || config.diversity_max_per_topic == 0) return;
  std::unordered_map<std::string, size_t> count;
  const size_t window = std::min(config.diversity_window, items.size());
  for (size_t pos = 0; pos < window; ++pos) {
    size_t pick = pos;  // stays when every remaining item is capped: keep the order
    for (size_t j = pos; j < items.size(); ++j) {
      const std::string& topic = items[j].scores.diversity_topic;
      if (topic.empty() || count[topic] < config.diversity_max_per_topic) {
        pick = j;
        break;
      }
    }
    if (pick != pos) {
      // Items passed over move down one place each, keeping their order.
      for (size_t j = pos; j < pick; ++j) items[j].scores.demoted_by_diversity = true;
      std::rotate(items.begin() + static_cast<std::ptrdiff_t>(pos),
                  items.begin() + static_cast<std::ptrdiff_t>(pick),
                  items.begin() + static_cast<std::ptrdiff_t>(pick) + 1);
    }
    const std::string& topic = items[pos].scores.diversity_topic;
    if (!topic.empty()) ++count[topic];
  }
}

namespace {

// Computes each item's features (kFeatureCount floats) into its `features`.
void compute_features(std::vector<FeedItem>& items, const FeatureContext& features) {
  for (FeedItem& item : items) {
    item.features.assign(kFeatureCount, 0.0f);
    features.compute(item.doc, item.signals, item.features);
  }
}

// Keeps the items pick_by_source keeps, in order.
void limit_by_source(std::vector<FeedItem>& items, size_t cap) {
  if (cap == 0 || items.size() <= cap) return;
  std::vector<FeedSource> sources;
  sources.reserve(items.size());
  for (const FeedItem& item : items) sources.push_back(item.source);
  const std::vector<bool> keep = pick_by_source(sources, cap);
  size_t out = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    if (keep[i]) items[out++] = std::move(items[i]);
  }
  items.resize(out);
}

// The hand-set page: topic items by score with a per-topic cap, then a popular quota, then
// anything, best first.
std::vector<FeedItem> fill_hand_set(const CandidatePool& pool, size_t n, const FeedConfig& config,
                                    std::unordered_set<DocIndex>& used) {
  std::vector<FeedItem> page;
  std::unordered_map<std::string, size_t> per_basis;
  size_t popular_taken = 0;
  const size_t topic_slots =
      n - std::min(n, pool.after_search.size() + (pool.cold ? n : pool.popular_quota));
  size_t topic_taken = 0;
  for (const FeedItem& item : pool.items) {
    if (topic_taken >= topic_slots) break;
    if (item.source == FeedSource::kPopular || used.count(item.doc)) continue;
    if (per_basis[item.basis] >= config.max_items_per_topic) continue;
    ++per_basis[item.basis];
    used.insert(item.doc);
    page.push_back(item);
    ++topic_taken;
  }
  const size_t room = n - std::min(n, pool.after_search.size());
  for (int pass = 0; pass < 2 && page.size() < room; ++pass) {
    for (const FeedItem& item : pool.items) {
      if (page.size() >= room) break;
      if (used.count(item.doc)) continue;
      if (pass == 0 && item.source != FeedSource::kPopular) continue;
      if (pass == 0 && popular_taken >= pool.popular_quota) break;
      used.insert(item.doc);
      page.push_back(item);
      popular_taken += item.source == FeedSource::kPopular;
    }
  }
  std::stable_sort(page.begin(), page.end(),
                   [](const FeedItem& a, const FeedItem& b) { return a.score > b.score; });
  return page;
}

// The learned page: the model scores every pool item in one batch; its score, min-max
// normalised over the pool, is the relevance of the recency rule; the best n by that rule.
// The pool is re-sorted by the same order (for explain's unserved list).
Status rank_learned(CandidatePool& pool, const FeedRequest& r, double top) {
  std::vector<float> rows;
  rows.reserve(pool.items.size() * kFeatureCount);
  for (const FeedItem& item : pool.items) {
    rows.insert(rows.end(), item.features.begin(), item.features.end());
  }
  std::vector<float> scores;
  FEEDSCOUT_RETURN_IF_ERROR(r.models.ranker->predict(rows, pool.items.size(), &scores));
  const std::vector<double> relevance = model_relevance(scores);
  for (size_t i = 0; i < pool.items.size(); ++i) {
    FeedItem& item = pool.items[i];
    item.scores = learned_rank_scores(relevance[i], r.index, item.doc, r.now, top, r.config);
    item.scores.learned = true;
    item.scores.model = scores[i];
    item.score = item.scores.final;
  }
  std::stable_sort(pool.items.begin(), pool.items.end(),
                   [](const FeedItem& a, const FeedItem& b) { return a.score > b.score; });
  return Status::ok();
}

std::vector<FeedItem> fill_learned(const CandidatePool& pool, size_t n,
                                   std::unordered_set<DocIndex>& used) {
  std::vector<FeedItem> page;
  const size_t room = n - std::min(n, pool.after_search.size());
  for (const FeedItem& item : pool.items) {
    if (page.size() >= room) break;
    if (!used.insert(item.doc).second) continue;
    page.push_back(item);
  }
  return page;
}

void explain_contributions(std::vector<FeedItem>& items, const GbdtRanker& ranker) {
  std::vector<float> rows;
  for (const FeedItem& item : items)
    rows.insert(rows.end(), item.features.begin(), item.features.end());
  std::vector<float> out;
  if (items.empty() || !ranker.contributions(rows, items.size(), &out).is_ok()) return;
  const size_t width = kFeatureCount + 1;
  for (size_t i = 0; i < items.size(); ++i) {
    items[i].contributions.assign(out.begin() + static_cast<std::ptrdiff_t>(i * width),
                                  out.begin() + static_cast<std::ptrdiff_t>((i + 1) * width));
  }
}

}  // namespace

std::vector<float> document_feature_rows(const ContextView& view, const UserContext& context,
                                         const DocumentIndex& index, const Taxonomy& taxonomy,
                                         const FeedConfig& config, TimeMs now,
                                         const std::vector<DocIndex>& docs,
                                         const CoClickIndex* coclick, const AnnIndex* ann,
                                         const FeedModels& models) {
  if (docs.empty()) return {};
  const std::function<bool(uint64_t)> no_exclusion;
  const FeedRequest request{view, context,      index,   taxonomy, config,
                            now,  no_exclusion, coclick, ann,      models};
  const std::vector<CandidateSignals> signals = candidate_signals(request, docs);
  const FeatureContext features(view, &context, index, taxonomy, config, now);
  std::vector<float> rows(docs.size() * kFeatureCount, 0.0f);
  for (size_t i = 0; i < docs.size(); ++i) {
    features.compute(docs[i], signals[i],
                     std::span<float>(rows).subspan(i * kFeatureCount, kFeatureCount));
  }
  return rows;
}

std::vector<double> learned_scores(const ContextView& view, const UserContext& context,
                                   const DocumentIndex& index, const Taxonomy& taxonomy,
                                   const FeedConfig& config, TimeMs now,
                                   const std::vector<DocIndex>& docs, const CoClickIndex* coclick,
                                   const AnnIndex* ann, const FeedModels& models) {
  assert(models.ranker != nullptr);
  if (docs.empty()) return {};
  const std::vector<float> rows = document_feature_rows(view, context, index, taxonomy, config, now,
                                                        docs, coclick, ann, models);
  std::vector<float> model;
  if (!models.ranker->predict(rows, docs.size(), &model).is_ok()) return {};
  const std::vector<double> relevance = model_relevance(model);
  const double top = top_popularity(index, now);
  std::vector<double> out(docs.size());
  for (size_t i = 0; i < docs.size(); ++i) {
    out[i] = learned_rank_scores(relevance[i], index, docs[i], now, top, config).final;
  }
  return out;
}

std::vector<bool> pick_by_source(std::span<const FeedSource> sources, size_t cap) {
  if (cap == 0 || sources.size() <= cap) return std::vector<bool>(sources.size(), true);
  std::vector<std::vector<size_t>> by_source;  // indexes per source, in order
  std::vector<FeedSource> order;
  for (size_t i = 0; i < sources.size(); ++i) {
    const size_t s =
        static_cast<size_t>(std::find(order.begin(), order.end(), sources[i]) - order.begin());
    if (s == order.size()) {
      order.push_back(sources[i]);
      by_source.emplace_back();
    }
    by_source[s].push_back(i);
  }
  std::vector<bool> keep(sources.size(), false);
  size_t kept = 0;
  for (size_t round = 0; kept < cap; ++round) {
    for (const std::vector<size_t>& list : by_source) {
      if (round < list.size() && kept < cap) {
        keep[list[round]] = true;
        ++kept;
      }
    }
  }
  return keep;
}

Feed build_feed(const ContextView& view, const UserContext& context, const DocumentIndex& index,
                const Taxonomy& taxonomy, const FeedConfig& config, size_t n, TimeMs now,
                const std::function<bool(uint64_t)>& exclude, const CoClickIndex* coclick,
                bool explain, const AnnIndex* ann, const FeedModels& models) {
  Feed feed;
  feed.user_class = view.user_class;
  n = std::clamp<size_t>(n, 1, config.max_n);
  const FeedRequest request{view, context, index,   taxonomy, config,
                            now,  exclude, coclick, ann,      models};
  std::unordered_set<DocIndex> used;
  CandidatePool pool = gather_candidates(request, n, used);
  std::optional<FeatureContext> features;
  bool learned = false;
  if (models.ranker != nullptr) {
    // The model scores the pool (limited to ranker_max_candidates when serving), so every
    // candidate it scores is featurised.
    if (!models.full_pool) limit_by_source(pool.items, config.ranker_max_candidates);
    features.emplace(view, &context, index, taxonomy, config, now);
    compute_features(pool.items, *features);
    compute_features(pool.after_search, *features);
    // A model that fails on this request (it never should: the schema was checked on load)
    // leaves the hand-set ranking in place: serving never stops.
    learned = rank_learned(pool, request, top_popularity(index, now)).is_ok();
    if (learned) feed.model_version = models.ranker->version();
  }
  std::vector<FeedItem> rest =
      learned ? fill_learned(pool, n, used) : fill_hand_set(pool, n, config, used);
  apply_diversity(rest, index, taxonomy, config);
  if (explain && learned) explain_contributions(rest, *models.ranker);
  feed.items = std::move(pool.after_search);
  for (FeedItem& item : rest) feed.items.push_back(std::move(item));
  if (explain) {
    const size_t cap = models.full_pool ? pool.items.size() : config.max_n;
    for (const FeedItem& item : pool.items) {
      if (feed.unserved.size() >= cap) break;
      if (used.count(item.doc) == 0) feed.unserved.push_back(item);
    }
  }
  if (!features && (models.features || explain)) {
    // Without a model only what is shown needs features (logging reads the served items,
    // explain also the unserved list), not the whole pool.
    features.emplace(view, &context, index, taxonomy, config, now);
    compute_features(feed.items, *features);
    compute_features(feed.unserved, *features);
  }
  return feed;
}

}  // namespace feedscout
