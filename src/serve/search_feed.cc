#include "feedscout/serve/search_feed.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "feedscout/serve/candidate_score.h"
#include "feedscout/serve/ranking_features.h"

namespace feedscout {
namespace {

struct Scored {
  DocIndex doc = 0;
  double score = 0;
  double preference = 0;
  TopicId topic = kNoTopic;  // the preferred topic behind `preference`
  double profile = 0;        // closeness to the user's embedding profiles (personalised)
  size_t profile_index = 0;  // the profile behind `profile`
  SearchScores scores;
};

double freshness(TimeMs created_ms, TimeMs now, double half_life_s) {
  const double age_s = std::max<double>(0.0, static_cast<double>(now - created_ms) / 1000.0);
  return std::exp2(-age_s / half_life_s);
}

// The similarity to `scorer`'s context of each title of matches[from..], appended to `sense`;
// returns how many of them reach min_context_similarity.
size_t append_sense(const DocumentIndex& index, const QueryGraph::SenseScorer& scorer,
                    const std::vector<TextMatch>& matches, size_t from, double min_similarity,
                    std::vector<double>& sense) {
  size_t on_sense = 0;
  for (size_t i = from; i < matches.size(); ++i) {
    sense.push_back(scorer.similarity(index.title_word_keys(matches[i].doc)));
    on_sense += sense.back() >= min_similarity;
  }
  return on_sense;
}

// How many of a neighbouring query's best matches the expansive wave reads first (see there).
constexpr size_t kExpansivePrefix = 32;

// The versions a pool of `query` is computed from (RelatedPoolCache): the index's size and the
// query's context version.
std::pair<size_t, uint64_t> pool_versions(const SearchFeedInputs& in, std::string_view query) {
  return {in.index.size(), in.graph != nullptr ? in.graph->context_version(query) : 0};
}

// `query`'s pool from the cache, when there is one and it holds a valid entry; else null.
std::shared_ptr<const RelatedPool> cached_pool(const SearchFeedInputs& in, std::string_view query,
                                               TimeMs now) {
  if (in.pool_cache == nullptr) return nullptr;
  const auto [index_version, context_version] = pool_versions(in, query);
  return in.pool_cache->find(query, index_version, context_version, now);
}

// `query`'s best related_pool text matches and their sense, from the cache while it is valid
// there, else computed (and cached). Sense statistics cover every match, served or not:
// whether q's sense filter applies must not change as pages exclude what they served.
std::shared_ptr<const RelatedPool> query_pool(const SearchFeedInputs& in, std::string_view query,
                                              TimeMs now, const SearchFeedConfig& c) {
  if (auto hit = cached_pool(in, query, now)) return hit;
  auto pool = std::make_shared<RelatedPool>();
  std::tie(pool->index_version, pool->context_version) = pool_versions(in, query);
  pool->computed_ms = now;
  pool->matches = in.index.search(query, c.related_pool, nullptr);
  if (in.graph != nullptr && !pool->matches.empty()) {
    const QueryGraph::SenseScorer scorer = in.graph->sense_scorer(query, now);
    pool->has_context = !scorer.empty();
    if (pool->has_context) {
      pool->sense.reserve(pool->matches.size());
      pool->on_sense =
          append_sense(in.index, scorer, pool->matches, 0, c.min_context_similarity, pool->sense);
    }
  }
  if (!pool->has_context) pool->sense.assign(pool->matches.size(), 0.0);
  if (in.pool_cache != nullptr) in.pool_cache->insert(query, pool);
  return pool;
}

// The related pool: text matches of `query`, re-ranked by text, freshness and sense. With
// `off_sense`, matches dropped as another sense of q are listed there (explain).
std::vector<Scored> related_pool(const SearchFeedInputs& in, std::string_view query, TimeMs now,
                                 const SearchFeedConfig& c,
                                 const std::function<bool(DocIndex)>& skip,
                                 std::vector<Scored>* off_sense) {
  std::vector<Scored> out;
  const std::shared_ptr<const RelatedPool> pool = query_pool(in, query, now, c);
  const std::vector<TextMatch>& matches = pool->matches;
  if (matches.empty()) return out;
  double best = 0;
  for (const TextMatch& m : matches) best = std::max(best, m.score);
  const std::vector<double>& sense = pool->sense;
  const bool filter = pool->has_context && pool->on_sense >= c.min_on_sense;
  out.reserve(matches.size());
  for (size_t i = 0; i < matches.size(); ++i) {
    if (skip(matches[i].doc)) continue;
    const DocRecord& d = in.index.doc(matches[i].doc);
    Scored s;
    s.doc = matches[i].doc;
    s.scores.via = "query";
    s.scores.text = best > 0 ? matches[i].score / best : 0;
    s.scores.freshness = freshness(d.created_ms, now, c.fresh_half_life_s);
    s.scores.context = sense[i];
    s.scores.sense_filter = filter;
    s.score = c.text_weight * s.scores.text + c.fresh_weight * s.scores.freshness +
              c.context_weight * sense[i];
    if (filter && sense[i] < c.min_context_similarity) {  // another sense of q
      s.scores.on_sense = false;
      if (off_sense != nullptr) off_sense->push_back(s);
      continue;
    }
    out.push_back(s);
  }
  return out;
}

// Reactive candidates for `anchor`, most similar first: its ANN neighbours and co-clicked
// documents (the larger similarity counts), else the documents whose text is closest to its
// title. Each with its similarity and where it came from.
struct Reactive {
  DocIndex doc = 0;
  double similarity = 0;
  const char* via = "text";
};
std::vector<Reactive> reactive_candidates(const SearchFeedInputs& in, DocIndex anchor, size_t want,
                                          const std::function<bool(DocIndex)>& skip) {
  std::unordered_map<DocIndex, Reactive> found;
  const uint64_t anchor_key = in.index.doc(anchor).key;
  if (in.ann != nullptr) {
    if (auto v = in.ann->get(anchor_key); v.is_ok()) {
      auto hits = in.ann->search(
          *v, want,
          [&](uint64_t key) {
            if (key == anchor_key) return false;
            const auto d = in.index.find_key(key);
            return d.has_value() && !skip(*d);
          },
          kServingAnnCandidates);
      if (hits.is_ok()) {
        for (const AnnHit& h : *hits) {
          if (const auto d = in.index.find_key(h.key)) found[*d] = {*d, h.similarity, "ann"};
        }
      }
    }
  }
  if (in.coclick != nullptr) {
    for (const CoClickNeighbour& x : in.coclick->neighbours(anchor)) {
      const double sim = in.coclick->similarity(anchor, x.doc);
      auto [it, fresh] = found.try_emplace(x.doc, Reactive{x.doc, sim, "coclick"});
      if (!fresh && sim > it->second.similarity) it->second = {x.doc, sim, "coclick"};
    }
  }
  if (found.empty()) {
    const std::vector<TextMatch> like = in.index.search(
        in.index.doc(anchor).title, want + 1, [&](DocIndex d) { return d == anchor || skip(d); });
    double best = 0;
    for (const TextMatch& m : like) best = std::max(best, m.score);
    for (const TextMatch& m : like) found[m.doc] = {m.doc, best > 0 ? m.score / best : 0, "text"};
  }
  std::vector<Reactive> ranked;
  for (const auto& [d, r] : found) ranked.push_back(r);
  std::sort(ranked.begin(), ranked.end(), [](const Reactive& a, const Reactive& b) {
    return a.similarity != b.similarity ? a.similarity > b.similarity : a.doc < b.doc;
  });
  return ranked;
}

void sort_scored(std::vector<Scored>& v) {
  std::stable_sort(v.begin(), v.end(), [](const Scored& a, const Scored& b) {
    return a.score != b.score ? a.score > b.score : a.doc > b.doc;
  });
}

// Re-orders the best c.ranker_max_candidates of the personalised pool (sorted by
// the hand-set score) by the ranker (SearchFeedInputs::ranker), leaving the rest after them:
// one batch of home_feature_schema() rows, each candidate an AfterSearch match (BM25 share,
// topic preference, profile closeness); the model's min-max share over those scored goes
// through the feed's recency rule. On a model error the hand-set order stays (serving never
// stops).
void rank_with_model(const SearchFeedInputs& in, const SearchFeedConfig& c, TimeMs now,
                     std::vector<Scored>& pool) {
  const size_t cap = c.ranker_max_candidates;
  const size_t n = cap == 0 ? pool.size() : std::min(cap, pool.size());
  if (n == 0) return;
  const FeatureContext features(*in.view, in.context, in.index, in.taxonomy, *in.feed_config, now);
  std::vector<float> rows(n * kFeatureCount, 0.0f);
  for (size_t i = 0; i < n; ++i) {
    CandidateSignals signals;
    signals.source = FeedSource::kAfterSearch;
    signals.after_search_share = pool[i].scores.text;
    signals.topic = pool[i].preference;
    signals.embedding = pool[i].profile;
    features.compute(pool[i].doc, signals,
                     std::span<float>(rows).subspan(i * kFeatureCount, kFeatureCount));
  }
  std::vector<float> model;
  if (!in.ranker->predict(rows, n, &model).is_ok()) return;
  const std::vector<double> relevance = model_relevance(model);
  const double top = top_popularity(in.index, now);
  for (size_t i = 0; i < n; ++i) {
    Scored& s = pool[i];
    s.scores.learned = true;
    s.scores.model = model[i];
    s.scores.relevance = relevance[i];
    s.score =
        learned_rank_scores(s.scores.relevance, in.index, s.doc, now, top, *in.feed_config).final;
  }
  std::stable_sort(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(n),
                   [](const Scored& a, const Scored& b) {
                     return a.score != b.score ? a.score > b.score : a.doc > b.doc;
                   });
}

}  // namespace

const char* search_wave_name(SearchWave w) {
  switch (w) {
    case SearchWave::kReactive:
      return "reactive";
    case SearchWave::kRelated:
      return "related";
    case SearchWave::kPersonalised:
      return "personalised";
    case SearchWave::kExpansive:
      return "expansive";
  }
  return "related";
}

std::vector<SearchFeedItem> build_search_feed(const SearchFeedInputs& in, std::string_view query,
                                              size_t page, size_t n, TimeMs now,
                                              const SearchFeedConfig& c,
                                              const std::function<bool(uint64_t)>& exclude,
                                              std::vector<SearchFeedItem>* unserved) {
  std::vector<SearchFeedItem> out;
  n = std::clamp<size_t>(n, 1, std::max<size_t>(1, c.max_n));
  if (page > c.max_page) return out;
  std::unordered_set<DocIndex> taken;
  const auto skip = [&](DocIndex d) {
    return taken.count(d) > 0 || (exclude && exclude(in.index.doc(d).key));
  };
  const std::string q(query);
  auto push = [&](DocIndex d, SearchWave w, double score, std::string reason, std::string basis,
                  SearchScores scores) {
    if (out.size() >= n || skip(d)) return;
    taken.insert(d);
    out.push_back({d, w, score, std::move(reason), std::move(basis), std::move(scores)});
  };

  // Reactive: neighbours of the document clicked last, if it was clicked in this session.
  if (page == 0 && in.context != nullptr && !in.context->recent_clicks().empty()) {
    const RecentClick& last = in.context->recent_clicks().front();
    const auto anchor = in.index.find_key(last.key);
    if (anchor && now - last.time_ms <= c.session_window_ms) {
      const std::string& title = in.index.doc(*anchor).title;
      size_t added = 0;
      for (const Reactive& r : reactive_candidates(in, *anchor, c.reactive_items + 1, skip)) {
        if (added >= c.reactive_items || r.similarity <= 0) break;
        const size_t before = out.size();
        SearchScores sc;
        sc.via = r.via;
        sc.similarity = r.similarity;
        push(r.doc, SearchWave::kReactive, r.similarity,
             "방금 본 '" + title + "'와(과) 비슷한 콘텐츠", title, sc);
        added += out.size() > before;
      }
    }
  }

  std::vector<Scored> off_sense;
  std::vector<Scored> pool =
      related_pool(in, query, now, c, skip, unserved != nullptr ? &off_sense : nullptr);
  // Personalised (page >= 1): the related pool re-ranked by the user's topic preference.
  if (page >= 1 && in.view != nullptr && !in.view->integrated.empty()) {
    std::unordered_map<TopicId, double> pref;
    for (const TopicScore& t : in.view->integrated) pref[t.topic] = t.score;
    for (Scored& s : pool) {
      for (const DocTopic& dt : in.index.doc(s.doc).topics) {
        std::array<TopicId, kMaxTopicLevel> lineage{};
        const int len = in.taxonomy.lineage(dt.topic, lineage);
        for (int i = len - 1; i >= 0; --i) {  // the most specific preferred level
          auto it = pref.find(lineage[static_cast<size_t>(i)]);
          if (it == pref.end()) continue;
          if (it->second > s.preference) {
            s.preference = it->second;
            s.topic = it->first;
          }
          break;
        }
      }
      s.scores.preference = s.preference;
      s.score += c.preference_weight * s.preference;
    }
  }
  // ... and by closeness to the user's embedding interest profiles (the fifth context).
  if (page >= 1 && in.view != nullptr && in.ann != nullptr && !in.view->profiles.empty() &&
      c.profile_weight > 0) {
    const auto& profiles = in.view->profiles;  // heaviest first
    const double heaviest = profiles.front().weight;
    for (Scored& s : pool) {
      auto v = in.ann->get(in.index.doc(s.doc).key);
      if (!v.is_ok()) continue;
      for (size_t p = 0; p < profiles.size(); ++p) {
        if (profiles[p].vector.size() != v->size() || heaviest <= 0) continue;
        double cos = 0;
        for (size_t i = 0; i < v->size(); ++i) cos += (*v)[i] * profiles[p].vector[i];
        const double closeness = std::max(0.0, cos) * profiles[p].weight / heaviest;
        if (closeness > s.profile) {
          s.profile = closeness;
          s.profile_index = p;
        }
      }
      s.scores.profile = s.profile;
      s.score += c.profile_weight * s.profile;
    }
  }
  sort_scored(pool);
  if (page >= 1 && in.view != nullptr && in.ranker != nullptr && in.feed_config != nullptr) {
    rank_with_model(in, c, now, pool);
  }

  // Expansive (page >= 2): neighbouring queries, each filtered by its own context text.
  if (page >= 2 && in.graph != nullptr) {
    for (const QueryNeighbour& nq : in.graph->neighbours(query, c.expansive_queries, now)) {
      size_t added = 0;
      // Every one of the neighbour's best related_pool matches, served or not, decides whether
      // its sense filter applies, so that it does not change as pages serve its documents (the
      // same rule as q's own, related_pool). Its cached pool has them all; without one, the
      // wave reads a prefix first: matches are ranked by one total order, so the best
      // kExpansivePrefix are a prefix of the best related_pool, and the whole list is read
      // only when the prefix cannot decide the filter (too few on sense) or runs out before
      // the wave is done — the same items, far less work.
      std::vector<TextMatch> matches;
      std::vector<double> sense;
      size_t on_sense = 0;
      bool has_context = false, complete = true;
      std::optional<QueryGraph::SenseScorer> scorer;
      const auto cached = cached_pool(in, nq.query, now);
      if (cached != nullptr) {
        matches = cached->matches;
        sense = cached->sense;
        on_sense = cached->on_sense;
        has_context = cached->has_context;
      } else {
        scorer = in.graph->sense_scorer(nq.query, now);
        has_context = !scorer->empty();
        const size_t first = std::min(c.related_pool, kExpansivePrefix);
        matches = in.index.search(nq.query, first, nullptr);
        complete = matches.size() < first || first == c.related_pool;
      }
      const auto score_sense = [&] {  // sense of matches[sense.size()..]
        if (!has_context) {
          sense.resize(matches.size(), 0.0);
          return;
        }
        on_sense +=
            append_sense(in.index, *scorer, matches, sense.size(), c.min_context_similarity, sense);
      };
      const auto read_all = [&] {
        matches = in.index.search(nq.query, c.related_pool, nullptr);
        complete = true;
        score_sense();
      };
      if (cached == nullptr) score_sense();
      if (has_context && on_sense < c.min_on_sense && !complete) read_all();
      const bool filter = has_context && on_sense >= c.min_on_sense;
      for (size_t i = 0;; ++i) {
        if (added >= c.expansive_items_per_query || out.size() >= n) break;
        if (i == matches.size()) {
          if (complete) break;
          read_all();
          if (i == matches.size()) break;
        }
        const TextMatch& m = matches[i];
        if (filter && sense[i] < c.min_context_similarity) continue;  // the neighbour's other sense
        const size_t before = out.size();
        SearchScores sc;
        sc.via = "neighbour";
        sc.similarity = nq.weight;
        sc.context = has_context ? sense[i] : 0;
        sc.sense_filter = filter;
        push(m.doc, SearchWave::kExpansive, nq.weight,
             "'" + q + "'와(과) 함께 찾는 '" + nq.query + "'", nq.query, sc);
        added += out.size() > before;
      }
    }
  }

  for (const Scored& s : pool) {
    if (out.size() >= n) break;
    const auto anchor = s.profile > 0
                            ? in.index.find_key(in.view->profiles[s.profile_index].anchor_key)
                            : std::nullopt;
    if (s.preference > 0 && c.preference_weight * s.preference >= c.profile_weight * s.profile) {
      const std::string& path = in.taxonomy.node(s.topic).path;
      push(s.doc, SearchWave::kPersonalised, s.score, "'" + q + "' 중 관심 주제 '" + path + "'",
           path, s.scores);
    } else if (s.profile >= c.min_profile_closeness && anchor.has_value()) {
      const std::string& title = in.index.doc(*anchor).title;
      push(s.doc, SearchWave::kPersonalised, s.score,
           "'" + q + "' 중 즐겨 본 '" + title + "'와(과) 비슷한 콘텐츠", title, s.scores);
    } else {
      push(s.doc, SearchWave::kRelated, s.score, "'" + q + "' 관련 최신 콘텐츠", q, s.scores);
    }
  }
  if (unserved != nullptr) {
    // The rest of the pool, then what the sense filter dropped (explain).
    for (const std::vector<Scored>* list : {&pool, &off_sense}) {
      for (const Scored& s : *list) {
        if (unserved->size() >= c.max_n) break;
        if (taken.count(s.doc) > 0) continue;
        const bool personal = s.preference > 0;
        unserved->push_back({s.doc, personal ? SearchWave::kPersonalised : SearchWave::kRelated,
                             s.score, "", personal ? in.taxonomy.node(s.topic).path : q, s.scores});
      }
    }
  }
  return out;
}

}  // namespace feedscout
