// The synthetic corpus (synthetic_corpus.h).
#include "synthetic_corpus.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <unordered_set>

#include "feedscout/ingest/json_text.h"
#include "feedscout/text/utf8.h"

namespace feedscout::bench {
namespace {

// Common Hangul syllables; words are random sequences of them.
constexpr std::string_view kSyllables =
    "가나다라마바사아자차카타파하고노도로모보소오조초코토포호구누두루무부수우주추쿠투푸후"
    "기니디리미비시이지치키티피히한국서울시장대학생활정보여행맛집경제문화건강운동음악영화"
    "게임요리패션뷰티자동차부동산주식과학기술교육육아반려동물캠핑등산낚시독서공연전시축제";

const std::vector<std::string>& syllables() {
  static const std::vector<std::string> list = [] {
    std::vector<std::string> out;
    std::unordered_set<std::string> seen;
    size_t pos = 0;
    while (pos < kSyllables.size()) {
      const size_t start = pos;
      (void)text::decode_utf8(kSyllables, pos);
      std::string s(kSyllables.substr(start, pos - start));
      if (seen.insert(s).second) out.push_back(std::move(s));
    }
    return out;
  }();
  return list;
}

constexpr std::array<const char*, 8> kTitleSuffixes = {"소식", "후기",   "총정리", "추천",
                                                       "분석", "이야기", "꿀팁",   "현장"};
constexpr std::array<const char*, 4> kSentenceEnds = {"입니다", "했다", "한다", "이다"};
constexpr std::array<const char*, 3> kSources = {"blog", "news", "cafe"};

}  // namespace

std::string numbered(const char* prefix, int width, size_t n) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%0*zu", prefix, width, n);
  return buf;
}

std::string hangul_word(SampleRng& rng, int syllable_count) {
  const auto& list = syllables();
  std::string out;
  for (int i = 0; i < syllable_count; ++i) out += list[rng.below(list.size())];
  return out;
}

Result<Corpus> make_corpus(const Taxonomy& taxonomy, const CorpusOptions& options) {
  if (options.docs == 0 || options.topics == 0 || options.span_days < 1 || options.now_ms <= 0) {
    return Status::invalid_argument("corpus options out of range");
  }
  std::vector<TopicId> candidates;
  for (TopicId t = 0; t < taxonomy.size(); ++t) {
    if (taxonomy.node(t).level >= 2) candidates.push_back(t);
  }
  if (candidates.size() < options.topics) {
    return Status::invalid_argument("taxonomy has only " + std::to_string(candidates.size()) +
                                    " tier-2/3 topics");
  }
  SampleRng rng(options.seed);
  Corpus c;
  c.now_ms = options.now_ms;
  std::unordered_set<std::string> used_words;
  auto fresh_word = [&](int syllable_count) {
    for (;;) {
      std::string w = hangul_word(rng, syllable_count);
      if (used_words.insert(w).second) return w;
    }
  };
  for (size_t i = 0; i < options.topics; ++i) {
    const TopicId t = candidates[i * candidates.size() / options.topics];
    CorpusTopic ct{t, taxonomy.node(t).external_id, taxonomy.node(t).name, {}};
    for (int k = 0; k < 16; ++k) ct.keywords.push_back(fresh_word(2));
    c.topics.push_back(std::move(ct));
  }
  std::vector<std::string> general;
  for (int k = 0; k < 400; ++k) general.push_back(fresh_word(2 + static_cast<int>(rng.below(2))));
  auto any_general = [&]() -> const std::string& { return general[rng.below(general.size())]; };

  c.topic_docs.resize(c.topics.size());
  const TimeMs span_s = static_cast<TimeMs>(options.span_days) * 24 * 3600;
  for (size_t i = 0; i < options.docs; ++i) {
    CorpusDoc d;
    d.id = numbered("doc-", 6, i + 1);
    d.topic = static_cast<uint32_t>(rng.below(c.topics.size()));
    d.created_ms = options.now_ms - rng.range(0, span_s) * kMsPerSecond;
    const auto& topic = c.topics[d.topic];
    const auto& kw1 = topic.keywords[rng.below(topic.keywords.size())];
    const auto& kw2 = topic.keywords[rng.below(topic.keywords.size())];
    d.title = topic.name + " " + kw1 + " " + any_general() + " " + kw2 + " " + any_general() + " " +
              kTitleSuffixes[rng.below(kTitleSuffixes.size())];
    const int sentences = 2 + static_cast<int>(rng.below(2));
    for (int s = 0; s < sentences; ++s) {
      if (s > 0) d.body += ' ';
      d.body += topic.keywords[rng.below(topic.keywords.size())] + " " + any_general() + " " +
                any_general() + " " + any_general() +
                kSentenceEnds[rng.below(kSentenceEnds.size())] + ".";
    }
    d.source = kSources[rng.below(kSources.size())];
    c.docs.push_back(std::move(d));
  }
  c.by_time.resize(c.docs.size());
  for (uint32_t i = 0; i < c.docs.size(); ++i) c.by_time[i] = i;
  std::stable_sort(c.by_time.begin(), c.by_time.end(), [&](uint32_t a, uint32_t b) {
    return c.docs[a].created_ms < c.docs[b].created_ms;
  });
  for (uint32_t i : c.by_time) c.topic_docs[c.docs[i].topic].push_back(i);
  return c;
}

Document to_document(const Corpus& corpus, size_t i) {
  const CorpusDoc& cd = corpus.docs[i];
  Document d;
  d.id = cd.id;
  d.title = cd.title;
  d.body = cd.body;
  d.url = "https://bench.feedscout.invalid/" + cd.id;
  d.source = cd.source;
  d.created_ms = cd.created_ms;
  d.topics.push_back({corpus.topics[cd.topic].topic, 1.0f, TopicSource::kProvided});
  return d;
}

std::string document_line(const Corpus& corpus, size_t i) {
  const CorpusDoc& d = corpus.docs[i];
  std::string out = "{\"id\":";
  append_json_string(out, d.id);
  out += ",\"title\":";
  append_json_string(out, d.title);
  out += ",\"body\":";
  append_json_string(out, d.body);
  out += ",\"created_at\":\"" + format_rfc3339(d.created_ms) + "\",\"source\":";
  append_json_string(out, d.source);
  out += ",\"url\":\"https://bench.feedscout.invalid/" + d.id + "\",\"topics\":[";
  append_json_string(out, corpus.topics[d.topic].external_id);
  out += "]}";
  return out;
}

std::string topic_query(const Corpus& corpus, size_t topic, SampleRng& rng) {
  const CorpusTopic& t = corpus.topics[topic];
  const auto& kw = t.keywords[rng.below(t.keywords.size())];
  if (rng.chance(0.7)) return t.name + " " + kw;
  return kw + " " + t.keywords[rng.below(t.keywords.size())];
}

}  // namespace feedscout::bench
