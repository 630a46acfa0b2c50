#include "feed_candidates.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "feedscout/serve/candidate_score.h"
#include "feedscout/serve/interest_candidates.h"

namespace feedscout {
namespace {

// The ranker's wider pool: with a ranker, or asked for (training pages).
bool wide_pool(const FeedRequest& r) {
  return r.models.ranker != nullptr || r.models.full_pool;
}

// The collaborative model's view of one user: their vector and best documents.
struct CollaborativeCandidates {
  std::vector<uint64_t> history;  // the user's recent clicks, newest first
  std::vector<float> user_vector;
  std::unordered_map<DocIndex, double> relevance;  // normalised, collaborative_weight applied
  double score(const CollaborativeModel* model, const DocumentIndex& index, DocIndex d) const {
    if (model == nullptr || user_vector.empty()) return 0.0;
    return model->score(user_vector, index.doc(d).key).value_or(0.0f);
  }
};

CollaborativeCandidates collaborative_candidates(const FeedRequest& r,
                                                 const std::function<bool(DocIndex)>& blocked) {
  CollaborativeCandidates out;
  const CollaborativeModel* model = r.models.collaborative;
  if (model == nullptr || r.context.recent_clicks().empty()) return out;
  for (const RecentClick& c : r.context.recent_clicks()) out.history.push_back(c.key);
  out.user_vector = model->user_vector(out.history);
  const size_t items =
      wide_pool(r) ? std::max(r.config.collaborative_items, r.config.ranker_collaborative_items)
                   : r.config.collaborative_items;
  if (r.config.collaborative_weight <= 0 || items == 0) return out;
  const auto best = model->top_k(out.user_vector, items, [&](uint64_t key) {
    const auto d = r.index.find_key(key);
    return !d || blocked(*d);
  });
  if (best.empty()) return out;
  const double top = best.front().second;
  for (const auto& [key, s] : best) {
    const auto d = r.index.find_key(key);
    if (d) out.relevance.emplace(*d, r.config.collaborative_weight * s / top);
  }
  return out;
}

std::string collaborative_reason(const FeedRequest& r, const CollaborativeCandidates& c, DocIndex d,
                                 std::string* basis) {
  const auto anchor = r.models.collaborative->nearest_in_history(c.history, r.index.doc(d).key);
  const auto anchor_doc = anchor ? r.index.find_key(*anchor) : std::nullopt;
  if (!anchor_doc) {
    *basis = "";
    return "비슷한 분들이 좋아한 콘텐츠";
  }
  const DocRecord& a = r.index.doc(*anchor_doc);
  *basis = a.id;
  return "'" + a.title + "'을(를) 본 분들이 좋아한 콘텐츠";
}

std::vector<FeedItem> after_search_items(const FeedRequest& r, size_t n, double top,
                                         const std::function<bool(DocIndex)>& blocked,
                                         std::unordered_set<DocIndex>& used) {
  std::vector<FeedItem> items;
  size_t searches_used = 0;
  for (const RecentSearch& rs : r.view.recent_searches) {
    if (searches_used >= r.config.after_search_queries || items.size() >= n) break;
    if (r.now - rs.time_ms > r.config.after_search_window_ms) break;  // newest first
    const size_t want = searches_used == 0 ? r.config.after_search_items
                                           : std::max<size_t>(1, r.config.after_search_items / 2);
    // A refined query Q* ranks and must be covered like any query, while the user's own
    // query gates what may match (a document sharing only Q*'s added words is no answer);
    // it also names the reason. When nothing but what the user saw matches Q*, Q as typed.
    bool refined = !rs.refined.empty() && rs.refined != rs.query;
    std::vector<TextMatch> matches;
    if (refined) matches = r.index.search(rs.refined, want, blocked, rs.query);
    if (matches.empty()) {
      refined = false;
      matches = r.index.search(rs.query, want, blocked);
    }
    const std::string& shown = refined ? rs.refined : rs.query;
    const double best_bm25 = matches.empty() ? 0.0 : matches.front().score;
    for (const TextMatch& m : matches) {
      if (items.size() >= n) break;
      used.insert(m.doc);
      // Leads the page outside the recency rule; its relevance is its BM25 share.
      const double share = best_bm25 > 0 ? m.score / best_bm25 : 1.0;
      FeedScores sc = rank_scores(share, r.index, m.doc, r.now, top, r.config);
      sc.final = 2.0 + m.score;
      FeedItem item{m.doc,    FeedSource::kAfterSearch,
                    sc.final, "최근 찾아본 '" + shown + "' 콘텐츠",
                    shown,    sc};
      item.signals.source = FeedSource::kAfterSearch;
      item.signals.after_search_share = share;
      items.push_back(std::move(item));
    }
    ++searches_used;
  }
  return items;
}

// Step 2 of the feed: every non-AfterSearch source on one scale.
class PoolBuilder {
 public:
  PoolBuilder(const FeedRequest& r, size_t remaining, double top,
              const std::function<bool(DocIndex)>& blocked)
      : r_(r),
        remaining_(remaining),
        top_(top),
        blocked_(blocked),
        topics_(select_feed_topics(r.view, r.taxonomy, r.config)),
        related_(related_scores(
            r.context, r.index, r.coclick, r.config,
            wide_pool(r) ? RelatedDepth::kWholeHistory : RelatedDepth::kRecentAnchors)),
        scale_(topic_scale(topics_)),
        interests_(interest_candidates(r.view, r.index, r.ann, r.config, blocked)),
        collaborative_(collaborative_candidates(r, blocked)) {}

  CandidatePool build(std::vector<FeedItem> after_search, size_t n) && {
    add_topic_candidates();
    add_ranked(related_docs());
    add_ranked(ranked_hits(interests_.by_keyword));
    add_ranked(ranked_hits(interests_.by_embedding));
    add_ranked(ranked_collaborative());
    CandidatePool pool;
    pool.after_search = std::move(after_search);
    pool.cold = topics_.empty() && related_.by_doc.empty() && interests_.by_keyword.empty() &&
                interests_.by_embedding.empty() && collaborative_.relevance.empty();
    pool.popular_quota =
        pool.cold
            ? remaining_
            : static_cast<size_t>(std::ceil(r_.config.popular_share * static_cast<double>(n)));
    add_popular(r_.index.popular(), std::max(pool.popular_quota, remaining_), pool.cold);
    if (wide_pool(r_)) {
      add_popular(r_.index.lasting_popular(), r_.config.ranker_popular_items, pool.cold);
    }
    std::stable_sort(items_.begin(), items_.end(),
                     [](const FeedItem& a, const FeedItem& b) { return a.score > b.score; });
    pool.items = std::move(items_);
    return pool;
  }

  // `d`'s signals from every source, credited to the source whose part is largest (the pool's
  // rule; kPopular when every part is 0).
  CandidateSignals signals_for(DocIndex d) const {
    const TopicScore* topic = nullptr;
    CandidateSignals s = signals_of(d, 0.0, &topic);
    const double largest = std::max({s.topic, s.related, s.keyword, s.embedding, s.collaborative});
    if (largest <= 0) {
      s.source = FeedSource::kPopular;
    } else if (s.topic >= largest) {
      s.source = FeedSource::kTopic;
    } else if (s.related >= largest) {
      s.source = FeedSource::kRelated;
    } else if (s.keyword >= largest) {
      s.source = FeedSource::kKeyword;
    } else if (s.embedding >= largest) {
      s.source = FeedSource::kEmbedding;
    } else {
      s.source = FeedSource::kCollaborative;
    }
    return s;
  }

 private:
  using Ranked = std::vector<std::pair<double, DocIndex>>;

  // Every source's part for `d`; topic relevance from `topic` when given, else the best of
  // the selected topics.
  CandidateSignals signals_of(DocIndex d, double topic_relevance, const TopicScore** topic) const {
    CandidateSignals s;
    if (*topic == nullptr) *topic = best_topic(d, &topic_relevance);
    s.topic = *topic != nullptr ? topic_relevance / scale_ : 0.0;
    if (const RelatedScores::Entry* e = related_.find(d)) {
      s.related = e->related;
      s.history_similarity = e->history_similarity;
      s.history_hits = e->history_hits;
      s.history_best = e->history_best;
    }
    const auto kw = interests_.by_keyword.find(d);
    s.keyword = kw == interests_.by_keyword.end() ? 0.0 : kw->second.relevance;
    const auto em = interests_.by_embedding.find(d);
    s.embedding = em == interests_.by_embedding.end() ? 0.0 : em->second.relevance;
    const auto co = collaborative_.relevance.find(d);
    s.collaborative = co == collaborative_.relevance.end() ? 0.0 : co->second;
    s.collaborative_score = collaborative_.score(r_.models.collaborative, r_.index, d);
    return s;
  }

  const TopicScore* best_topic(DocIndex d, double* relevance) const {
    const TopicScore* best = nullptr;
    *relevance = 0;
    for (const TopicScore& ts : topics_) {
      const double rel = ts.score * topic_membership(r_.index, r_.taxonomy, d, ts.topic);
      if (rel > *relevance) {
        *relevance = rel;
        best = &ts;
      }
    }
    return best;
  }

  // The recency rule on the sum of the parts; the reason names the largest part.
  bool add_candidate(DocIndex d, double topic_relevance, const TopicScore* topic) {
    if (blocked_(d) || !pooled_.insert(d).second) return false;
    CandidateSignals s = signals_of(d, topic_relevance, &topic);
    const FeedScores sc =
        rank_scores(s.topic + s.related + s.keyword + s.embedding + s.collaborative, r_.index, d,
                    r_.now, top_, r_.config);
    const double largest = std::max({s.topic, s.related, s.keyword, s.embedding, s.collaborative});
    FeedItem item{d, FeedSource::kTopic, sc.final, "", "", sc};
    if (topic != nullptr && s.topic >= largest) {
      item.basis = r_.taxonomy.node(topic->topic).path;
      item.reason = "관심 주제 '" + item.basis + "'";
    } else if (s.related >= largest && related_.by_doc.count(d) > 0) {
      const DocRecord& anchor = r_.index.doc(related_.by_doc.at(d).anchor);
      item.source = FeedSource::kRelated;
      item.basis = anchor.id;
      item.reason = "'" + anchor.title + "'을(를) 본 분들이 함께 본 콘텐츠";
    } else if (s.keyword >= largest && interests_.by_keyword.count(d) > 0) {
      item.source = FeedSource::kKeyword;
      item.basis = interests_.keywords[interests_.by_keyword.at(d).basis];
      item.reason = keyword_reason(item.basis);
    } else if (interests_.by_embedding.count(d) > 0 &&
               (s.embedding >= largest || collaborative_.relevance.count(d) == 0)) {
      const size_t profile = interests_.by_embedding.at(d).basis;
      item.source = FeedSource::kEmbedding;
      item.basis = "profile:" + std::to_string(profile);
      item.reason = embedding_reason(interests_, profile, r_.index);
    } else {
      item.source = FeedSource::kCollaborative;
      item.reason = collaborative_reason(r_, collaborative_, d, &item.basis);
    }
    s.source = item.source;
    item.signals = s;
    items_.push_back(std::move(item));
    return true;
  }

  void add_topic_candidates() {
    for (const TopicScore& ts : topics_) {
      auto consider = [&](DocIndex d) {
        return add_candidate(d, ts.score * topic_membership(r_.index, r_.taxonomy, d, ts.topic),
                             &ts);
      };
      // The newest documents of the topic, then its most popular ones.
      const auto& docs = r_.index.topic_docs(ts.topic);
      size_t taken = 0;
      for (auto it = docs.rbegin(); it != docs.rend() && taken < remaining_; ++it) {
        taken += consider(*it);
      }
      taken = 0;
      for (DocIndex d : r_.index.topic_popular(ts.topic)) {
        if (taken >= remaining_) break;
        taken += consider(d);
      }
    }
  }

  static void sort_ranked(Ranked& ranked) {
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
  }
  // The co-click source's candidates: every document with a related part, best first, then
  // in the wide pool the ranker_related_items most similar to the whole history.
  Ranked related_docs() const {
    Ranked out;
    for (const auto& [d, entry] : related_.by_doc) {
      if (entry.related > 0) out.emplace_back(entry.related, d);
    }
    sort_ranked(out);
    if (!wide_pool(r_) || r_.config.ranker_related_items == 0) return out;
    Ranked history;
    for (const auto& [d, entry] : related_.by_doc) {
      if (entry.history_similarity > 0 && !blocked_(d)) {
        history.emplace_back(entry.history_similarity, d);
      }
    }
    sort_ranked(history);
    if (history.size() > r_.config.ranker_related_items) {
      history.resize(r_.config.ranker_related_items);
    }
    out.insert(out.end(), history.begin(), history.end());
    return out;
  }
  static Ranked ranked_hits(const std::unordered_map<DocIndex, InterestHit>& hits) {
    Ranked out;
    for (const auto& [d, h] : hits) out.emplace_back(h.relevance, d);
    sort_ranked(out);
    return out;
  }
  Ranked ranked_collaborative() const {
    Ranked out;
    for (const auto& [d, rel] : collaborative_.relevance) out.emplace_back(rel, d);
    sort_ranked(out);
    return out;
  }
  void add_ranked(const Ranked& ranked) {
    for (const auto& [rel, d] : ranked) add_candidate(d, 0.0, nullptr);
  }

  // Popular items rank below a real interest unless the user has none: a warm user's stand
  // in with relevance popular_weight, a cold user's with their popularity.
  void add_popular(const std::vector<DocIndex>& list, size_t limit, bool cold) {
    size_t taken = 0;
    for (DocIndex d : list) {
      if (taken >= limit) break;
      if (blocked_(d)) continue;
      // The hand-set fill skips a document it already took; a ranker scores each once.
      if (!pooled_.insert(d).second && wide_pool(r_)) continue;
      const double stand_in =
          cold ? popularity_share(r_.index, d, r_.now, top_) : r_.config.popular_weight;
      const FeedScores sc = rank_scores(stand_in, r_.index, d, r_.now, top_, r_.config);
      FeedItem item{d, FeedSource::kPopular, sc.final, "지금 인기 있는 콘텐츠", "", sc};
      const TopicScore* topic = nullptr;
      item.signals = signals_of(d, 0.0, &topic);
      item.signals.source = FeedSource::kPopular;
      items_.push_back(std::move(item));
      ++taken;
    }
  }

  const FeedRequest& r_;
  size_t remaining_;
  double top_;
  const std::function<bool(DocIndex)>& blocked_;
  std::vector<TopicScore> topics_;
  RelatedScores related_;
  double scale_;
  InterestCandidates interests_;
  CollaborativeCandidates collaborative_;
  std::unordered_set<DocIndex> pooled_;
  std::vector<FeedItem> items_;
};

}  // namespace

std::vector<CandidateSignals> candidate_signals(const FeedRequest& r,
                                                const std::vector<DocIndex>& docs) {
  const std::function<bool(DocIndex)> never = [](DocIndex) { return false; };
  const PoolBuilder builder(r, docs.size(), top_popularity(r.index, r.now), never);
  std::vector<CandidateSignals> out;
  out.reserve(docs.size());
  for (DocIndex d : docs) out.push_back(builder.signals_for(d));
  return out;
}

CandidatePool gather_candidates(const FeedRequest& r, size_t n,
                                std::unordered_set<DocIndex>& used) {
  std::unordered_set<DocIndex> taken_after_search;
  auto blocked = [&](DocIndex d) {
    const uint64_t key = r.index.doc(d).key;
    return used.count(d) > 0 || r.context.has_seen(key) || (r.exclude && r.exclude(key));
  };
  const std::function<bool(DocIndex)> blocked_fn = blocked;
  const double top = top_popularity(r.index, r.now);
  std::vector<FeedItem> after_search = after_search_items(r, n, top, blocked_fn, used);
  const size_t remaining = n - std::min(n, after_search.size());
  return PoolBuilder(r, remaining, top, blocked_fn).build(std::move(after_search), n);
}

}  // namespace feedscout
