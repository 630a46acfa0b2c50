// Implicit-feedback matrix factorisation: alternating least squares with confidence weights
// (Hu, Koren & Volinsky 2008, "Collaborative Filtering for Implicit Feedback Datasets"), as
// the Python `implicit` library and Gorse train it.
//
// Every (user, item) cell has a preference p (1 where the user interacted, else 0) and a
// confidence c = 1 + alpha * weight (1 for cells without interactions). Training minimises
//   L = sum_{u,i} c_ui (p_ui - x_u . y_i)^2 + lambda (sum_u |x_u|^2 + sum_i |y_i|^2)
// by exact alternating solves: each iteration solves every user row against the fixed item
// factors, then every item row against the new user factors. A row with n interactions
// solves (YtY + Yu^T (Cu - I) Yu + lambda I) x_u = Yu^T Cu p_u, sharing YtY across rows:
// by a factors x factors Cholesky factorisation, O(n * factors^2 + factors^3), or for
// n <= factors / 2 by the Woodbury identity against (YtY + lambda I)^-1, O(n^2 * factors +
// n^3). Both are exact (to rounding), so L never increases.
// A user or item without interactions gets the zero vector.
//
// Factors are kept as float32 (row-major: user u's vector is user_factors[u * factors ..]).
// Training is single-threaded and deterministic given options.seed. All const methods are
// safe to call from many threads at once (the model is immutable after train / decode).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout {

struct AlsOptions {
  size_t factors = 32;           // 1 .. ImplicitAls::kMaxFactors
  double regularization = 0.05;  // lambda, finite and > 0; added to the diagonal unscaled
  double alpha = 10.0;           // confidence c = 1 + alpha * weight; finite and >= 0
  size_t iterations = 12;        // full user + item sweeps, 1 .. ImplicitAls::kMaxIterations
  uint64_t seed = 7;             // initial item factors (the first half-step solves users)
};

// One observed interaction. weight must be finite and > 0; repeated (user, item) pairs
// are merged by adding their weights.
struct AlsInteraction {
  uint32_t user = 0;
  uint32_t item = 0;
  float weight = 1.0f;
};

class ImplicitAls {
 public:
  static constexpr size_t kMaxFactors = 1024;
  static constexpr size_t kMaxIterations = 10000;

  // Trains on interactions over users [0, n_users) and items [0, n_items) (n_users may be 0;
  // n_items may not). InvalidArgument naming the field, or the index of the first bad entry
  // ("interactions[12]: item 10000 out of range [0, 10000)"), for: options out of range,
  // n_items == 0, an index out of range, a weight not finite or <= 0. Time at most
  // O(iterations * (nnz * factors^2 + (n_users + n_items) * factors^3)), memory O(nnz +
  // (n_users + n_items) * factors). loss_history() is always filled (its cost is one extra
  // O((n_users + n_items) * factors^2 + nnz * factors) pass per iteration).
  [[nodiscard]] static Result<ImplicitAls> train(std::span<const AlsInteraction> interactions,
                                                 uint32_t n_users, uint32_t n_items,
                                                 const AlsOptions& options);

  // A user's vector from their (item, weight) pairs alone: the user half-step of ALS against
  // the fixed item factors, for users not in training or whose clicks changed since. Same
  // semantics as training (repeated items add up); pairs with an item out of range or a
  // weight not finite or <= 0 are ignored; no usable pair gives the zero vector. Size
  // factors(). O(n * factors^2 + factors^3).
  std::vector<float> fold_in(std::span<const std::pair<uint32_t, float>> items) const;

  // Trained factors, size factors(); an empty span for an index out of range.
  std::span<const float> user_vector(uint32_t user) const;
  std::span<const float> item_vector(uint32_t item) const;

  // Dot product of user_vector (size factors()) with the item's factors; 0 if the item is
  // out of range or the vector has the wrong size.
  float score(std::span<const float> user_vector, uint32_t item) const;

  // The k best items by score for user_vector, best first, equal scores by ascending item
  // index, skipping items for which exclude(item) is true (an empty std::function excludes
  // nothing; it is called once per item, from the calling thread). Fewer than k if fewer
  // items remain; empty if user_vector has the wrong size. NaN scores rank last.
  // O(n_items * factors + n_items log k).
  std::vector<std::pair<uint32_t, float>> top_k(std::span<const float> user_vector, size_t k,
                                                const std::function<bool(uint32_t)>& exclude) const;

  size_t factors() const { return options_.factors; }
  uint32_t n_users() const { return n_users_; }
  uint32_t n_items() const { return n_items_; }
  const AlsOptions& options() const { return options_; }

  // L (see the top of this file, unnormalised) after each iteration; size iterations.
  // Non-increasing up to rounding.
  const std::vector<double>& loss_history() const { return loss_history_; }

  // Compact binary form: magic "FSAL", version, options, sizes, loss history, float32
  // factors, FNV-1a 64 checksum (little-endian). decode(encode()) reproduces the model
  // exactly; decode rejects wrong magic or version, out-of-range options, non-finite values,
  // a checksum mismatch and truncated or trailing bytes with Corruption.
  std::string encode() const;
  [[nodiscard]] static Result<ImplicitAls> decode(std::string_view bytes);

 private:
  ImplicitAls() = default;

  // Fills item_gram_ from item_factors_.
  void compute_item_gram();

  AlsOptions options_;
  uint32_t n_users_ = 0;
  uint32_t n_items_ = 0;
  std::vector<float> user_factors_;  // size n_users * factors, row-major
  std::vector<float> item_factors_;  // size n_items * factors, row-major
  std::vector<double> item_gram_;    // Y^T Y of item_factors_, size factors * factors
  std::vector<double> loss_history_;
};

}  // namespace feedscout
