// Document embeddings (issue 6): a document's title and body -> one dense vector.
//
// One interface for every embedder: the in-process fastText vectors trained on the content
// pool (fasttext_embedder.h, the default, no GPU) and a language model's /v1/embeddings
// (llm/llm_embedder.h). Contract for every implementation:
// - a vector has exactly dimension() floats, all finite, L2-normalised (|v| = 1 within
//   float rounding), so that cosine similarity is a dot product (index/ann_index.h);
// - text without words (empty, only spaces, punctuation or emoji: text::words() finds
//   none) is InvalidArgument "no words to embed" — never a zero vector. Callers skip such
//   documents (they get no embedding and are not indexed);
// - embed() and embed_batch() are safe to call from many threads at once.
// Vectors of different embedders (or of two trainings of one) are not comparable: store
// describe() and dimension() with them and re-embed when either changes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout {

struct EmbedInput {
  std::string_view title;
  std::string_view body;
};

class Embedder {
 public:
  virtual ~Embedder() = default;

  [[nodiscard]] virtual Result<std::vector<float>> embed(std::string_view title,
                                                         std::string_view body) const = 0;

  // results[i] answers inputs[i]; one bad input fails only its own entry. The default
  // calls embed() for each; remote embedders send batches.
  virtual std::vector<Result<std::vector<float>>> embed_batch(
      const std::vector<EmbedInput>& inputs) const;

  // Length d of every vector.
  virtual size_t dimension() const = 0;

  // "fasttext-embed:/path/model.bin" or "llm-embed:<model>@<url>" — stored with vectors.
  virtual std::string describe() const = 0;
};

}  // namespace feedscout
