#include "feedscout/index/suggest_index.h"

#include <algorithm>
#include <unordered_set>

#include "feedscout/common/hash.h"
#include "feedscout/text/tokenize.h"

namespace feedscout {
namespace {

std::string join_words(const std::vector<std::string>& words) {
  std::string key;
  for (const auto& w : words) {
    if (!key.empty()) key.push_back(' ');
    key += w;
  }
  return key;
}

}  // namespace

void SuggestIndex::add(std::string_view refined, TimeMs t) {
  std::vector<std::string> words = text::words(refined);
  if (words.empty()) return;
  const std::string key = join_words(words);
  newest_ms_ = std::max(newest_ms_, t);
  auto [it, fresh] = by_key_.emplace(key, static_cast<uint32_t>(entries_.size()));
  if (fresh) {
    Entry e;
    e.query = std::string(refined);
    e.key = key;
    entries_.push_back(std::move(e));
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    for (const auto& w : words) postings_[fnv1a64(w)].push_back(it->second);
  }
  Entry& e = entries_[it->second];
  e.count.add(1.0, t, config_.half_life_s);
  if (t >= e.last_ms) {
    e.last_ms = t;
    e.query = std::string(refined);
  }
  if (entries_.size() > config_.max_entries) prune();
}

void SuggestIndex::prune() {
  const size_t keep = config_.max_entries - config_.max_entries / 10;
  std::vector<uint32_t> order(entries_.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  auto value = [&](uint32_t i) { return entries_[i].count.at(newest_ms_, config_.half_life_s); };
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                   [&](uint32_t a, uint32_t b) { return value(a) > value(b); });
  order.resize(keep);
  std::sort(order.begin(), order.end());
  std::vector<Entry> kept;
  kept.reserve(keep);
  for (uint32_t i : order) kept.push_back(std::move(entries_[i]));
  entries_ = std::move(kept);
  by_key_.clear();
  for (uint32_t i = 0; i < entries_.size(); ++i) by_key_.emplace(entries_[i].key, i);
  rebuild_postings();
}

void SuggestIndex::rebuild_postings() {
  postings_.clear();
  for (uint32_t i = 0; i < entries_.size(); ++i) {
    std::vector<std::string> words = text::words(entries_[i].key);
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    for (const auto& w : words) postings_[fnv1a64(w)].push_back(i);
  }
}

std::vector<Suggestion> SuggestIndex::suggest(std::string_view q, size_t n, TimeMs now) const {
  std::vector<Suggestion> out;
  std::vector<std::string> words = text::words(q);
  if (words.empty() || n == 0) return out;
  const std::string qkey = join_words(words);
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  // Intersect the postings, shortest list first (postings are in entry order, ascending).
  std::vector<const std::vector<uint32_t>*> lists;
  for (const auto& w : words) {
    auto it = postings_.find(fnv1a64(w));
    if (it == postings_.end()) return out;
    lists.push_back(&it->second);
  }
  std::sort(lists.begin(), lists.end(), [](auto* a, auto* b) { return a->size() < b->size(); });
  std::vector<uint32_t> hits = *lists[0];
  for (size_t l = 1; l < lists.size() && !hits.empty(); ++l) {
    std::vector<uint32_t> next;
    std::set_intersection(hits.begin(), hits.end(), lists[l]->begin(), lists[l]->end(),
                          std::back_inserter(next));
    hits = std::move(next);
  }
  for (uint32_t i : hits) {
    const Entry& e = entries_[i];
    if (e.key == qkey) continue;
    // Hash collisions between different words: confirm each word is really there.
    const std::vector<std::string> have = text::words(e.key);
    const std::unordered_set<std::string> set(have.begin(), have.end());
    if (!std::all_of(words.begin(), words.end(), [&](const auto& w) { return set.count(w); }))
      continue;
    out.push_back({e.query, e.count.at(now, config_.half_life_s), e.last_ms});
  }
  auto better = [](const Suggestion& a, const Suggestion& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.last_ms != b.last_ms) return a.last_ms > b.last_ms;
    return a.query < b.query;
  };
  if (out.size() > n) {
    std::partial_sort(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), better);
    out.resize(n);
  } else {
    std::sort(out.begin(), out.end(), better);
  }
  return out;
}

}  // namespace feedscout
