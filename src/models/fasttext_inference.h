// Supervised fastText prediction re-implemented over the model's own matrices, for serving.
//
// fastText's FastText::predictLine reads through an istream, allocates a string per token and
// per character n-gram of every out-of-vocabulary word, and adds one input row per sub-word.
// FastTextInference computes the same hidden vector and label probabilities without those
// costs:
//   - every in-vocabulary word's rows (the word and its character n-grams) are summed once at
//     load into one vector per word, so a known word costs one row addition, not ~10;
//   - out-of-vocabulary words' character n-grams and the word n-grams are hashed in place
//     (fastText's FNV-1a and n-gram mixing, bit for bit, including its sign extension);
//   - ova probabilities use fastText's own sigmoid table, softmax the exact function.
// The result equals the library's up to float summation order (tests compare the two on
// hundreds of texts); the library also adds 1e-5 to every probability, which this does not.
//
// Supported: supervised, non-quantised models with loss ova or softmax (the losses
// train_fasttext_topics writes). create() refuses anything else, and the caller then uses
// the library's predictLine.
//
// Thread safety: predict() is const and may run from many threads at once (scratch buffers
// are thread_local). Memory: nwords * dim floats for the per-word sums, on top of the model.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feedscout/common/status.h"

namespace fasttext {
class FastText;
class DenseMatrix;
}  // namespace fasttext

namespace feedscout {

class FastTextInference {
 public:
  // Shares `model`'s input and output matrices (no copy) and copies its vocabulary; `model`
  // may be destroyed afterwards.
  // Errors (the caller falls back to the library): quantised model, a loss other than ova or
  // softmax, not supervised, or per-word sums over `max_sum_bytes`.
  [[nodiscard]] static Result<std::unique_ptr<FastTextInference>> create(
      const fasttext::FastText& model, size_t max_sum_bytes = size_t{1} << 30);

  // The k most probable labels of `line` (tokens separated by ASCII whitespace, as fastText
  // reads a line; no trailing newline needed), as (probability 0..1, label index) sorted by
  // probability, highest first; ties by lower label index. Labels below `threshold` are left
  // out. Writes nothing when the line yields no input rows.
  void predict(std::string_view line, int k, float threshold,
               std::vector<std::pair<float, int32_t>>* out) const;

  int32_t label_count() const { return static_cast<int32_t>(labels_.size()); }
  // fastText's label string, with its "__label__" prefix.
  const std::string& label(int32_t i) const { return labels_[static_cast<size_t>(i)]; }
  int dim() const { return dim_; }

 private:
  struct Key {};  // only create() constructs

 public:
  explicit FastTextInference(Key) {}

 private:
  // Word id of `token` (whose fastText hash is `h`), or -1.
  int32_t find_word(std::string_view token, uint32_t h) const;

  int dim_ = 0;
  int32_t nwords_ = 0;
  int32_t bucket_ = 0;
  int minn_ = 0, maxn_ = 0, word_ngrams_ = 1;
  bool softmax_ = false;
  int32_t eos_id_ = -1;
  uint32_t eos_hash_ = 0;

  // Vocabulary: open addressing on fastText's hash; slot = word id or -1.
  std::vector<int32_t> slots_;
  std::vector<uint32_t> word_hash_;    // per word id
  std::vector<uint32_t> word_offset_;  // per word id + 1, into word_bytes_
  std::string word_bytes_;

  std::vector<float> word_sum_;      // nwords * dim: sum of the word's input rows
  std::vector<uint32_t> word_rows_;  // per word: how many rows the sum holds
  std::shared_ptr<const fasttext::DenseMatrix> input_;   // (nwords + bucket) * dim
  std::shared_ptr<const fasttext::DenseMatrix> output_;  // labels * dim
  std::vector<float> sigmoid_table_;                     // fastText's: 513 entries over [-8, 8]
  std::vector<std::string> labels_;
};

}  // namespace feedscout
