#include "fasttext_inference.h"

#include <fasttext/densematrix.h>
#include <fasttext/dictionary.h>
#include <fasttext/fasttext.h>

#include <algorithm>
#include <cmath>

namespace feedscout {
namespace {

constexpr std::string_view kLabelPrefix = "__label__";
// fastText's sigmoid table (loss.cc): 512 steps over [-8, 8].
constexpr int kSigmoidTableSize = 512;
constexpr int kMaxSigmoid = 8;

// fastText's Dictionary::hash: FNV-1a over the bytes, each byte sign-extended first.
inline uint32_t fasttext_hash_step(uint32_t h, char c) {
  h ^= static_cast<uint32_t>(static_cast<int8_t>(c));
  return h * 16777619u;
}
constexpr uint32_t kHashSeed = 2166136261u;

inline uint32_t fasttext_hash(std::string_view s) {
  uint32_t h = kHashSeed;
  for (char c : s) h = fasttext_hash_step(h, c);
  return h;
}

// fastText's Dictionary::readWord separators.
inline bool is_separator(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == '\0';
}

inline bool is_continuation(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// acc[0..dim) += row[0..dim)
inline void add_row(float* __restrict acc, const float* __restrict row, int dim) {
  for (int j = 0; j < dim; ++j) acc[j] += row[j];
}

inline float dot(const float* __restrict a, const float* __restrict b, int dim) {
  float d = 0;
  for (int j = 0; j < dim; ++j) d += a[j] * b[j];
  return d;
}

struct Scratch {
  std::vector<float> hidden;
  std::vector<float> output;
  std::vector<float> logits;         // output before the sigmoid / softmax
  std::vector<int32_t> word_hashes;  // fastText keeps them as int32_t (sign matters below)
  std::string bounded;               // "<" + token + ">"
};

}  // namespace

Result<std::unique_ptr<FastTextInference>> FastTextInference::create(
    const fasttext::FastText& model, size_t max_sum_bytes) {
  const fasttext::Args args = model.getArgs();
  if (args.model != fasttext::model_name::sup) {
    return Status::invalid_argument("not a supervised fastText model");
  }
  if (args.loss != fasttext::loss_name::ova && args.loss != fasttext::loss_name::softmax) {
    return Status::invalid_argument("fastText loss is neither ova nor softmax");
  }
  if (model.isQuant()) return Status::invalid_argument("quantised fastText model");

  auto f = std::make_unique<FastTextInference>(Key{});
  auto dict = model.getDictionary();
  f->input_ = model.getInputMatrix();
  f->output_ = model.getOutputMatrix();
  f->dim_ = args.dim;
  f->nwords_ = dict->nwords();
  f->bucket_ = args.bucket;
  f->minn_ = args.minn;
  f->maxn_ = args.maxn;
  f->word_ngrams_ = args.wordNgrams;
  f->softmax_ = args.loss == fasttext::loss_name::softmax;
  if (f->input_->cols() != f->dim_ || f->output_->cols() != f->dim_ ||
      f->output_->rows() != dict->nlabels() ||
      f->input_->rows() != static_cast<int64_t>(f->nwords_) + f->bucket_) {
    return Status::corruption("fastText matrices do not match the model's dimensions");
  }
  const size_t dim = static_cast<size_t>(f->dim_);
  const size_t nwords = static_cast<size_t>(f->nwords_);
  if (nwords * dim * sizeof(float) > max_sum_bytes) {
    return Status::invalid_argument("per-word sums would exceed the memory cap");
  }

  // Vocabulary and per-word sums of input rows.
  size_t slots = 16;
  while (slots < 2 * nwords) slots <<= 1;
  f->slots_.assign(slots, -1);
  f->word_hash_.resize(nwords);
  f->word_offset_.assign(nwords + 1, 0);
  f->word_sum_.assign(nwords * dim, 0.0f);
  f->word_rows_.assign(nwords, 0);
  const float* in = f->input_->data();
  for (int32_t w = 0; w < f->nwords_; ++w) {
    const std::string word = dict->getWord(w);
    const uint32_t h = fasttext_hash(word);
    f->word_hash_[static_cast<size_t>(w)] = h;
    f->word_bytes_ += word;
    f->word_offset_[static_cast<size_t>(w) + 1] = static_cast<uint32_t>(f->word_bytes_.size());
    size_t s = h & (slots - 1);
    while (f->slots_[s] >= 0) s = (s + 1) & (slots - 1);
    f->slots_[s] = w;
    // Dictionary::addSubwords for a known word: its own row only when maxn <= 0, otherwise
    // getSubwords (which starts with the word's own id).
    float* sum = &f->word_sum_[static_cast<size_t>(w) * dim];
    if (f->maxn_ <= 0) {
      add_row(sum, in + static_cast<size_t>(w) * dim, f->dim_);
      f->word_rows_[static_cast<size_t>(w)] = 1;
    } else {
      const auto& rows = dict->getSubwords(w);
      for (int32_t r : rows) add_row(sum, in + static_cast<size_t>(r) * dim, f->dim_);
      f->word_rows_[static_cast<size_t>(w)] = static_cast<uint32_t>(rows.size());
    }
  }
  f->eos_hash_ = fasttext_hash(fasttext::Dictionary::EOS);
  f->eos_id_ = f->find_word(fasttext::Dictionary::EOS, f->eos_hash_);

  f->labels_.reserve(static_cast<size_t>(dict->nlabels()));
  for (int32_t i = 0; i < dict->nlabels(); ++i) f->labels_.push_back(dict->getLabel(i));

  f->sigmoid_table_.reserve(kSigmoidTableSize + 1);
  for (int i = 0; i < kSigmoidTableSize + 1; ++i) {
    const float x = static_cast<float>(i * 2 * kMaxSigmoid) / kSigmoidTableSize - kMaxSigmoid;
    f->sigmoid_table_.push_back(static_cast<float>(1.0 / (1.0 + std::exp(-x))));
  }
  return f;
}

int32_t FastTextInference::find_word(std::string_view token, uint32_t h) const {
  const size_t mask = slots_.size() - 1;
  for (size_t s = h & mask;; s = (s + 1) & mask) {
    const int32_t w = slots_[s];
    if (w < 0) return -1;
    const size_t wi = static_cast<size_t>(w);
    if (word_hash_[wi] != h) continue;
    const std::string_view word(word_bytes_.data() + word_offset_[wi],
                                word_offset_[wi + 1] - word_offset_[wi]);
    if (word == token) return w;
  }
}

void FastTextInference::predict(std::string_view line, int k, float threshold,
                                std::vector<std::pair<float, int32_t>>* out) const {
  out->clear();
  if (k <= 0) return;
  thread_local Scratch scratch;
  Scratch& s = scratch;
  const size_t dim = static_cast<size_t>(dim_);
  s.hidden.assign(dim, 0.0f);
  s.word_hashes.clear();
  float* hidden = s.hidden.data();
  const float* in = input_->data();
  uint64_t rows = 0;

  auto add_bucket = [&](uint64_t id) {
    add_row(hidden, in + (static_cast<size_t>(nwords_) + id) * dim, dim_);
    ++rows;
  };

  // Dictionary::computeSubwords on "<" + token + ">": every run of 1..maxn characters
  // (UTF-8 aware) of length >= minn, except the lone "<" and ">".
  auto add_char_ngrams = [&](std::string_view token) {
    s.bounded.clear();
    s.bounded.push_back('<');
    s.bounded.append(token);
    s.bounded.push_back('>');
    const std::string& w = s.bounded;
    for (size_t i = 0; i < w.size(); ++i) {
      if (is_continuation(w[i])) continue;
      uint32_t h = kHashSeed;
      size_t j = i;
      for (int n = 1; j < w.size() && n <= maxn_; ++n) {
        h = fasttext_hash_step(h, w[j++]);
        while (j < w.size() && is_continuation(w[j])) h = fasttext_hash_step(h, w[j++]);
        if (n >= minn_ && !(n == 1 && (i == 0 || j == w.size()))) {
          add_bucket(h % static_cast<uint32_t>(bucket_));
        }
      }
    }
  };

  auto add_word = [&](int32_t w) {
    add_row(hidden, &word_sum_[static_cast<size_t>(w) * dim], dim_);
    rows += word_rows_[static_cast<size_t>(w)];
  };

  // Dictionary::getLine: tokens up to the end of line, then the end-of-sentence token.
  size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && is_separator(line[pos])) ++pos;
    size_t end = pos;
    while (end < line.size() && !is_separator(line[end])) ++end;
    if (end == pos) break;
    const std::string_view token = line.substr(pos, end - pos);
    pos = end;
    // A token that looks like a label is a label to fastText, never a word.
    if (token.substr(0, kLabelPrefix.size()) == kLabelPrefix) continue;
    const uint32_t h = fasttext_hash(token);
    const int32_t w = find_word(token, h);
    if (w >= 0) {
      add_word(w);
    } else if (maxn_ > 0) {
      add_char_ngrams(token);
    }
    s.word_hashes.push_back(static_cast<int32_t>(h));
  }
  if (eos_id_ >= 0) add_word(eos_id_);
  s.word_hashes.push_back(static_cast<int32_t>(eos_hash_));

  // Dictionary::addWordNgrams (the int32 -> uint64 sign extension is fastText's).
  const auto& hashes = s.word_hashes;
  for (size_t i = 0; i < hashes.size(); ++i) {
    uint64_t h = static_cast<uint64_t>(static_cast<int64_t>(hashes[i]));
    for (size_t j = i + 1; j < hashes.size() && j < i + static_cast<size_t>(word_ngrams_); ++j) {
      h = h * 116049371u + static_cast<uint64_t>(static_cast<int64_t>(hashes[j]));
      add_bucket(h % static_cast<uint64_t>(bucket_));
    }
  }
  if (rows == 0) return;

  const float scale = static_cast<float>(1.0 / static_cast<double>(rows));
  for (size_t j = 0; j < dim; ++j) hidden[j] *= scale;

  const size_t nlabels = labels_.size();
  s.output.resize(nlabels);
  s.logits.resize(nlabels);
  const float* wo = output_->data();
  for (size_t i = 0; i < nlabels; ++i) s.output[i] = dot(wo + i * dim, hidden, dim_);
  s.logits = s.output;
  if (softmax_) {
    float max = s.output.empty() ? 0.0f : s.output[0];
    for (float v : s.output) max = std::max(max, v);
    float z = 0;
    for (float& v : s.output) {
      v = std::exp(v - max);
      z += v;
    }
    for (float& v : s.output) v /= z;
  } else {
    for (float& v : s.output) {
      if (v < -kMaxSigmoid) {
        v = 0.0f;
      } else if (v > kMaxSigmoid) {
        v = 1.0f;
      } else {
        const auto i =
            static_cast<int64_t>((v + kMaxSigmoid) * kSigmoidTableSize / kMaxSigmoid / 2);
        v = sigmoid_table_[static_cast<size_t>(i)];
      }
    }
  }

  for (size_t i = 0; i < nlabels; ++i) {
    const float p = s.output[i];
    if (p < threshold) continue;
    out->emplace_back(p, static_cast<int32_t>(i));
  }
  // The sigmoid table maps nearby logits to the same probability; such ties are broken by
  // the logits themselves (fastText leaves them in heap order), then by label index.
  const std::vector<float>& logits = s.logits;
  auto better = [&logits](const std::pair<float, int32_t>& a, const std::pair<float, int32_t>& b) {
    if (a.first != b.first) return a.first > b.first;
    const float la = logits[static_cast<size_t>(a.second)];
    const float lb = logits[static_cast<size_t>(b.second)];
    return la != lb ? la > lb : a.second < b.second;
  };
  const size_t keep = std::min(out->size(), static_cast<size_t>(k));
  std::partial_sort(out->begin(), out->begin() + static_cast<std::ptrdiff_t>(keep), out->end(),
                    better);
  out->resize(keep);
}

}  // namespace feedscout
