#include "feedscout/index/query_graph.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

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
    by_key_.emplace(key, id);
    ++alive_;
  }
  Node& n = nodes_[id];
  if (t >= n.last_ms) {
    n.last_ms = t;
    n.display = std::string(display);
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
  std::vector<std::vector<std::string>> words_of_texts;
  words_of_texts.reserve(texts.size());
  for (std::string_view t : texts) words_of_texts.push_back(text::words(t));
  return context_similarities_of_words(query, words_of_texts, now);
}

std::vector<double> QueryGraph::context_similarities_of_words(
    std::string_view query, const std::vector<std::vector<std::string>>& words_of_texts,
    TimeMs now) const {
  std::vector<double> out(words_of_texts.size(), 0.0);
  const Node* n = find(query);
  if (n == nullptr || n->words.empty()) return out;
  double norm = 0;
  for (const auto& [word, c] : n->words) {
    const double v = c.at(now, config_.half_life_s);
    norm += v * v;
  }
  if (norm <= 0) return out;
  std::unordered_set<std::string> own;  // the query's words (context_words leaves them out)
  for (std::string& w : text::words(n->display)) own.insert(std::move(w));
  std::vector<const std::string*> words;
  for (size_t i = 0; i < words_of_texts.size(); ++i) {
    // context_words(text i, n->display), deduplicated in text order.
    words.clear();
    for (const std::string& w : words_of_texts[i]) {
      if (code_points(w) < 2 || own.count(w) > 0) continue;
      if (std::find_if(words.begin(), words.end(), [&](const std::string* x) { return *x == w; }) !=
          words.end()) {
        continue;
      }
      words.push_back(&w);
    }
    if (words.empty()) continue;
    double dot = 0;
    for (const std::string* w : words) {
      auto it = n->words.find(*w);
      if (it != n->words.end()) dot += it->second.at(now, config_.half_life_s);
    }
    if (dot <= 0) continue;
    out[i] = std::min(1.0, dot / (std::sqrt(norm) * std::sqrt(static_cast<double>(words.size()))));
  }
  return out;
}

}  // namespace feedscout
