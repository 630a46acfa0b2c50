#include "feedscout/index/query_graph.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

#include "feedscout/common/hash.h"
#include "feedscout/intent/refiner.h"
#include "feedscout/text/tokenize.h"

namespace feedscout {
namespace {

size_t code_points(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// Context words: text::words of at least two code points, distinct, other than the query's
// own words (they say nothing about which sense of the query is meant).
std::vector<std::string> context_words(std::string_view text, std::string_view query) {
  std::vector<std::string> out;
  std::unordered_set<std::string> seen;
  for (std::string& w : text::words(query)) seen.insert(std::move(w));
  for (std::string& w : text::words(text)) {
    if (code_points(w) < 2 || !seen.insert(w).second) continue;
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

const QueryGraph::Node* QueryGraph::find(std::string_view query) const {
  auto it = by_key_.find(intent::query_key(query));
  return it == by_key_.end() ? nullptr : &nodes_[it->second];
}

QueryGraph::Ref QueryGraph::node_for(const std::string& key, std::string_view display, TimeMs t) {
  auto it = by_key_.find(key);
  uint32_t id;
  if (it != by_key_.end()) {
    id = it->second;
  } else {
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<uint32_t>(nodes_.size());
      nodes_.emplace_back();
    }
    Node& n = nodes_[id];
    n.key = key;
    n.alive = true;
    ++n.gen;
    n.last_ms = t;
    n.display = std::string(display);
    n.context_version = ++versions_;
    by_key_.emplace(key, id);
    ++alive_;
  }
  Node& n = nodes_[id];
  if (t >= n.last_ms) {
    n.last_ms = t;
    if (n.display != display) {
      n.display = std::string(display);
      n.context_version = ++versions_;
    }
  }
  return {id, n.gen};
}

void QueryGraph::add_edge(Ref a, Ref b, double w, TimeMs t) {
  for (auto [from, to] : {std::pair{a, b}, std::pair{b, a}}) {
    std::vector<Edge>& edges = nodes_[from.id].edges;
    // Stale edges (pruned or reused targets) go first.
    edges.erase(
        std::remove_if(edges.begin(), edges.end(), [&](const Edge& e) { return !valid(e.to); }),
        edges.end());
    auto it = std::find_if(edges.begin(), edges.end(),
                           [&](const Edge& e) { return e.to.id == to.id && e.to.gen == to.gen; });
    if (it == edges.end()) {
      if (edges.size() >= config_.max_neighbours) {
        auto lightest =
            std::min_element(edges.begin(), edges.end(), [&](const Edge& x, const Edge& y) {
              return x.weight.at(t, config_.half_life_s) < y.weight.at(t, config_.half_life_s);
            });
        *lightest = Edge{};
        it = lightest;
      } else {
        edges.emplace_back();
        it = edges.end() - 1;
      }
      it->to = to;
    }
    it->weight.add(w, t, config_.half_life_s);
  }
}

void QueryGraph::add_words(Node& n, std::string_view text, double w, TimeMs t) {
  n.context_version = ++versions_;
  for (const std::string& word : context_words(text, n.display)) {
    n.words[word].add(w, t, config_.half_life_s);
  }
  if (n.words.size() <= config_.max_context_words + config_.max_context_words / 2) return;
  std::vector<std::pair<double, std::string>> ranked;
  for (const auto& [word, c] : n.words) ranked.emplace_back(c.at(t, config_.half_life_s), word);
  std::sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
    return x.first != y.first ? x.first > y.first : x.second < y.second;
  });
  for (size_t i = config_.max_context_words; i < ranked.size(); ++i)
    n.words.erase(ranked[i].second);
}

void QueryGraph::add_search(std::string_view user, std::string_view query, TimeMs t,
                            const std::vector<uint64_t>& clicked, std::string_view refined,
                            const std::vector<std::string_view>& clicked_titles) {
  const std::string key = intent::query_key(query);
  if (key.empty()) return;
  const Ref self = node_for(key, query, t);
  add_words(nodes_[self.id], refined, 1.0, t);
  for (std::string_view title : clicked_titles) add_words(nodes_[self.id], title, 0.5, t);

  for (uint64_t doc : clicked) {
    std::vector<Ref>& recent = doc_queries_[doc];
    recent.erase(std::remove_if(recent.begin(), recent.end(), [&](Ref r) { return !valid(r); }),
                 recent.end());
    bool present = false;
    for (Ref r : recent) {
      if (r.id == self.id) {
        present = true;
        continue;
      }
      add_edge(self, r, 1.0, t);
    }
    if (!present) {
      recent.push_back(self);
      if (recent.size() > config_.max_doc_queries) recent.erase(recent.begin());
    }
  }

  const auto gap_ms = static_cast<TimeMs>(config_.session_gap_s * 1000.0);
  LastSearch& last = last_search_[std::string(user)];
  if (last.t != 0 && valid(last.node) && last.node.id != self.id &&
      std::llabs(t - last.t) <= gap_ms) {
    add_edge(self, last.node, config_.session_weight, t);
  }
  if (t >= last.t) last = {self, t};
  if (last_search_.size() > 4 * config_.max_queries) {
    for (auto it = last_search_.begin(); it != last_search_.end();) {
      it = t - it->second.t > gap_ms ? last_search_.erase(it) : std::next(it);
    }
  }
  if (alive_ > config_.max_queries) prune(t);
}

void QueryGraph::prune(TimeMs now) {
  (void)now;
  std::vector<std::pair<TimeMs, uint32_t>> by_age;
  for (uint32_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].alive) by_age.emplace_back(nodes_[i].last_ms, i);
  }
  const size_t drop = std::max<size_t>(1, by_age.size() / 10);
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   by_age.end());
  for (size_t i = 0; i < drop; ++i) {
    Node& n = nodes_[by_age[i].second];
    by_key_.erase(n.key);
    n.alive = false;
    n.edges.clear();
    n.edges.shrink_to_fit();
    n.words.clear();
    n.key.clear();
    n.display.clear();
    free_.push_back(by_age[i].second);
    --alive_;
  }
}

std::vector<QueryNeighbour> QueryGraph::neighbours(std::string_view query, size_t k,
                                                   TimeMs now) const {
  std::vector<QueryNeighbour> out;
  const Node* n = find(query);
  if (n == nullptr) return out;
  for (const Edge& e : n->edges) {
    if (!valid(e.to)) continue;
    out.push_back({nodes_[e.to.id].display, e.weight.at(now, config_.half_life_s)});
  }
  std::sort(out.begin(), out.end(), [](const QueryNeighbour& a, const QueryNeighbour& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.query < b.query;
  });
  if (out.size() > k) out.resize(k);
  return out;
}

std::vector<std::pair<std::string, double>> QueryGraph::context(std::string_view query, size_t k,
                                                                TimeMs now) const {
  std::vector<std::pair<std::string, double>> out;
  const Node* n = find(query);
  if (n == nullptr) return out;
  for (const auto& [word, c] : n->words) out.emplace_back(word, c.at(now, config_.half_life_s));
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
  if (out.size() > k) out.resize(k);
  return out;
}

double QueryGraph::context_similarity(std::string_view query, std::string_view text,
                                      TimeMs now) const {
  return context_similarities(query, {text}, now)[0];
}

std::vector<double> QueryGraph::context_similarities(std::string_view query,
                                                     const std::vector<std::string_view>& texts,
                                                     TimeMs now) const {
  std::vector<double> out(texts.size(), 0.0);
  const SenseScorer scorer = sense_scorer(query, now);
  if (scorer.empty()) return out;
  std::vector<uint64_t> keys;
  for (size_t i = 0; i < texts.size(); ++i) {
    keys.clear();
    for (const std::string& w : text::words(texts[i])) SenseScorer::add_word(w, keys);
    out[i] = scorer.similarity(keys);
  }
  return out;
}

uint64_t QueryGraph::context_version(std::string_view query) const {
  const Node* n = find(query);
  return n == nullptr ? 0 : n->context_version;
}

QueryGraph::SenseScorer QueryGraph::sense_scorer(std::string_view query, TimeMs now) const {
  SenseScorer s;
  const Node* n = find(query);
  if (n == nullptr || n->words.empty()) return s;
  double norm = 0;
  for (const auto& [word, c] : n->words) {
    const double v = c.at(now, config_.half_life_s);
    norm += v * v;
    s.bag_.emplace_back(fnv1a64(word), v);
  }
  if (norm <= 0) {
    s.bag_.clear();
    return s;
  }
  s.norm_ = std::sqrt(norm);
  std::sort(s.bag_.begin(), s.bag_.end());
  for (const std::string& w : text::words(n->display)) s.own_.push_back(fnv1a64(w));
  std::sort(s.own_.begin(), s.own_.end());
  return s;
}

void QueryGraph::SenseScorer::add_word(std::string_view word, std::vector<uint64_t>& keys) {
  if (code_points(word) >= 2) keys.push_back(fnv1a64(word));
}

double QueryGraph::SenseScorer::similarity(std::span<const uint64_t> keys) const {
  if (bag_.empty()) return 0;
  // Distinct words other than the query's own (context_words of the text), in text order.
  size_t counted = 0;
  double dot = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    const uint64_t k = keys[i];
    if (std::binary_search(own_.begin(), own_.end(), k)) continue;
    if (std::find(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(i), k) !=
        keys.begin() + static_cast<std::ptrdiff_t>(i)) {
      continue;
    }
    ++counted;
    auto it = std::lower_bound(bag_.begin(), bag_.end(), std::pair<uint64_t, double>{k, -1e300});
    if (it != bag_.end() && it->first == k) dot += it->second;
  }
  if (counted == 0 || dot <= 0) return 0;
  return std::min(1.0, dot / (norm_ * std::sqrt(static_cast<double>(counted))));
}

}  // namespace feedscout
