// In-memory indexes over the document pool: id lookup, documents per topic (every level)
// by creation time, a text index for query matching, and decayed popularity.
//
// Rebuilt from the store at start-up. Not thread-safe: the engine serialises writers and
// lets readers in under a shared lock. Bodies are not kept in memory (the store has them).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "feedscout/common/decay.h"
#include "feedscout/common/time.h"
#include "feedscout/ingest/records.h"
#include "feedscout/taxonomy/taxonomy.h"
#include "feedscout/text/tokenize.h"

namespace feedscout {

using DocIndex = uint32_t;

struct DocRecord {
  std::string id;
  std::string title;
  std::string source;
  TimeMs created_ms = 0;
  std::vector<DocTopic> topics;
  uint64_t key = 0;  // doc_key(id), for seen-sets
  // Candidate words for search-intent refinement (intent/refiner.h): distinct text::words of
  // the title, then of the body, in text order, at most IndexConfig::salient_words, joined by
  // single spaces; the first `salient_title` of them come from the title.
  std::string salient;
  uint8_t salient_title = 0;
};

struct IndexConfig {
  double popularity_half_life_s = 24 * 3600.0;
  // A second, slower popularity (ranking features, and the lasting-popular candidate list
  // of the learned ranker): what stays popular over weeks rather than today.
  double lasting_popularity_half_life_s = 30 * 24 * 3600.0;
  size_t popular_list_size = 500;
  // Length of each topic's popular list (topic_popular), recomputed with the global one.
  size_t topic_popular_size = 50;
  // Co-click neighbours (coclick_index.h): kept per document, and how close in time two
  // clicks of one user must be to form a pair.
  size_t coclick_neighbours = 32;
  double coclick_window_s = 30 * 24 * 3600.0;
  // Query terms present in more than this share of documents are ignored (stop-bigrams).
  double max_term_doc_share = 0.25;
  // A match must contain at least this share of the query's distinct terms.
  double min_query_coverage = 0.6;
  // Candidate words kept per document for search-intent refinement (DocRecord::salient).
  size_t salient_words = 16;
};

// A document's clicks as popularity needs them: decayed at the index's two half-lives and
// the undecayed total. Encoded for the store by encode_doc_popularity.
struct DocPopularity {
  DecayedCount recent;   // half-life IndexConfig::popularity_half_life_s
  DecayedCount lasting;  // half-life IndexConfig::lasting_popularity_half_life_s
  uint32_t clicks = 0;   // every click ever recorded (saturates at 2^32 - 1)
};

// 36 bytes, native order: recent (value, ref_ms), lasting (value, ref_ms), clicks.
std::string encode_doc_popularity(const DocPopularity& p);
// Reads encode_doc_popularity's form, or the earlier 16-byte form of `recent` alone (then
// lasting = recent and clicks = 0, the best the old record knows). Corruption for any
// other size.
[[nodiscard]] Result<DocPopularity> decode_doc_popularity(std::string_view bytes);

struct TextMatch {
  DocIndex doc = 0;
  double score = 0;  // BM25
};

class DocumentIndex {
 public:
  DocumentIndex(const Taxonomy& taxonomy, IndexConfig config);

  // Adds a document (its title and body are indexed for text search). Returns nullopt when
  // the id is already present.
  std::optional<DocIndex> add(const Document& doc);

  std::optional<DocIndex> find(std::string_view id) const;
  // By doc_key(id); nullopt when absent.
  std::optional<DocIndex> find_key(uint64_t key) const;
  const DocRecord& doc(DocIndex i) const { return docs_[i]; }
  // The keys (QueryGraph::SenseScorer::add_word) of the distinct text::words of document i's
  // title, in text order, worked out once by add(): what the search feed's sense filter
  // compares with a query's context, 200 titles a request. Valid until the next add().
  std::span<const uint64_t> title_word_keys(DocIndex i) const;
  size_t size() const { return docs_.size(); }

  // Documents listed under `topic` (directly or through a descendant), oldest first.
  const std::vector<DocIndex>& topic_docs(TopicId topic) const;

  // Best `k` text matches for `query`, BM25 over retrieval terms (title terms count twice),
  // ties broken by newer first (equal creation times: the later added document first).
  // Documents for which `exclude` returns true are skipped. `exclude` must be a pure
  // predicate: it is called for an unspecified subset of the matches (only those that could
  // still enter the best k), in DocIndex order. Stops scoring a document as soon as its
  // terms' upper bounds show it cannot beat the k-th best so far (MaxScore-style early
  // termination); the result equals search_exhaustive's.
  std::vector<TextMatch> search(std::string_view query, size_t k,
                                const std::function<bool(DocIndex)>& exclude) const;
  // The same, but a match must also contain min_query_coverage of `must_match`'s terms (a
  // refined query Q* ranks, the user's own query Q gates: Q* = "에스파 일본 앨범" never
  // brings a document that mentions only "일본 앨범").
  std::vector<TextMatch> search(std::string_view query, size_t k,
                                const std::function<bool(DocIndex)>& exclude,
                                std::string_view must_match) const;
  // The same result as search, by scoring every match (no early termination): the reference
  // the early-terminating search is tested against. `exclude` runs on matches best first.
  std::vector<TextMatch> search_exhaustive(std::string_view query, size_t k,
                                           const std::function<bool(DocIndex)>& exclude,
                                           std::string_view must_match = {}) const;

  // Words (text::words) over documents: how many documents contain `word` anywhere, and
  // BM25's idf of it (unknown words get the highest idf).
  uint32_t word_doc_count(std::string_view word) const;
  double word_idf(std::string_view word) const;

  // Popularity: decayed click counts per document (DocPopularity).
  void record_click(DocIndex doc, TimeMs t);
  double popularity_half_life_s() const { return config_.popularity_half_life_s; }
  double lasting_popularity_half_life_s() const { return config_.lasting_popularity_half_life_s; }
  // The global and per-topic popular lists at `now` (see popular() and topic_popular()).
  struct PopularLists {
    std::vector<DocIndex> popular;
    std::vector<DocIndex> lasting;  // by the lasting half-life, clicked documents only
    std::vector<std::vector<DocIndex>> per_topic;  // per TopicId
  };
  // Computes the lists without changing the index: a const reader like search, so it may run
  // under a shared lock or, on the only writer's thread, under no lock while readers run
  // (≈ 45 ms at 200k documents). Install them with set_popular.
  PopularLists compute_popular(TimeMs now) const;
  // Installs lists from compute_popular (a swap, O(1)). Needs exclusive access.
  void set_popular(PopularLists lists);
  // compute_popular then set_popular.
  void refresh_popular(TimeMs now);
  // Most popular first (decayed clicks); when nothing was clicked yet, newest first.
  const std::vector<DocIndex>& popular() const { return popular_; }
  double popularity(DocIndex doc, TimeMs now) const;
  // Decayed clicks at the lasting half-life, and every click ever.
  double lasting_popularity(DocIndex doc, TimeMs now) const;
  uint32_t click_count(DocIndex doc) const;
  // Most popular first by the lasting half-life as of the last refresh_popular, at most
  // popular_list_size, clicked documents only.
  const std::vector<DocIndex>& lasting_popular() const { return lasting_popular_; }
  // The most popular documents under `topic` (directly or through a descendant) as of the
  // last refresh_popular, most popular first, at most topic_popular_size; only documents
  // with clicks. Empty for an unknown topic.
  const std::vector<DocIndex>& topic_popular(TopicId topic) const;
  // Raw state, for persistence and staging.
  void set_popularity(DocIndex doc, const DocPopularity& popularity);
  DocPopularity popularity_state(DocIndex doc) const;

 private:
  // `length` is the document's length (doc_length_) when below kLongDocument, else
  // kLongDocument (read doc_length_ then): kept in what was padding, so that scoring a
  // posting needs no random access to doc_length_ (a cache miss per candidate at 1M
  // documents).
  static constexpr uint16_t kLongDocument = UINT16_MAX;
  struct Posting {
    DocIndex doc;
    uint16_t tf;
    uint16_t length;
  };
  // A term's postings in DocIndex order with the bounds of its BM25 contribution: the
  // largest tf and the shortest document length among them (the contribution grows with tf
  // and shrinks with length, so idf · tf-part(max_tf, min_length) bounds every posting's
  // for any average length).
  struct PostingList {
    std::vector<Posting> postings;
    uint16_t max_tf = 0;
    uint32_t min_length = UINT32_MAX;
  };

  const Taxonomy& taxonomy_;
  IndexConfig config_;
  std::vector<DocRecord> docs_;
  std::unordered_map<uint64_t, uint32_t> word_df_;  // fnv1a(word) → documents containing it
  std::vector<uint32_t> doc_length_;                // terms per document
  std::vector<uint64_t> title_keys_;                // title_word_keys of every document, in order
  std::vector<uint32_t> title_keys_end_;            // per document: its keys end there
  uint64_t total_length_ = 0;
  struct IdHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, DocIndex, IdHash, std::equal_to<>> by_id_;
  std::vector<std::vector<DocIndex>> by_topic_;
  std::unordered_map<uint64_t, DocIndex> by_key_;
  std::unordered_map<text::TermId, PostingList> postings_;
  std::unordered_map<DocIndex, DocPopularity> popularity_;
  std::vector<DocIndex> popular_;
  std::vector<DocIndex> lasting_popular_;
  std::vector<std::vector<DocIndex>> topic_popular_;  // per TopicId
};

}  // namespace feedscout
