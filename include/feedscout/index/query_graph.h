// The query graph behind the search feed's expansive wave (issue 6): which queries are
// neighbours of a query, and the context text that says which sense of each query users
// meant ("손흥민" → "김민재" the footballer, found through the documents both were clicked on,
// and a context text of football words, not an actor's).
//
// Edges, weighted with exponential time decay (half-life config.half_life_s):
//   - co-click: two different queries whose searches clicked the same document (weight 1
//     per (query, query, document) occurrence, through the document's recent queries);
//   - session: one user's consecutive searches within config.session_gap_s of each other
//     (weight config.session_weight).
// Context text of a query: a decayed bag of words from its refined queries (Q*) and the
// titles of documents clicked for it, the query's own words left out, used to disambiguate
// neighbours by cosine similarity of word bags (context_similarity).
//
// Queries are keyed by intent::query_key (normalised tokens). Memory is bounded: at most
// max_queries queries (the least recently used tenth is dropped when full), max_neighbours
// edges and max_context_words words per query (the lightest dropped), max_doc_queries recent
// queries per document.
//
// Not thread-safe: the engine mutates it on its writer thread under its exclusive lock and
// reads it under the shared lock.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feedscout/common/decay.h"
#include "feedscout/common/time.h"

namespace feedscout {

struct QueryGraphConfig {
  double half_life_s = 14 * 24 * 3600.0;
  double session_gap_s = 30 * 60.0;
  double session_weight = 0.5;
  size_t max_queries = 500000;
  size_t max_neighbours = 32;
  size_t max_context_words = 48;
  size_t max_doc_queries = 16;
};

struct QueryNeighbour {
  std::string query;  // the neighbour's display text (latest spelling)
  double weight = 0;  // decayed edge weight at the time asked
};

class QueryGraph {
 public:
  explicit QueryGraph(QueryGraphConfig config = {}) : config_(config) {}

  // One search by `user` at `t` with the documents clicked for it (stable document keys),
  // its refined query (may be empty) and the clicked documents' titles. Queries without
  // tokens are ignored.
  void add_search(std::string_view user, std::string_view query, TimeMs t,
                  const std::vector<uint64_t>& clicked, std::string_view refined,
                  const std::vector<std::string_view>& clicked_titles);

  // The strongest neighbours of `query` at `now`, best first (weight, then text), at most k.
  std::vector<QueryNeighbour> neighbours(std::string_view query, size_t k, TimeMs now) const;

  // The context text of `query`: its heaviest words at `now`, heaviest first, at most k;
  // each with its weight. Empty for an unknown query.
  std::vector<std::pair<std::string, double>> context(std::string_view query, size_t k,
                                                      TimeMs now) const;

  // Cosine similarity in [0, 1] of `text`'s words against `query`'s context bag (0 when the
  // query is unknown or they share no word).
  double context_similarity(std::string_view query, std::string_view text, TimeMs now) const;
  // context_similarity(query, texts[i], now) for every i, in order (the same values).
  std::vector<double> context_similarities(std::string_view query,
                                           const std::vector<std::string_view>& texts,
                                           TimeMs now) const;

  // `query`'s context bag at `now`, prepared once for scoring many texts (what
  // context_similarity computes, without looking the query up or hashing its bag again).
  // A snapshot: it holds no reference to the graph and stays valid, unchanged, as the graph
  // changes. Thread-safe to share once built (const only).
  class SenseScorer {
   public:
    // True when the query has no context (unknown, or an empty bag): similarity is then 0.
    bool empty() const { return bag_.empty(); }
    // Appends the key of a word of the text to score (text::words of it, in text order) to
    // `keys`, unless the word cannot count (fewer than two code points).
    static void add_word(std::string_view word, std::vector<uint64_t>& keys);
    // The text's similarity from its word keys (add_word); duplicates and the query's own
    // words do not count. Reorders nothing; `keys` is only read.
    double similarity(std::span<const uint64_t> keys) const;

   private:
    friend class QueryGraph;
    std::vector<std::pair<uint64_t, double>> bag_;  // word key → weight at `now`, by key
    std::vector<uint64_t> own_;                     // the query's own word keys, sorted
    double norm_ = 0;                               // |bag|
  };
  SenseScorer sense_scorer(std::string_view query, TimeMs now) const;
  // A stamp that changes whenever sense_scorer(query, ·) could change (the query's bag or
  // display text changed, or it was dropped and added again); 0 for an unknown query. Time
  // alone does not change a scorer's similarities: every weight of a bag decays at the same
  // rate, so their cosines stay put.
  uint64_t context_version(std::string_view query) const;

  size_t size() const { return alive_; }

 private:
  // A node slot and its generation: a slot reused after pruning gets a new generation, so
  // stale references (edges, document lists, users' last searches) are recognised.
  struct Ref {
    uint32_t id = 0;
    uint32_t gen = 0;
  };
  struct Edge {
    Ref to;
    DecayedCount weight;
  };
  struct Node {
    std::string key, display;
    uint32_t gen = 0;
    bool alive = false;
    TimeMs last_ms = 0;
    uint64_t context_version = 0;  // context_version(): bumped on every change of words/display
    std::vector<Edge> edges;
    std::unordered_map<std::string, DecayedCount> words;
  };
  struct LastSearch {
    Ref node;
    TimeMs t = 0;
  };
  bool valid(Ref r) const {
    return r.id < nodes_.size() && nodes_[r.id].alive && nodes_[r.id].gen == r.gen;
  }
  const Node* find(std::string_view query) const;
  Ref node_for(const std::string& key, std::string_view display, TimeMs t);
  void add_edge(Ref a, Ref b, double w, TimeMs t);
  void add_words(Node& n, std::string_view text, double w, TimeMs t);
  void prune(TimeMs now);

  QueryGraphConfig config_;
  std::vector<Node> nodes_;
  std::unordered_map<std::string, uint32_t> by_key_;
  size_t alive_ = 0;
  std::unordered_map<uint64_t, std::vector<Ref>> doc_queries_;  // doc key → recent queries
  std::unordered_map<std::string, LastSearch> last_search_;     // user → last search
  std::vector<uint32_t> free_;                                  // dropped node slots
  uint64_t versions_ = 0;                                       // the last context_version given
};

}  // namespace feedscout
