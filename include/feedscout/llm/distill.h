// Teacher → student distillation for topic classification (issue 4), as in the reference: a
// large model labels a document pool, the same (or another) large model judges each label
// 0–100 and labels below a bar are dropped, under-represented topics get synthetic documents
// (a title for the topic, then a body from topic + title, both passed through the repetition
// filter), and the result trains the fastText student or is exported as chat-format JSON Lines
// for fine-tuning a small language model elsewhere.
//
// The steps take a TextGenerator, so the same code runs against the language-model client or
// a deterministic in-process generator (tests). Generator failures are counted per step and
// the step goes on with the next item; nothing is retried here (the client retries).
//
// Not thread-safe per call; the steps are sequential (the client underneath runs requests
// concurrently when given a concurrent generator in later work).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/common/time.h"
#include "feedscout/llm/prompt.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout::llm {

class TextGenerator {
 public:
  virtual ~TextGenerator() = default;
  // The model's answer to `prompt` (completion text only).
  [[nodiscard]] virtual Result<std::string> generate(const std::string& prompt) = 0;
};

struct PoolDocument {
  std::string id, title, body;
  TimeMs created_ms = 0;
};

// A document with topics (paths valid in the taxonomy) and, once judged, their scores.
struct LabelledDocument {
  std::string id, title, body;
  std::vector<TopicId> topics;
  std::vector<int> judge_scores;  // parallel to topics after judge_labels; empty before
  bool synthetic = false;
  TimeMs created_ms = 0;  // the pool document's; synthetic documents: synthesize's `now`
};

struct StepCounts {
  size_t items = 0;             // documents (or topics) processed
  size_t generator_errors = 0;  // generate() failed
  size_t invalid_labels = 0;    // teacher lines that are not a taxonomy path (dropped)
  size_t unparseable = 0;       // judge answers without a 0..100 score (label dropped)
  size_t dropped = 0;           // labels under the bar, or texts failing the filter
  size_t kept = 0;              // labels (label, judge) or documents (synthesize) kept
  std::string first_error;      // "" when none
};

// Teacher labelling: the teacher prompt per document; each answer line that resolves to a
// taxonomy path (leading "1." / "-" and quotes stripped) becomes a topic, at most
// `max_topics`, distinct, in answer order. Documents with no valid topic are kept with none.
std::vector<LabelledDocument> teacher_label(const std::vector<PoolDocument>& pool,
                                            TextGenerator& teacher, const PromptTemplate& prompt,
                                            const Taxonomy& taxonomy, size_t body_budget,
                                            size_t max_topics, StepCounts* counts);

// Judge filtering: every (document, topic) is scored with the judge prompt; topics scoring
// below `min_score` (default 80, as in the reference) or unparseable are dropped; documents
// left without topics are removed.
std::vector<LabelledDocument> judge_labels(std::vector<LabelledDocument> docs, TextGenerator& judge,
                                           const PromptTemplate& prompt, const Taxonomy& taxonomy,
                                           size_t body_budget, int min_score, StepCounts* counts);

// Topics with fewer than `min_per_topic` documents among `docs` (counting each document under
// its topics), among `candidates` (e.g. every leaf of the taxonomy), in candidates order.
std::vector<TopicId> under_represented(const std::vector<LabelledDocument>& docs,
                                       const std::vector<TopicId>& candidates,
                                       size_t min_per_topic);

// Synthetic documents: for each topic, `per_topic` times: a title (title prompt with
// {{topic}}; first non-empty line), then a body (body prompt with {{topic}} and {{title}});
// texts failing passes_repetition_filter(threshold) or empty are dropped. Ids are
// "synthetic-<topic external id>-<k>", created at `now`.
std::vector<LabelledDocument> synthesize(const std::vector<TopicId>& topics, TextGenerator& writer,
                                         const PromptTemplate& title_prompt,
                                         const PromptTemplate& body_prompt,
                                         const Taxonomy& taxonomy, size_t per_topic,
                                         double repetition_threshold, TimeMs now,
                                         StepCounts* counts);

// One JSON line per document in the document format train_fasttext_topics reads
// ({"id","title","body","created_at","topics":[path,...]}; docs without topics are skipped).
std::string to_training_jsonl(const std::vector<LabelledDocument>& docs, const Taxonomy& taxonomy);

// The JSON Lines form of a LabelledDocument that the `feedscout distill` steps pass along (one
// line, no newline): the document format (docs/FORMATS.md: id, title, body, created_at, topics
// as paths) so that `train-topics` and `ingest` read these files too, plus "judge_scores"
// (integers 0..100 parallel to "topics") once judged and "synthetic": true for synthetic
// documents. A document without topics is written with "topics": [].
std::string labelled_document_to_json(const LabelledDocument& d, const Taxonomy& taxonomy);

// Reads one such line (any document line works: missing judge_scores / synthetic mean "not
// judged" / false; other unknown keys are ignored). Validation is the document format's
// (parse_documents with any_time_limits(): a topic unknown to `taxonomy`, more than 3 topics, a
// missing created_at fail). InvalidArgument "field '<name>': <why>" or "<why>" when the line is
// not one JSON object; "judge_scores" must be an array of integers 0..100 as long as "topics".
[[nodiscard]] Result<LabelledDocument> parse_labelled_document(std::string_view line,
                                                               const Taxonomy& taxonomy);

// Chat-format JSON Lines for fine-tuning: per document, {"messages":[{"role":"user",
// "content": <classification prompt>},{"role":"assistant","content": <topic paths, one per
// line>}]}. Errors: those of rendering the prompt.
[[nodiscard]] Result<std::string> to_chat_jsonl(const std::vector<LabelledDocument>& docs,
                                                const Taxonomy& taxonomy,
                                                const PromptTemplate& classify_prompt,
                                                size_t body_budget);

}  // namespace feedscout::llm
