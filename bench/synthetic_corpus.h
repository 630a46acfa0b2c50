// The benchmarks' synthetic document corpus: Korean-ish titles and bodies over a chosen set
// of taxonomy topics (synthetic.h builds event logs over it). A pure function of the options
// (seed included); randomness from SampleRng. Needs only the taxonomy, ingest records and text
// stages, so that index-only benchmarks link without the engine. A built Corpus is immutable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/common/time.h"
#include "feedscout/eval/sample_generator.h"  // SampleRng (header-only)
#include "feedscout/ingest/records.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout::bench {

// prefix + n in `width` zero-padded digits: numbered("doc-", 6, 1) = "doc-000001".
std::string numbered(const char* prefix, int width, size_t n);

// A random Korean-ish word of `syllables` Hangul syllables drawn from a fixed list of
// common syllables.
std::string hangul_word(SampleRng& rng, int syllables);

struct CorpusOptions {
  uint64_t seed = 42;
  size_t docs = 20000;  // ≥ 1
  size_t topics = 60;   // tier-2/3 topics used, spread evenly over the taxonomy; ≥ 1
  int span_days = 30;   // created_at uniform in whole seconds over [now - span, now]
  TimeMs now_ms = 0;    // required (> 0)
};

struct CorpusTopic {
  TopicId topic = kNoTopic;
  std::string external_id;
  std::string name;                   // the node's own (last-level) name
  std::vector<std::string> keywords;  // 16 topic-specific words
};

struct CorpusDoc {
  std::string id;      // "doc-000001"…
  uint32_t topic = 0;  // index into Corpus::topics
  TimeMs created_ms = 0;
  std::string title;  // topic name, 2 keywords, 2 general words, a suffix (~20–30 chars)
  std::string body;   // 2–3 short sentences
  std::string source;
};

struct Corpus {
  std::vector<CorpusTopic> topics;
  std::vector<CorpusDoc> docs;
  // Per topic: indexes into docs, oldest first.
  std::vector<std::vector<uint32_t>> topic_docs;
  // All documents, oldest first.
  std::vector<uint32_t> by_time;
  TimeMs now_ms = 0;
};

// Builds a corpus. Fails (InvalidArgument) when the options are out of range or the
// taxonomy has fewer tier-2/3 nodes than options.topics.
[[nodiscard]] Result<Corpus> make_corpus(const Taxonomy& taxonomy, const CorpusOptions& options);

// The document as the engine's record type (one provided topic, score 1).
Document to_document(const Corpus& corpus, size_t i);

// One JSON line (no newline) in the documents wire format, topic given by external id.
std::string document_line(const Corpus& corpus, size_t i);

// A search query that matches documents of `topic` (the topic name and a keyword, or two
// keywords).
std::string topic_query(const Corpus& corpus, size_t topic, SampleRng& rng);

}  // namespace feedscout::bench
