#include "feedscout/index/document_index.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <unordered_set>

#include "feedscout/common/decay.h"
#include "feedscout/common/hash.h"
#include "feedscout/index/query_graph.h"

namespace feedscout {

namespace {

constexpr size_t kDocPopularityBytes = 36;
constexpr size_t kLegacyPopularityBytes = 16;

// One posting's BM25 contribution (k1 = 1.2, b = 0.75): the one expression every search
// path uses, so that equal inputs give bit-identical scores.
inline double bm25_term(double idf, double tf, double len, double avg_len) {
  constexpr double k1 = 1.2, b = 0.75;
  return idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avg_len));
}

// A posting's document length: the copy in the posting, or doc_length when it did not fit.
template <typename Posting>
inline uint32_t length_of(const Posting& p, const std::vector<uint32_t>& doc_length) {
  // DocumentIndex::kLongDocument: the largest value of the field.
  constexpr auto kLong = std::numeric_limits<decltype(p.length)>::max();
  return p.length != kLong ? p.length : doc_length[p.doc];
}

// One query term's cursor for search_top_k: its postings from `at` on, its idf and an upper
// bound of one posting's BM25 contribution.
template <typename Posting>
struct TermCursor {
  const Posting* at = nullptr;
  const Posting* end = nullptr;
  double idf = 0;
  double bound = 0;
};

// The first posting at or after `at` whose document is >= doc (galloping, then binary search).
template <typename Posting>
const Posting* gallop_to(const Posting* at, const Posting* end, DocIndex doc) {
  size_t step = 1;
  const Posting* lo = at;
  while (end - lo > static_cast<std::ptrdiff_t>(step) && lo[step].doc < doc) {
    lo += step;
    step *= 2;
  }
  const Posting* hi = end - lo > static_cast<std::ptrdiff_t>(step) ? lo + step + 1 : end;
  return std::lower_bound(lo, hi, doc, [](const Posting& p, DocIndex d) { return p.doc < d; });
}

// Cursors over `query`'s usable terms in term order (the same terms, idf and coverage rule as
// match_all) into `out`; returns how many of them a match must contain, or 0 when nothing can
// match.
template <typename PostingMap, typename Posting>
uint32_t open_cursors(const PostingMap& postings, size_t n_docs, double avg_len,
                      const IndexConfig& config, std::string_view query,
                      std::vector<TermCursor<Posting>>& out) {
  out.clear();
  auto terms = text::retrieval_terms(query);
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  if (terms.empty() || n_docs == 0) return 0;
  const double n = static_cast<double>(n_docs);
  size_t usable_terms = 0;
  for (auto term : terms) {
    auto it = postings.find(term);
    if (it == postings.end()) {
      ++usable_terms;
      continue;
    }
    const auto& list = it->second.postings;
    const double df = static_cast<double>(list.size());
    if (df > config.max_term_doc_share * n && n > 20) continue;
    ++usable_terms;
    const double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
    const double bound = bm25_term(idf, it->second.max_tf, it->second.min_length, avg_len);
    out.push_back({list.data(), list.data() + list.size(), idf, bound});
  }
  const uint32_t need = std::max<uint32_t>(
      1, static_cast<uint32_t>(std::ceil(config.min_query_coverage * usable_terms)));
  return out.size() < need ? 0 : need;
}

// Every document matching `query` (at least min_query_coverage of its usable terms) with its
// BM25 score, in DocIndex order, into `out` (cleared first): the exhaustive merge of every
// usable term's postings, the reference search_top_k is checked against. `postings` maps a
// term to its postings ({doc, tf}) in DocIndex order.
template <typename PostingMap>
void match_all(const PostingMap& postings, const std::vector<uint32_t>& doc_length,
               uint64_t total_length, const IndexConfig& config, std::string_view query,
               std::vector<TextMatch>& out) {
  using Posting = typename decltype(PostingMap::mapped_type::postings)::value_type;
  out.clear();
  if (doc_length.empty()) return;
  const double avg_len = static_cast<double>(total_length) / static_cast<double>(doc_length.size());
  std::vector<TermCursor<Posting>> cursors;
  const uint32_t need = open_cursors(postings, doc_length.size(), avg_len, config, query, cursors);
  if (need == 0) return;
  while (true) {
    DocIndex doc = UINT32_MAX;
    for (const auto& c : cursors) {
      if (c.at != c.end) doc = std::min(doc, c.at->doc);
    }
    if (doc == UINT32_MAX) break;
    // Summed in term order, as the terms are sorted: the same doubles for the same text.
    double score = 0;
    uint32_t matched = 0;
    for (auto& c : cursors) {
      if (c.at == c.end || c.at->doc != doc) continue;
      score += bm25_term(c.idf, c.at->tf, length_of(*c.at, doc_length), avg_len);
      ++matched;
      ++c.at;
    }
    if (matched >= need) out.push_back({doc, score});
  }
}

// The best k matches of `query` under `better` (a strict total order, best first) that pass
// the gate (`must_match`'s coverage, when not empty) and `exclude`, best first, with the same
// scores as match_all. Documents are visited in DocIndex order from a generating set of lists
// — the shortest m - need + 1 (coverage: a match is in one of them) or, once k candidates are
// held, the lists whose bounds are not all needed to reach the k-th score (MaxScore: a
// document only in the others cannot beat it), whichever has fewer postings left; the other
// lists are galloped for a candidate only while its score bound can still beat the k-th.
template <typename PostingMap, typename Better>
std::vector<TextMatch> search_top_k(const PostingMap& postings,
                                    const std::vector<uint32_t>& doc_length, uint64_t total_length,
                                    const IndexConfig& config, std::string_view query, size_t k,
                                    const std::function<bool(DocIndex)>& exclude,
                                    std::string_view must_match, const Better& better) {
  using Posting = typename decltype(PostingMap::mapped_type::postings)::value_type;
  std::vector<TextMatch> heap;  // the best so far, worst at the front
  if (doc_length.empty() || k == 0) return heap;
  const double avg_len = static_cast<double>(total_length) / static_cast<double>(doc_length.size());
  std::vector<TermCursor<Posting>> cursors, gate;
  const uint32_t need = open_cursors(postings, doc_length.size(), avg_len, config, query, cursors);
  if (need == 0) return heap;
  uint32_t gate_need = 0;
  if (!must_match.empty()) {
    gate_need = open_cursors(postings, doc_length.size(), avg_len, config, must_match, gate);
    if (gate_need == 0) return heap;  // nothing passes the gate
  }
  // Candidates arrive in increasing DocIndex order, so the gate's cursors only move forward.
  const auto passes_gate = [&](DocIndex d) {
    if (must_match.empty()) return true;
    uint32_t hits = 0;
    for (auto& c : gate) {
      if (c.at != c.end && c.at->doc < d) c.at = gallop_to(c.at, c.end, d);
      hits += c.at != c.end && c.at->doc == d;
    }
    return hits >= gate_need;
  };

  const size_t m = cursors.size();
  std::vector<size_t> driving(m);  // coverage: the shortest m - need + 1 lists
  for (size_t i = 0; i < m; ++i) driving[i] = i;
  std::stable_sort(driving.begin(), driving.end(), [&](size_t x, size_t y) {
    return cursors[x].end - cursors[x].at < cursors[y].end - cursors[y].at;
  });
  driving.resize(m - need + 1);
  std::vector<size_t> by_bound(m);
  for (size_t i = 0; i < m; ++i) by_bound[i] = i;
  std::stable_sort(by_bound.begin(), by_bound.end(),
                   [&](size_t x, size_t y) { return cursors[x].bound < cursors[y].bound; });

  // A candidate must reach `limit` to enter once k are held: the k-th score less a margin for
  // the rounding of bounds summed in another order than the score.
  double limit = -1;  // < 0: fewer than k held, nothing is pruned
  std::vector<size_t> generating, probes;
  std::vector<char> in_generating(m, 0);
  double probes_bound = 0;
  // The essential lists change only when `limit` passes the bound sum of the first of them.
  double recheck_above = -1;
  bool started = false;
  DocIndex last = 0;
  const auto choose_generating = [&] {
    std::vector<size_t> essential;
    double prefix = 0;
    recheck_above = std::numeric_limits<double>::infinity();
    for (size_t i : by_bound) {
      prefix += cursors[i].bound;
      if (limit < 0 || prefix >= limit) {
        if (essential.empty() && limit >= 0) recheck_above = prefix;
        essential.push_back(i);
      }
    }
    if (limit < 0) recheck_above = -1;
    const auto left = [&](const std::vector<size_t>& set) {
      std::ptrdiff_t sum = 0;
      for (size_t i : set) sum += cursors[i].end - cursors[i].at;
      return sum;
    };
    const std::vector<size_t>& pick = left(essential) < left(driving) ? essential : driving;
    std::vector<char> now(m, 0);
    for (size_t i : pick) now[i] = 1;
    for (size_t i : pick) {
      // A list joining the generating set must not bring back a document already visited.
      auto& c = cursors[i];
      if (!in_generating[i] && started && c.at != c.end && c.at->doc <= last) {
        c.at = gallop_to(c.at, c.end, last + 1);
      }
    }
    in_generating = now;
    generating = pick;
    probes.clear();
    probes_bound = 0;
    for (size_t i = 0; i < m; ++i) {
      if (!now[i]) probes.push_back(i);
    }
    // The most valuable first: a miss there lowers the candidate's bound the most.
    std::sort(probes.begin(), probes.end(),
              [&](size_t x, size_t y) { return cursors[x].bound > cursors[y].bound; });
    for (size_t i : probes) probes_bound += cursors[i].bound;
    return !essential.empty();
  };
  choose_generating();

  std::vector<double> part(m, 0.0);
  std::vector<char> hit(m, 0);
  heap.reserve(std::min<size_t>(k, 4096) + 1);
  while (true) {
    DocIndex doc = UINT32_MAX;
    for (size_t i : generating) {
      const auto& c = cursors[i];
      if (c.at != c.end) doc = std::min(doc, c.at->doc);
    }
    if (doc == UINT32_MAX) break;
    started = true;
    last = doc;
    double len = 0;  // from a generating list's posting at doc (one is there: doc is their least)
    for (size_t i : generating) {
      const auto& c = cursors[i];
      if (c.at != c.end && c.at->doc == doc) {
        len = length_of(*c.at, doc_length);
        break;
      }
    }
    double partial = 0;
    uint32_t matched = 0;
    std::fill(hit.begin(), hit.end(), 0);
    const auto take = [&](size_t i) {
      auto& c = cursors[i];
      part[i] = bm25_term(c.idf, c.at->tf, len, avg_len);
      hit[i] = 1;
      partial += part[i];
      ++matched;
      ++c.at;
    };
    for (size_t i : generating) {
      if (cursors[i].at != cursors[i].end && cursors[i].at->doc == doc) take(i);
    }
    double rest_bound = probes_bound;
    size_t rest = probes.size();
    bool possible = true;
    for (size_t i : probes) {
      if (matched + rest < need || (limit >= 0 && partial + rest_bound < limit)) {
        possible = false;
        break;
      }
      auto& c = cursors[i];
      if (c.at != c.end && c.at->doc < doc) c.at = gallop_to(c.at, c.end, doc);
      if (c.at != c.end && c.at->doc == doc) take(i);
      rest_bound -= c.bound;
      --rest;
    }
    if (!possible || matched < need || (limit >= 0 && partial < limit)) continue;
    // Summed in term order, as match_all does: the same doubles for the same text.
    double score = 0;
    for (size_t i = 0; i < m; ++i) {
      if (hit[i]) score += part[i];
    }
    const TextMatch candidate{doc, score};
    if (heap.size() >= k && !better(candidate, heap.front())) continue;
    if (!passes_gate(doc) || (exclude && exclude(doc))) continue;
    heap.push_back(candidate);
    std::push_heap(heap.begin(), heap.end(), better);
    if (heap.size() > k) {
      std::pop_heap(heap.begin(), heap.end(), better);
      heap.pop_back();
    }
    if (heap.size() >= k) {
      const double theta = heap.front().score;
      const double next = theta - std::abs(theta) * 1e-9;
      if (next > limit) {
        limit = next;
        // No essential list left: no document left can beat the k-th.
        if (limit > recheck_above && !choose_generating()) break;
      }
    }
  }
  std::sort(heap.begin(), heap.end(), better);
  return heap;
}

}  // namespace

DocumentIndex::DocumentIndex(const Taxonomy& taxonomy, IndexConfig config)
    : taxonomy_(taxonomy), config_(config), by_topic_(taxonomy.size()) {}

std::optional<DocIndex> DocumentIndex::add(const Document& d) {
  const DocIndex idx = static_cast<DocIndex>(docs_.size());
  if (!by_id_.emplace(d.id, idx).second) return std::nullopt;
  DocRecord rec{d.id, d.title, d.source, d.created_ms, d.topics, doc_key(d.id), {}, 0};
  {
    // Word document frequencies and the document's candidate words for refinement.
    std::unordered_set<std::string> distinct;
    size_t kept = 0;
    auto take = [&](std::string_view part, bool title) {
      for (std::string& w : text::words(part)) {
        if (!distinct.insert(w).second) continue;
        if (title) QueryGraph::SenseScorer::add_word(w, title_keys_);
        ++word_df_[fnv1a64(w)];
        if (kept < config_.salient_words) {
          if (!rec.salient.empty()) rec.salient.push_back(' ');
          rec.salient += w;
          ++kept;
          if (title) rec.salient_title = static_cast<uint8_t>(std::min<size_t>(kept, 255));
        }
      }
    };
    take(d.title, true);
    title_keys_end_.push_back(static_cast<uint32_t>(title_keys_.size()));
    take(d.body, false);
  }
  by_key_.emplace(rec.key, idx);
  docs_.push_back(std::move(rec));

  std::unordered_set<TopicId> listed;
  for (const auto& t : d.topics) {
    for (TopicId a : taxonomy_.lineage(t.topic)) {
      if (!listed.insert(a).second) continue;
      auto& list = by_topic_[a];
      auto pos = std::upper_bound(list.begin(), list.end(), d.created_ms,
                                  [&](TimeMs t0, DocIndex o) { return t0 < docs_[o].created_ms; });
      list.insert(pos, idx);
    }
  }

  std::unordered_map<text::TermId, uint32_t> tf;
  uint32_t length = 0;
  for (auto term : text::retrieval_terms(d.title)) {
    tf[term] += 2;
    length += 2;
  }
  for (auto term : text::retrieval_terms(d.body)) {
    ++tf[term];
    ++length;
  }
  for (const auto& [term, count] : tf) {
    PostingList& list = postings_[term];
    const auto t = static_cast<uint16_t>(std::min<uint32_t>(count, 65535));
    const auto short_length =
        static_cast<uint16_t>(std::min<uint32_t>(length, DocumentIndex::kLongDocument));
    list.postings.push_back({idx, t, short_length});
    list.max_tf = std::max(list.max_tf, t);
    list.min_length = std::min(list.min_length, length);
  }
  doc_length_.push_back(length);
  total_length_ += length;
  return idx;
}

std::optional<DocIndex> DocumentIndex::find(std::string_view id) const {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return std::nullopt;
  return it->second;
}

std::optional<DocIndex> DocumentIndex::find_key(uint64_t key) const {
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return std::nullopt;
  return it->second;
}

std::span<const uint64_t> DocumentIndex::title_word_keys(DocIndex i) const {
  const uint32_t begin = i == 0 ? 0 : title_keys_end_[i - 1];
  return {title_keys_.data() + begin, title_keys_.data() + title_keys_end_[i]};
}

const std::vector<DocIndex>& DocumentIndex::topic_docs(TopicId topic) const {
  static const std::vector<DocIndex> kEmpty;
  return topic < by_topic_.size() ? by_topic_[topic] : kEmpty;
}

const std::vector<DocIndex>& DocumentIndex::topic_popular(TopicId topic) const {
  static const std::vector<DocIndex> kEmpty;
  return topic < topic_popular_.size() ? topic_popular_[topic] : kEmpty;
}

uint32_t DocumentIndex::word_doc_count(std::string_view word) const {
  auto it = word_df_.find(fnv1a64(word));
  return it == word_df_.end() ? 0 : it->second;
}

double DocumentIndex::word_idf(std::string_view word) const {
  const double n = static_cast<double>(docs_.size());
  const double df = word_doc_count(word);
  return std::log(1.0 + (n - df + 0.5) / (df + 0.5));
}

std::vector<TextMatch> DocumentIndex::search(std::string_view query, size_t k,
                                             const std::function<bool(DocIndex)>& exclude) const {
  return search(query, k, exclude, {});
}

std::vector<TextMatch> DocumentIndex::search(std::string_view query, size_t k,
                                             const std::function<bool(DocIndex)>& exclude,
                                             std::string_view must_match) const {
  // Newer first on equal scores; the later added document first on equal creation times.
  const auto better = [&](const TextMatch& x, const TextMatch& y) {
    if (x.score != y.score) return x.score > y.score;
    const TimeMs cx = docs_[x.doc].created_ms, cy = docs_[y.doc].created_ms;
    if (cx != cy) return cx > cy;
    return x.doc > y.doc;
  };
  return search_top_k(postings_, doc_length_, total_length_, config_, query, k, exclude, must_match,
                      better);
}

std::vector<TextMatch> DocumentIndex::search_exhaustive(
    std::string_view query, size_t k, const std::function<bool(DocIndex)>& exclude,
    std::string_view must_match) const {
  std::vector<TextMatch> out;
  if (docs_.empty() || k == 0) return out;
  // Documents matching the gating query (its own coverage rule), in DocIndex order.
  std::vector<TextMatch> gated;
  if (!must_match.empty()) {
    match_all(postings_, doc_length_, total_length_, config_, must_match, gated);
  }
  const auto passes_gate = [&](DocIndex d) {
    if (must_match.empty()) return true;
    const auto it = std::lower_bound(gated.begin(), gated.end(), d,
                                     [](const TextMatch& m, DocIndex x) { return m.doc < x; });
    return it != gated.end() && it->doc == d;
  };
  std::vector<TextMatch> all;
  match_all(postings_, doc_length_, total_length_, config_, query, all);
  const auto better = [&](const TextMatch& x, const TextMatch& y) {
    if (x.score != y.score) return x.score > y.score;
    const TimeMs cx = docs_[x.doc].created_ms, cy = docs_[y.doc].created_ms;
    if (cx != cy) return cx > cy;
    return x.doc > y.doc;
  };
  // The best k that pass, best first: a heap over every match (linear to build), popped
  // until k pass, so that the gate and `exclude` run only on the matches popped.
  const auto worse = [&](const TextMatch& x, const TextMatch& y) { return better(y, x); };
  std::make_heap(all.begin(), all.end(), worse);
  for (auto end = all.end(); end != all.begin() && out.size() < k; --end) {
    std::pop_heap(all.begin(), end, worse);
    const TextMatch& m = *(end - 1);
    if (passes_gate(m.doc) && !(exclude && exclude(m.doc))) out.push_back(m);
  }
  return out;
}

std::string encode_doc_popularity(const DocPopularity& p) {
  std::string out(kDocPopularityBytes, '\0');
  char* o = out.data();
  std::memcpy(o, &p.recent.value, 8);
  std::memcpy(o + 8, &p.recent.ref_ms, 8);
  std::memcpy(o + 16, &p.lasting.value, 8);
  std::memcpy(o + 24, &p.lasting.ref_ms, 8);
  std::memcpy(o + 32, &p.clicks, 4);
  return out;
}

Result<DocPopularity> decode_doc_popularity(std::string_view bytes) {
  DocPopularity p;
  if (bytes.size() != kDocPopularityBytes && bytes.size() != kLegacyPopularityBytes) {
    return Status::corruption("popularity record of " + std::to_string(bytes.size()) +
                              " bytes (expected " + std::to_string(kDocPopularityBytes) + ")");
  }
  std::memcpy(&p.recent.value, bytes.data(), 8);
  std::memcpy(&p.recent.ref_ms, bytes.data() + 8, 8);
  if (bytes.size() == kLegacyPopularityBytes) {
    p.lasting = p.recent;
    return p;
  }
  std::memcpy(&p.lasting.value, bytes.data() + 16, 8);
  std::memcpy(&p.lasting.ref_ms, bytes.data() + 24, 8);
  std::memcpy(&p.clicks, bytes.data() + 32, 4);
  return p;
}

void DocumentIndex::record_click(DocIndex doc, TimeMs t) {
  DocPopularity& p = popularity_[doc];
  p.recent.add(1.0, t, config_.popularity_half_life_s);
  p.lasting.add(1.0, t, config_.lasting_popularity_half_life_s);
  if (p.clicks < UINT32_MAX) ++p.clicks;
}

double DocumentIndex::popularity(DocIndex doc, TimeMs now) const {
  auto it = popularity_.find(doc);
  return it == popularity_.end() ? 0.0 : it->second.recent.at(now, config_.popularity_half_life_s);
}

double DocumentIndex::lasting_popularity(DocIndex doc, TimeMs now) const {
  auto it = popularity_.find(doc);
  return it == popularity_.end()
             ? 0.0
             : it->second.lasting.at(now, config_.lasting_popularity_half_life_s);
}

uint32_t DocumentIndex::click_count(DocIndex doc) const {
  auto it = popularity_.find(doc);
  return it == popularity_.end() ? 0 : it->second.clicks;
}

void DocumentIndex::set_popularity(DocIndex doc, const DocPopularity& popularity) {
  popularity_[doc] = popularity;
}

DocPopularity DocumentIndex::popularity_state(DocIndex doc) const {
  auto it = popularity_.find(doc);
  return it == popularity_.end() ? DocPopularity{} : it->second;
}

DocumentIndex::PopularLists DocumentIndex::compute_popular(TimeMs now) const {
  PopularLists lists;
  std::vector<DocIndex>& popular = lists.popular;
  std::vector<std::vector<DocIndex>>& topic_popular = lists.per_topic;
  std::vector<std::pair<double, DocIndex>> scored;
  scored.reserve(popularity_.size());
  for (const auto& [doc, p] : popularity_) scored.emplace_back(popularity(doc, now), doc);
  const size_t k = std::min(config_.popular_list_size, scored.size());
  auto better = [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return docs_[a.second].created_ms > docs_[b.second].created_ms;
  };
  std::partial_sort(scored.begin(), scored.begin() + static_cast<ptrdiff_t>(k), scored.end(),
                    better);
  for (size_t i = 0; i < k; ++i) popular.push_back(scored[i].second);
  {
    std::vector<std::pair<double, DocIndex>> lasting;
    lasting.reserve(popularity_.size());
    for (const auto& [doc, p] : popularity_)
      lasting.emplace_back(lasting_popularity(doc, now), doc);
    const size_t keep = std::min(config_.popular_list_size, lasting.size());
    std::partial_sort(lasting.begin(), lasting.begin() + static_cast<ptrdiff_t>(keep),
                      lasting.end(), better);
    for (size_t i = 0; i < keep; ++i) lists.lasting.push_back(lasting[i].second);
  }

  // Per-topic lists: every clicked document under each node of its topics' lineages.
  std::vector<std::vector<std::pair<double, DocIndex>>> per_topic(by_topic_.size());
  std::vector<TopicId> nodes;
  for (const auto& [score, doc] : scored) {
    if (score <= 0) continue;
    nodes.clear();
    for (const auto& t : docs_[doc].topics) {
      for (TopicId a : taxonomy_.lineage(t.topic)) nodes.push_back(a);
    }
    std::sort(nodes.begin(), nodes.end());
    nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
    for (TopicId a : nodes) {
      if (a < per_topic.size()) per_topic[a].emplace_back(score, doc);
    }
  }
  topic_popular.assign(by_topic_.size(), {});
  for (size_t t = 0; t < per_topic.size(); ++t) {
    auto& list = per_topic[t];
    const size_t keep = std::min(config_.topic_popular_size, list.size());
    std::partial_sort(list.begin(), list.begin() + static_cast<ptrdiff_t>(keep), list.end(),
                      better);
    topic_popular[t].reserve(keep);
    for (size_t i = 0; i < keep; ++i) topic_popular[t].push_back(list[i].second);
  }
  if (popular.size() < config_.popular_list_size) {
    // Fill with the newest documents not yet listed (cold start of a fresh pool).
    std::vector<DocIndex> newest(docs_.size());
    for (DocIndex i = 0; i < docs_.size(); ++i) newest[i] = i;
    const size_t want = std::min(docs_.size(), config_.popular_list_size * 2);
    std::partial_sort(
        newest.begin(), newest.begin() + static_cast<ptrdiff_t>(want), newest.end(),
        [&](DocIndex a, DocIndex b) { return docs_[a].created_ms > docs_[b].created_ms; });
    std::unordered_set<DocIndex> listed(popular.begin(), popular.end());
    for (size_t i = 0; i < want && popular.size() < config_.popular_list_size; ++i) {
      if (!listed.count(newest[i])) popular.push_back(newest[i]);
    }
  }
  return lists;
}

void DocumentIndex::set_popular(PopularLists lists) {
  popular_.swap(lists.popular);
  lasting_popular_.swap(lists.lasting);
  topic_popular_.swap(lists.per_topic);
}

void DocumentIndex::refresh_popular(TimeMs now) {
  set_popular(compute_popular(now));
}

}  // namespace feedscout
