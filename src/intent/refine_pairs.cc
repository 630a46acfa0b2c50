// IntentMiner::finish(): Q* for every (Q, D) pair by the rule of intent_miner.h, and the
// pattern-bias counts. Work per document is O(k²) signature checks for k distinct queries
// (k ≤ index_threshold), or with the per-document inverted index, the sum over Q of the
// shortest posting list among Q's tokens.
#include <algorithm>
#include <iterator>
#include <unordered_map>

#include "miner_state.h"

namespace feedscout::intent {

bool IntentMiner::Impl::contains(uint32_t c, uint32_t q) const {
  const uint64_t sq = queries[q].signature, sc = queries[c].signature;
  if ((sq & ~sc) != 0) return false;
  return std::includes(sorted_begin(c), sorted_end(c), sorted_begin(q), sorted_end(q));
}

void IntentMiner::Impl::added_tokens(uint32_t c, uint32_t q, std::vector<uint32_t>& out) const {
  out.clear();
  std::set_difference(sorted_begin(c), sorted_end(c), sorted_begin(q), sorted_end(q),
                      std::back_inserter(out));
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

void IntentMiner::Impl::added_phrases(uint32_t c, uint32_t q, std::vector<std::string>& out) const {
  out.clear();
  std::vector<uint32_t>& remaining = scratch_remaining;
  remaining.assign(sorted_begin(q), sorted_end(q));
  const uint32_t* ordered = ordered_begin(c);
  bool in_run = false, prev_unspaced = false;
  for (uint32_t i = 0; i < ntok(c); ++i) {
    auto it = std::lower_bound(remaining.begin(), remaining.end(), ordered[i]);
    if (it != remaining.end() && *it == ordered[i]) {
      remaining.erase(it);
      in_run = false;
      continue;
    }
    const std::string_view token = tokens.str(ordered[i]);
    const bool unspaced = token_unspaced[ordered[i]] != 0;
    if (!in_run) {
      out.emplace_back(token);
    } else {
      if (!(unspaced && prev_unspaced)) out.back() += ' ';
      out.back() += token;
    }
    in_run = true;
    prev_unspaced = unspaced;
  }
}

void IntentMiner::Impl::choose_display() {
  std::vector<uint32_t> best(queries.size(), kNone);
  std::vector<uint32_t> best_clicks(queries.size(), 0);
  for (uint32_t r = 0; r < raw.size(); ++r) {  // raw ids are in order of first sight
    const RawQuery info = RawQuery::unpack(raw.payload(r));
    if (info.query == kNone) continue;
    uint32_t& b = best[info.query];
    if (b == kNone || info.aux > best_clicks[info.query]) {
      b = r;
      best_clicks[info.query] = info.aux;
    }
  }
  for (uint32_t q = 0; q < queries.size(); ++q) {
    if (best[q] == kNone || best[q] == queries[q].first_raw) continue;
    queries[q].first_raw = best[q];  // display[q] now holds this spelling's text
    auto n = normalize_query(raw.str(best[q]), options.normalizer);
    if (n.is_ok()) display[q] = display_text.store(n->text);
  }
}

namespace {

// The pairs of one document, in rank order, and what is found for them.
class DocumentRefiner {
 public:
  using Impl = IntentMiner::Impl;
  DocumentRefiner(Impl& m, detail::CountMap& base_seen) : m_(m), seen_(base_seen) {}

  void run(Impl::Pair* first, Impl::Pair* last) {
    const size_t k = static_cast<size_t>(last - first);
    first_ = first;
    build_index(k > m_.options.index_threshold ? k : 0);
    for (Impl::Pair* p = first; p != last; ++p) refine(*p);
  }

 private:
  void build_index(size_t k) {
    postings_.clear();
    if (k == 0) return;
    for (uint32_t i = 0; i < k; ++i) {
      const uint32_t q = first_[i].query;
      const uint32_t* b = m_.sorted_begin(q);
      const uint32_t* e = m_.sorted_end(q);
      for (const uint32_t* t = b; t != e; ++t) {
        if (t != b && *t == t[-1]) continue;
        postings_[*t].push_back(i);
      }
    }
  }

  // Whether position i can extend pair p (strictly more tokens, contains p's multiset); the
  // callers stop at the first position with no more tokens than p (rank order).
  void consider(Impl::Pair& p, uint32_t i) {
    const Impl::Pair& c = first_[i];
    if (!m_.contains(c.query, p.query)) return;
    if (p.candidates++ == 0) {
      p.refined = c.query;
      p.refined_clicks = c.clicks;
    }
    ++m_.relations;
    m_.added_tokens(c.query, p.query, scratch_);
    for (uint32_t t : scratch_) ++m_.token_counts[t].relations;
  }

  uint32_t phrase_id(const std::string& text) {
    const uint32_t id = m_.phrases.intern(text);
    if (id >= m_.phrase_counts.size()) m_.phrase_counts.resize(id + 1);
    return id;
  }

  void refine(Impl::Pair& p) {
    p.refined = p.query;
    p.refined_clicks = p.clicks;
    p.candidates = 0;
    const uint32_t n = p.tokens;
    if (postings_.empty()) {
      for (uint32_t i = 0; first_[i].tokens > n; ++i) consider(p, i);
    } else {
      const std::vector<uint32_t>* shortest = nullptr;
      for (const uint32_t* t = m_.sorted_begin(p.query); t != m_.sorted_end(p.query); ++t) {
        const std::vector<uint32_t>& list = postings_.at(*t);
        if (shortest == nullptr || list.size() < shortest->size()) shortest = &list;
      }
      for (uint32_t i : *shortest) {
        if (first_[i].tokens <= n) break;
        consider(p, i);
      }
    }
    if (p.candidates == 0) return;
    ++m_.refined_pairs;
    m_.added_tokens(p.refined, p.query, scratch_);
    for (uint32_t t : scratch_) {
      ++m_.token_counts[t].pairs;
      if (seen_.add(static_cast<uint64_t>(t) << 32 | p.query)) {
        ++m_.token_counts[t].base_queries;
      }
    }
    m_.added_phrases(p.refined, p.query, phrase_scratch_);
    for (const std::string& ph : phrase_scratch_) {
      const uint32_t id = phrase_id(ph);
      ++m_.phrase_counts[id].pairs;
      if (seen_.add(uint64_t{1} << 63 | static_cast<uint64_t>(id) << 32 | p.query)) {
        ++m_.phrase_counts[id].base_queries;
      }
    }
  }

  Impl& m_;
  detail::CountMap& seen_;  // (token or phrase, base query) pairs already counted
  Impl::Pair* first_ = nullptr;
  std::unordered_map<uint32_t, std::vector<uint32_t>> postings_;  // token → positions
  std::vector<uint32_t> scratch_;
  std::vector<std::string> phrase_scratch_;
};

}  // namespace

void IntentMiner::finish() {
  Impl& m = *impl_;
  if (m.finished) return;
  m.choose_display();
  m.pairs.clear();
  m.pairs.reserve(m.pair_clicks.size());
  m.pair_clicks.for_each([&m](uint64_t key, uint32_t clicks) {
    Impl::Pair p;
    p.query = static_cast<uint32_t>(key);
    p.clicks = clicks;
    p.tokens = m.ntok(p.query);
    p.order = (key >> 32) << 32 | uint64_t{0xFFFF - std::min<uint32_t>(p.tokens, 0xFFFF)} << 16 |
              (0xFFFF - std::min<uint32_t>(clicks, 0xFFFF));
    m.pairs.push_back(p);
  });
  // Rank order inside a document is the tie rule: most tokens, most clicks, smallest text.
  std::sort(m.pairs.begin(), m.pairs.end(), [&m](const Impl::Pair& a, const Impl::Pair& b) {
    if (a.order != b.order) return a.order < b.order;
    if (a.tokens != b.tokens) return a.tokens > b.tokens;
    if (a.clicks != b.clicks) return a.clicks > b.clicks;
    return m.display[a.query] < m.display[b.query];
  });
  m.token_counts.assign(m.tokens.size(), Impl::TokenCounts{});
  m.phrase_counts.assign(m.phrases.size(), Impl::TokenCounts{});
  m.refined_pairs = 0;
  m.relations = 0;
  detail::CountMap base_seen;
  DocumentRefiner refiner(m, base_seen);
  for (size_t b = 0; b < m.pairs.size();) {
    size_t e = b + 1;
    while (e < m.pairs.size() && m.pairs[e].doc() == m.pairs[b].doc()) ++e;
    refiner.run(m.pairs.data() + b, m.pairs.data() + e);
    b = e;
  }
  m.finished = true;
}

}  // namespace feedscout::intent
