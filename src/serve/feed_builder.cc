#include "feedscout/serve/feed_builder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <unordered_map>
#include <unordered_set>

#include "feedscout/context/decay.h"
#include "feedscout/serve/candidate_score.h"
#include "feedscout/serve/interest_candidates.h"

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

Feed build_feed(const ContextView& view, const UserContext& context, const DocumentIndex& index,
                const Taxonomy& taxonomy, const FeedConfig& config, size_t n, TimeMs now,
                const std::function<bool(uint64_t)>& exclude, const CoClickIndex* coclick,
                bool explain, const AnnIndex* ann) {
  Feed feed;
  feed.user_class = view.user_class;
  n = std::clamp<size_t>(n, 1, config.max_n);
  std::unordered_set<DocIndex> used;
  auto blocked = [&](DocIndex d) {
    const uint64_t key = index.doc(d).key;
    return used.count(d) > 0 || context.has_seen(key) || (exclude && exclude(key));
  };
  const double top = top_popularity(index, now);

  // 1. AfterSearch leads.
  size_t searches_used = 0;
  for (const RecentSearch& rs : view.recent_searches) {
    if (searches_used >= config.after_search_queries || feed.items.size() >= n) break;
    if (now - rs.time_ms > config.after_search_window_ms) break;  // newest first: rest older
    const size_t want = searches_used == 0 ? config.after_search_items
                                           : std::max<size_t>(1, config.after_search_items / 2);
    // A refined query Q* ranks and must be covered like any query, while the user's own
    // query gates what may match (a document sharing only Q*'s added words is no answer);
    // it also names the reason. When nothing but what the user saw matches Q*, Q as typed.
    bool refined = !rs.refined.empty() && rs.refined != rs.query;
    std::vector<TextMatch> matches;
    if (refined) matches = index.search(rs.refined, want, blocked, rs.query);
    if (matches.empty()) {
      refined = false;
      matches = index.search(rs.query, want, blocked);
    }
    const std::string& shown = refined ? rs.refined : rs.query;
    const double best_bm25 = matches.empty() ? 0.0 : matches.front().score;
    for (const TextMatch& m : matches) {
      if (feed.items.size() >= n) break;
      used.insert(m.doc);
      // Leads the page outside the recency rule; its relevance is its BM25 share.
      FeedScores sc =
          rank_scores(best_bm25 > 0 ? m.score / best_bm25 : 1.0, index, m.doc, now, top, config);
      sc.final = 2.0 + m.score;
      feed.items.push_back({m.doc, FeedSource::kAfterSearch, sc.final,
                            "최근 찾아본 '" + shown + "' 콘텐츠", shown, sc});
    }
    ++searches_used;
  }

  // 2. Topic, related and popular candidates on one scale.
  std::vector<FeedItem> pool;
  const auto topics = select_feed_topics(view, taxonomy, config);
  const RelatedScores related = related_scores(context, index, coclick, config);
  const size_t remaining = n - feed.items.size();
  std::unordered_set<DocIndex> pooled;
  // Topic relevance normalised by the strongest selected topic (candidate_score.h).
  const double scale = topic_scale(topics);
  const InterestCandidates interests = interest_candidates(view, index, ann, config, blocked);
  // The recency rule on topic + related + keyword + embedding relevance; the reason names the
  // largest part.
  auto add_candidate = [&](DocIndex d, double topic_relevance, const TopicScore* topic) {
    if (blocked(d) || !pooled.insert(d).second) return false;
    const auto rel = related.by_doc.find(d);
    const auto kw = interests.by_keyword.find(d);
    const auto em = interests.by_embedding.find(d);
    const double topic_part = topic != nullptr ? topic_relevance / scale : 0.0;
    const double related_part = rel == related.by_doc.end() ? 0.0 : rel->second.related;
    const double keyword_part = kw == interests.by_keyword.end() ? 0.0 : kw->second.relevance;
    const double embedding_part = em == interests.by_embedding.end() ? 0.0 : em->second.relevance;
    const FeedScores sc = rank_scores(topic_part + related_part + keyword_part + embedding_part,
                                      index, d, now, top, config);
    const double largest = std::max({topic_part, related_part, keyword_part, embedding_part});
    if (topic != nullptr && topic_part >= largest) {
      const std::string& path = taxonomy.node(topic->topic).path;
      pool.push_back({d, FeedSource::kTopic, sc.final, "관심 주제 '" + path + "'", path, sc});
    } else if (related_part >= largest && rel != related.by_doc.end()) {
      const DocRecord& anchor = index.doc(rel->second.anchor);
      pool.push_back({d, FeedSource::kRelated, sc.final,
                      "'" + anchor.title + "'을(를) 본 분들이 함께 본 콘텐츠", anchor.id, sc});
    } else if (keyword_part >= largest && kw != interests.by_keyword.end()) {
      const std::string& k = interests.keywords[kw->second.basis];
      pool.push_back({d, FeedSource::kKeyword, sc.final, keyword_reason(k), k, sc});
    } else {
      pool.push_back({d, FeedSource::kEmbedding, sc.final,
                      embedding_reason(interests, em->second.basis, index),
                      "profile:" + std::to_string(em->second.basis), sc});
    }
    return true;
  };
  // The best of the selected topics for a document found by another source.
  auto best_topic = [&](DocIndex d, double* relevance) {
    const TopicScore* best = nullptr;
    *relevance = 0;
    for (const TopicScore& ts : topics) {
      const double r = ts.score * topic_membership(index, taxonomy, d, ts.topic);
      if (r > *relevance) {
        *relevance = r;
        best = &ts;
      }
    }
    return best;
  };
  for (const TopicScore& ts : topics) {
    auto consider = [&](DocIndex d) {
      return add_candidate(d, ts.score * topic_membership(index, taxonomy, d, ts.topic), &ts);
    };
    // The newest documents of the topic, then its most popular ones.
    const auto& docs = index.topic_docs(ts.topic);
    size_t taken = 0;
    for (auto it = docs.rbegin(); it != docs.rend() && taken < remaining; ++it) {
      taken += consider(*it);
    }
    taken = 0;
    for (DocIndex d : index.topic_popular(ts.topic)) {
      if (taken >= remaining) break;
      taken += consider(d);
    }
  }
  std::vector<std::pair<double, DocIndex>> related_docs;
  for (const auto& [d, entry] : related.by_doc) related_docs.emplace_back(entry.related, d);
  std::sort(related_docs.begin(), related_docs.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  for (const auto& [r, d] : related_docs) {
    double relevance = 0;
    const TopicScore* best = best_topic(d, &relevance);
    add_candidate(d, relevance, best);
  }
  // Keyword and embedding candidates, strongest first (ties: smaller index).
  for (const auto* hits : {&interests.by_keyword, &interests.by_embedding}) {
    std::vector<std::pair<double, DocIndex>> ranked;
    for (const auto& [d, h] : *hits) ranked.emplace_back(h.relevance, d);
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (const auto& [r, d] : ranked) {
      double relevance = 0;
      const TopicScore* best = best_topic(d, &relevance);
      add_candidate(d, relevance, best);
    }
  }
  const bool cold = topics.empty() && related.by_doc.empty() && interests.by_keyword.empty() &&
                    interests.by_embedding.empty();
  const size_t popular_quota =
      cold ? remaining
           : static_cast<size_t>(std::ceil(config.popular_share * static_cast<double>(n)));
  {
    size_t taken = 0;
    for (DocIndex d : index.popular()) {
      if (taken >= std::max(popular_quota, remaining)) break;
      if (blocked(d)) continue;
      // Popular items rank below a real interest unless the user has none: a warm user's
      // stand in with relevance popular_weight, a cold user's with their popularity.
      const FeedScores sc =
          rank_scores(cold ? popularity_share(index, d, now, top) : config.popular_weight, index, d,
                      now, top, config);
      pool.push_back({d, FeedSource::kPopular, sc.final, "지금 인기 있는 콘텐츠", "", sc});
      ++taken;
    }
  }
  std::stable_sort(pool.begin(), pool.end(),
                   [](const FeedItem& a, const FeedItem& b) { return a.score > b.score; });

  // 3. Fill: topic items by score with a per-topic cap, then a popular quota, then anything.
  std::unordered_map<std::string, size_t> per_basis;
  size_t popular_taken = 0;
  const size_t topic_slots = n - std::min(n, feed.items.size() + (cold ? n : popular_quota));
  size_t topic_taken = 0;
  for (const FeedItem& item : pool) {
    if (topic_taken >= topic_slots) break;
    if (item.source == FeedSource::kPopular || item.source == FeedSource::kAfterSearch ||
        used.count(item.doc)) {
      continue;
    }
    if (per_basis[item.basis] >= config.max_items_per_topic) continue;
    ++per_basis[item.basis];
    used.insert(item.doc);
    feed.items.push_back(item);
    ++topic_taken;
  }
  for (int pass = 0; pass < 2 && feed.items.size() < n; ++pass) {
    for (const FeedItem& item : pool) {
      if (feed.items.size() >= n) break;
      if (used.count(item.doc)) continue;
      if (pass == 0 && item.source != FeedSource::kPopular) continue;
      if (pass == 0 && popular_taken >= popular_quota) break;
      used.insert(item.doc);
      feed.items.push_back(item);
      popular_taken += item.source == FeedSource::kPopular;
    }
  }
  // Keep AfterSearch first; order the rest by score so the page reads best-first.
  const auto first_rest = std::find_if(feed.items.begin(), feed.items.end(), [](const FeedItem& i) {
    return i.source != FeedSource::kAfterSearch;
  });
  std::stable_sort(first_rest, feed.items.end(),
                   [](const FeedItem& a, const FeedItem& b) { return a.score > b.score; });
  {
    std::vector<FeedItem> rest(std::make_move_iterator(first_rest),
                               std::make_move_iterator(feed.items.end()));
    feed.items.erase(first_rest, feed.items.end());
    apply_diversity(rest, index, taxonomy, config);
    for (FeedItem& item : rest) feed.items.push_back(std::move(item));
  }
  if (explain) {
    for (const FeedItem& item : pool) {
      if (feed.unserved.size() >= config.max_n) break;
      if (used.count(item.doc) == 0) feed.unserved.push_back(item);
    }
  }
  return feed;
}

}  // namespace feedscout
