#include "keyword_context.h"

#include <algorithm>

namespace feedscout {

Result<std::unique_ptr<intent::KeywordExtractor>> make_keyword_extractor(
    const KeywordsConfig& config, const intent::WordWeights& weights) {
  if (config.extractor == "none") return std::unique_ptr<intent::KeywordExtractor>();
  if (config.extractor == "statistical") {
    return std::unique_ptr<intent::KeywordExtractor>(
        std::make_unique<intent::StatisticalKeywordExtractor>(weights, config.options));
  }
  return Status::invalid_argument("keywords.extractor must be \"statistical\" or \"none\", got '" +
                                  config.extractor + "'");
}

std::string KeywordMemo::key(std::string_view query, const std::vector<DocIndex>& docs) {
  // The query's length first: the key is unambiguous whatever bytes the query holds.
  const uint64_t n = query.size();
  std::string k(reinterpret_cast<const char*>(&n), sizeof n);
  k.append(query);
  for (DocIndex d : docs) k.append(reinterpret_cast<const char*>(&d), sizeof d);
  return k;
}

const std::vector<intent::Keyword>* KeywordMemo::find(const std::string& key, size_t index_size) {
  if (index_size != index_size_) {
    by_key_.clear();
    index_size_ = index_size;
  }
  const auto it = by_key_.find(key);
  if (it == by_key_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  return &it->second;
}

void KeywordMemo::put(std::string key, size_t index_size, std::vector<intent::Keyword> keywords) {
  if (index_size != index_size_ || by_key_.size() >= max_entries_) {
    by_key_.clear();
    index_size_ = index_size;
  }
  by_key_[std::move(key)] = std::move(keywords);
}

namespace {

// The extractor's view of `docs` (distinct, known to `index`) and, for a search, its query.
intent::KeywordInput keyword_input(const Event& event, const std::vector<DocIndex>& docs,
                                   const DocumentIndex& index) {
  intent::KeywordInput input;
  if (event.type == EventType::kSearch) input.query = event.query;
  for (DocIndex d : docs) {
    const DocRecord& rec = index.doc(d);
    intent::KeywordDocument kd;
    kd.title = rec.title;
    std::string_view words = rec.salient;
    while (!words.empty()) {
      const size_t space = words.find(' ');
      kd.words.push_back(words.substr(0, space));
      if (space == std::string_view::npos) break;
      words.remove_prefix(space + 1);
    }
    kd.title_words = rec.salient_title;
    input.docs.push_back(std::move(kd));
  }
  return input;
}

}  // namespace

size_t record_keywords(UserContext& user, const Event& event, const std::vector<DocIndex>& docs,
                       const DocumentIndex& index, const intent::KeywordExtractor& extractor,
                       const ContextConfig& config, KeywordMemo* memo) {
  if (event.type == EventType::kImpression) return 0;
  const bool search = event.type == EventType::kSearch;
  if (!search && docs.empty()) return 0;
  std::vector<DocIndex> distinct = docs;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  const Surface surface = search ? Surface::kSearch : event.surface;

  // Searches are not memoised: their (query, documents) rarely repeat, and their keys would
  // push the clicks' out (measured on the ingest benchmark's mix).
  if (search) memo = nullptr;
  std::string key;
  if (memo != nullptr) {
    key = KeywordMemo::key(std::string_view(), distinct);
    if (const auto* hit = memo->find(key, index.size())) {
      if (hit->empty()) return 0;
      user.add_keywords(*hit, surface, event.time_ms, config);
      return hit->size();
    }
  }
  auto keywords = extractor.extract(keyword_input(event, distinct, index));
  if (!keywords.is_ok()) return 0;  // not memoised: only a calling-out extractor fails
  if (memo != nullptr) memo->put(std::move(key), index.size(), *keywords);
  if (keywords->empty()) return 0;
  user.add_keywords(*keywords, surface, event.time_ms, config);
  return keywords->size();
}

}  // namespace feedscout
