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

size_t record_keywords(UserContext& user, const Event& event, const std::vector<DocIndex>& docs,
                       const DocumentIndex& index, const intent::KeywordExtractor& extractor,
                       const ContextConfig& config) {
  if (event.type == EventType::kImpression) return 0;
  const bool search = event.type == EventType::kSearch;
  if (!search && docs.empty()) return 0;
  std::vector<DocIndex> distinct = docs;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());

  intent::KeywordInput input;
  if (search) input.query = event.query;
  for (DocIndex d : distinct) {
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
  auto keywords = extractor.extract(input);
  if (!keywords.is_ok() || keywords->empty()) return 0;
  user.add_keywords(*keywords, search ? Surface::kSearch : event.surface, event.time_ms, config);
  return keywords->size();
}

}  // namespace feedscout
