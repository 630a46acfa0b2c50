// Synthetic Korean sample corpus for demos, tests and offline evaluation.
//
// The corpus is built from a topic vocabulary file (data/sample/topic_vocab.json): a JSON
// array of topics, each
//   {"topic_id": "<IAB id of the taxonomy>", "topic_en": "...",
//    "entities": [str...], "keywords": [str...], "queries": [str...],
//    "title_templates": [str...], "sentences": [str...]}
// Templates and sentences may contain the slots {entity} and {keyword}, filled with a random
// entity / keyword of the same topic. No other slot names are allowed.
//
// Everything here is deterministic for a seed and byte-identical across platforms and
// standard libraries: randomness comes from the raw output of std::mt19937_64 through the
// helpers in the implementation, never from std::*_distribution.
#pragma once

#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/common/time.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

// 2026-11-01T00:00:00Z: the fixed "now" of the sample data set.
constexpr TimeMs kSampleNewestMs = 1793491200LL * kMsPerSecond;

// Portable random numbers for the eval tools: unbiased integers and doubles computed from
// the raw 64-bit output of std::mt19937_64 (whose sequence the standard fixes), so a seed
// gives the same numbers with every compiler and standard library.
class SampleRng {
 public:
  explicit SampleRng(uint64_t seed) : engine_(seed) {}

  uint64_t next() { return engine_(); }
  // Uniform in [0, n); n must be > 0. Rejection sampling, no modulo bias.
  uint64_t below(uint64_t n) {
    const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      const uint64_t r = engine_();
      if (r >= threshold) return r % n;
    }
  }
  // Uniform integer in [lo, hi]; requires lo <= hi.
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }
  // Uniform double in [0, 1) with 53 random bits (exact, no rounding differences).
  double uniform01() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  // True with probability p.
  bool chance(double p) { return uniform01() < p; }

 private:
  std::mt19937_64 engine_;
};

// One topic of the vocabulary file, validated.
struct TopicVocab {
  std::string topic_id;      // external IAB id, as in the file
  TopicId topic = kNoTopic;  // the same, resolved in the taxonomy
  std::string topic_en;
  std::vector<std::string> entities;         // ≥ 1
  std::vector<std::string> keywords;         // ≥ 1
  std::vector<std::string> queries;          // ≥ 1
  std::vector<std::string> title_templates;  // ≥ 1, slots checked
  std::vector<std::string> sentences;        // ≥ 3, slots checked
};

// Reads and validates a vocabulary file. Fails (naming the file, the 0-based topic index and
// the field) on: a missing/unreadable file (IOError), bad JSON, a missing or mistyped key, an
// empty string, too few entries, a slot other than {entity}/{keyword} or an unclosed '{'
// (InvalidArgument), a topic_id that is not an external id of `taxonomy` or that is listed
// twice (InvalidArgument). Fewer than 2 topics is an error too.
[[nodiscard]] Result<std::vector<TopicVocab>> load_topic_vocab(const std::string& path,
                                                               const Taxonomy& taxonomy);

struct SampleOptions {
  uint64_t seed = 7;
  int docs_per_topic = 60;             // 1..100000
  TimeMs newest_ms = kSampleNewestMs;  // created_at falls in [newest - span_days, newest]
  int span_days = 30;                  // 1..3650
};

// Writes topics × docs_per_topic documents as JSON Lines in the canonical document format
// (document_to_json): ids "doc-00001"…, in an order shuffled across topics; each document
// has exactly one topic (score 1.0), the vocabulary topic it was generated from.
//   title:      a random title template, slots filled from the topic's vocabulary;
//   body:       3–6 distinct sentences of the topic (slots filled), and for ~15% of
//               documents one extra sentence of a different topic at a random place;
//   source:     "blog", "news" or "cafe"; url "https://sample.feedscout.invalid/<id>";
//   created_at: uniform in whole seconds over the span.
// The same seed and inputs give byte-identical output. Errors: those of load_topic_vocab,
// out-of-range options (InvalidArgument), a failing stream (IOError).
[[nodiscard]] Status generate_sample_documents(const std::string& vocab_path,
                                               const Taxonomy& taxonomy,
                                               const SampleOptions& options, std::ostream& out);

}  // namespace feedscout
