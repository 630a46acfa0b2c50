// The default, in-process document embedder: fastText unsupervised word vectors (skipgram
// with character n-grams, Debian libfasttext-dev) trained on the engine's own content pool.
//
// Korean morphology: particles attach to nouns ("축구를", "축구가") and compounds vary, so
// every word's vector is the sum of its character n-gram vectors (min_char_ngram..
// max_char_ngram characters, fastText's subwords); an unseen inflection still shares most
// n-grams with the forms seen in training.
//
// A document's vector is the L2-normalised mean of the unit vectors of its words
// (text::classifier_text, the same words the topic student sees), as fastText's own
// getSentenceVector does for unsupervised models. Contract: models/embedder.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "feedscout/common/status.h"
#include "feedscout/ingest/parse.h"
#include "feedscout/models/embedder.h"
#include "feedscout/taxonomy/taxonomy.h"

namespace feedscout {

struct FastTextEmbedderTrainOptions {
  int dim = 64;
  // Small pools (thousands of short documents) need many passes: with too few updates every
  // vector stays near one common direction (all cosines ~1).
  int epoch = 10;
  double learning_rate = 0.1;
  int window = 5;
  int negatives = 5;
  int min_count = 3;       // words seen fewer times get no own vector (their n-grams still do)
  int min_char_ngram = 2;  // sub-word n-grams, in characters (Hangul syllables count as one)
  int max_char_ngram = 4;
  int bucket = 200000;  // hashed n-gram rows
  int threads = 1;      // 1 keeps training deterministic for a given seed
  int seed = 7;
  size_t max_text_bytes = 4096;  // of each document's words
};

struct EmbedderTrainReport {
  size_t documents = 0;           // documents with words used for training
  size_t skipped = 0;             // documents without words
  size_t words = 0;               // vocabulary size after min_count
  std::vector<ItemError> errors;  // unreadable lines, with line numbers
  double seconds = 0;
};

// Trains on a JSON Lines file of documents (docs/FORMATS.md; topics, if any, are ignored)
// and writes fastText's .bin to `model_path`. NotFound: no input file; InvalidArgument: bad
// options or no document with words; Internal: fastText failed. Not thread-safe with
// another training writing the same path.
[[nodiscard]] Result<EmbedderTrainReport> train_fasttext_embedder(
    const std::string& documents_jsonl, const Taxonomy& taxonomy, const std::string& model_path,
    const FastTextEmbedderTrainOptions& options);

// Loads a model written by train_fasttext_embedder (any fastText skipgram/cbow .bin).
// NotFound: no file; Corruption: unreadable; InvalidArgument: a supervised model. The
// embedder owns the model; embed() is thread-safe (read-only lookups).
[[nodiscard]] Result<std::unique_ptr<Embedder>> load_fasttext_embedder(
    const std::string& model_path, size_t max_text_bytes = 4096);

}  // namespace feedscout
