#include "feedscout/serve/interest_candidates.h"

#include <algorithm>

namespace feedscout {
namespace {

void keep_best(std::unordered_map<DocIndex, InterestHit>& hits, DocIndex d, InterestHit h) {
  auto [it, fresh] = hits.emplace(d, h);
  if (!fresh && h.relevance > it->second.relevance) it->second = h;
}

}  // namespace

InterestCandidates interest_candidates(const ContextView& view, const DocumentIndex& index,
                                       const AnnIndex* ann, const FeedConfig& config,
                                       const std::function<bool(DocIndex)>& blocked) {
  InterestCandidates out;
  // Keywords (view.keywords is heaviest first).
  if (config.keyword_weight > 0 && config.keyword_items > 0 && !view.keywords.empty() &&
      view.keywords.front().weight > 0) {
    const double heaviest = view.keywords.front().weight;
    for (const KeywordScore& k : view.keywords) {
      if (out.keywords.size() >= config.keyword_queries) break;
      // The keyword must be covered, not just share a bigram with the document.
      const std::vector<TextMatch> matches =
          index.search(k.text, config.keyword_items, blocked, k.text);
      if (matches.empty()) continue;
      const size_t basis = out.keywords.size();
      out.keywords.push_back(k.text);
      const double best = matches.front().score;
      for (const TextMatch& m : matches) {
        const double rel =
            config.keyword_weight * (k.weight / heaviest) * (best > 0 ? m.score / best : 1.0);
        keep_best(out.by_keyword, m.doc, {std::min(1.0, rel), basis});
      }
    }
  }
  // Embedding profiles (view.profiles is heaviest first).
  if (ann != nullptr && config.embedding_weight > 0 && config.profile_items > 0 &&
      !view.profiles.empty() && view.profiles.front().weight > 0) {
    const double heaviest = view.profiles.front().weight;
    const auto allowed = [&](uint64_t key) {
      const auto d = index.find_key(key);
      return d.has_value() && !blocked(*d);
    };
    for (const ProfileScore& p : view.profiles) {
      if (out.anchors.size() >= config.profile_queries) break;
      if (p.vector.size() != ann->dimension()) continue;  // from another embedder
      // Capped: a heavy reader has seen most of a profile's neighbours, and an uncapped
      // filtered search would then walk the whole index.
      auto hits = ann->search(p.vector, config.profile_items, allowed, kServingAnnCandidates);
      const size_t basis = out.anchors.size();
      const auto anchor = index.find_key(p.anchor_key);
      out.anchors.push_back(anchor);
      if (!hits.is_ok() || hits->empty()) continue;
      const double best = hits->front().similarity;
      for (const AnnHit& h : *hits) {
        if (h.similarity < config.embedding_min_similarity || best <= 0) continue;
        const auto d = index.find_key(h.key);
        if (!d) continue;
        const double rel = config.embedding_weight * (p.weight / heaviest) * (h.similarity / best);
        keep_best(out.by_embedding, *d, {std::min(1.0, rel), basis});
      }
    }
  }
  return out;
}

std::string keyword_reason(const std::string& keyword) {
  return "관심 키워드 '" + keyword + "'";
}

std::string embedding_reason(const InterestCandidates& c, size_t profile,
                             const DocumentIndex& index) {
  if (profile < c.anchors.size() && c.anchors[profile].has_value()) {
    return "즐겨 본 '" + index.doc(*c.anchors[profile]).title + "'와(과) 비슷한 콘텐츠";
  }
  return "즐겨 보는 콘텐츠와 비슷한 콘텐츠";
}

}  // namespace feedscout
