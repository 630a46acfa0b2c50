// Metrics for search-intent refinement (issue 5): how close a predicted refined query is to
// the gold Q*. All three are written so that Korean, Chinese and Japanese text is scored: the
// tokens are the query normaliser's (intent/query_normalizer.h: NFKC_Casefold, words for
// spaced scripts such as Latin and Hangul, one token per character for Han, kana, Thai …), and
// character F1 works on Unicode code points, so no script is dropped and nothing scores 0
// merely for being non-Latin.
//
//   exact match  1 when both strings normalise (normalize_query) to the same token sequence
//                — the miner's notion of one query, so "아이유IU" = "아이유 iu" and
//                "北京 大学" = "北京大学" — else 0. A string that cannot be normalised (no
//                letter or digit, invalid UTF-8) matches nothing, not even itself.
//   ROUGE-L F1   over the normaliser's token sequences: LCS = the longest common subsequence
//                of the two sequences, P = LCS / |prediction|, R = LCS / |gold|,
//                F1 = 2PR / (P + R) (β = 1); 0 when either side has no token or LCS = 0.
//   character F1 bag of code points of the normalised texts (the raw string when it cannot be
//                normalised), whitespace ignored: overlap = Σ_c min(count_pred(c),
//                count_gold(c)), P = overlap / |pred|, R = overlap / |gold|, F1 = 2PR/(P+R);
//                0 when either side is empty or nothing overlaps. Order is ignored.
//
// Pure functions; thread-safe; deterministic.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace feedscout {

struct IntentScores {
  double exact = 0;    // 0 or 1
  double rouge_l = 0;  // in [0, 1]
  double char_f1 = 0;  // in [0, 1]
};

// Length of the longest common subsequence of two token sequences (O(|a|·|b|) time,
// O(min) memory).
size_t lcs_length(const std::vector<std::string>& a, const std::vector<std::string>& b);

// ROUGE-L F1 of two token sequences (see above); 0 when either is empty.
double rouge_l_f1(const std::vector<std::string>& prediction, const std::vector<std::string>& gold);

// Bag-of-code-points F1 of two UTF-8 strings, whitespace ignored (see above). Ill-formed
// bytes count as U+FFFD.
double char_f1(std::string_view prediction, std::string_view gold);

// All three metrics of one prediction against its gold Q*.
IntentScores score_intent(std::string_view prediction, std::string_view gold);

// Means over many pairs (n = 0 gives zeros).
class IntentScoreMean {
 public:
  void add(const IntentScores& s);
  size_t count() const { return n_; }
  IntentScores mean() const;

 private:
  size_t n_ = 0;
  double exact_ = 0, rouge_l_ = 0, char_f1_ = 0;
};

}  // namespace feedscout
