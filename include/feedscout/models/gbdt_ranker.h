// Learning-to-rank with gradient-boosted trees: a wrapper over XGBoost 1.7's C API
// (Debian libxgboost-dev, link -lxgboost).
//
// A model is trained on grouped rows (one group = the candidates shown for one request),
// scores rows of the features named by its FeatureSchema, explains scores per feature
// (SHAP) and is stored in one self-checking file ("FSRANK1"), stamped with the schema it
// was trained on so that an engine with other features refuses it instead of scoring
// garbage.
//
// Scores are ranking margins: comparable within one model only, not probabilities.
// Non-finite features are rejected everywhere (training and scoring): the models never
// see missing values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "feedscout/common/status.h"

namespace feedscout {

// Which features a model was trained on: a name, a version and the ordered feature names
// (column i of every feature row is features[i]). A model file is stamped with it; loading
// checks it. Valid: name and every feature non-empty valid UTF-8 without control
// characters, feature names unique, at least one feature.
struct FeatureSchema {
  std::string name;
  uint32_t version = 0;
  std::vector<std::string> features;

  // 16 lowercase hex digits: FNV-1a 64 of name, version and features (length-prefixed,
  // so no two schemas share an encoding). Stable across builds and platforms.
  std::string fingerprint() const;

  bool operator==(const FeatureSchema&) const = default;
};

// InvalidArgument naming the first violation of the FeatureSchema contract above.
[[nodiscard]] Status validate_feature_schema(const FeatureSchema& schema);

// Grouped training data. Rows are consecutive within their group; group g holds
// group_sizes[g] rows following those of groups 0..g-1.
struct RankingData {
  size_t n_features = 0;
  std::vector<float> features;        // size n_rows * n_features, row-major
  std::vector<float> labels;          // size n_rows: relevance >= 0 (0/1 clicks or graded)
  std::vector<uint32_t> group_sizes;  // sum = n_rows
  std::vector<float> group_weights;   // empty = all 1; else one finite weight > 0 per group

  size_t n_rows() const { return labels.size(); }
  size_t n_groups() const { return group_sizes.size(); }
  bool empty() const { return labels.empty(); }
};

// OK (empty data included), or InvalidArgument naming the first problem: n_features 0 or
// (when `schema` is given) not schema->features.size(), sizes inconsistent, a non-finite
// feature (row and feature index, and its name when `schema` is given), a label
// non-finite or < 0, an empty group, a weight not finite > 0.
[[nodiscard]] Status validate_ranking_data(const RankingData& data,
                                           const FeatureSchema* schema = nullptr);

// What clean_ranking_data dropped. Rows and groups are counted once, under the first
// reason that applies, in the order of the fields.
struct CleanReport {
  size_t input_rows = 0;
  size_t input_groups = 0;
  size_t rows_non_finite_feature = 0;
  std::vector<size_t> non_finite_by_feature;  // size n_features: rows dropped for feature i
  size_t rows_bad_label = 0;                  // label non-finite or < 0
  size_t groups_bad_weight = 0;               // weight not finite > 0 (its rows dropped too)
  size_t groups_empty = 0;                    // empty as given or after dropping rows
  size_t groups_no_positive = 0;              // every label 0
  size_t groups_no_negative = 0;              // every label equal and > 0: nothing to order
  size_t kept_rows = 0;
  size_t kept_groups = 0;
};

// Cleans logged data for training: drops rows with a non-finite feature or a bad label,
// then drops groups that are empty, weighted badly or useless for ranking (all labels
// equal). The result passes validate_ranking_data (and may be empty). InvalidArgument only
// when the structure is inconsistent (sizes do not add up, or schema.features.size() !=
// data.n_features) — nothing row-level can be cleaned then. `report` may be null.
[[nodiscard]] Result<RankingData> clean_ranking_data(const FeatureSchema& schema,
                                                     const RankingData& data, CleanReport* report);

struct RankerTrainOptions {
  std::string objective = "rank:ndcg";  // or "rank:pairwise", "rank:map"
  size_t max_rounds = 300;              // >= 1
  // Stop after this many rounds without a strict improvement of the validation metric;
  // 0 never stops early. Either way the model keeps the rounds up to the best one.
  size_t early_stopping_rounds = 30;
  double eta = 0.1;
  int max_depth = 6;
  double min_child_weight = 1;
  double subsample = 1.0;         // (0, 1]
  double colsample_bytree = 1.0;  // (0, 1]
  double lambda = 1.0;
  int nthread = 1;  // training threads; 0 = all cores. Prediction always uses 1.
  uint64_t seed = 7;
  // One XGBoost metric. Names starting with "ndcg", "map", "auc" or "pre" are maximised,
  // any other is minimised.
  std::string eval_metric = "ndcg@10";
};

struct RankerTrainReport {
  size_t rounds_trained = 0;  // boosting rounds run, early stopping included
  // 0-based index of the round with the best validation metric: the model keeps rounds
  // 0..best_round (best_round + 1 trees). rounds_trained - 1 without validation data.
  size_t best_round = 0;
  double best_validation_metric = 0;      // NaN without validation data
  std::vector<double> train_metric;       // size rounds_trained: eval_metric after round i
  std::vector<double> validation_metric;  // size rounds_trained, or empty without validation
  size_t train_rows = 0;
  size_t train_groups = 0;
  size_t validation_rows = 0;
  size_t validation_groups = 0;
};

// A trained ranking model. Immutable once built: predict(), contributions(), serialize(),
// save() and the accessors are safe to call from many threads at once on one object (see
// predict()). Movable, not copyable; a moved-from ranker may only be destroyed or assigned.
// Destroy rankers before main() returns, never during static destruction (a global or
// static ranker): XGBoost's booster destructor uses the calling thread's thread-local
// state, already destroyed by then, and double-frees (seen under ASan with 1.7.4).
// Each thread that has called predict() keeps XGBoost's output buffer for this model (its
// largest batch) until the thread exits.
class GbdtRanker {
 public:
  GbdtRanker(GbdtRanker&&) noexcept;
  GbdtRanker& operator=(GbdtRanker&&) noexcept;
  GbdtRanker(const GbdtRanker&) = delete;
  GbdtRanker& operator=(const GbdtRanker&) = delete;
  ~GbdtRanker();

  // Trains on `train` (validated as by validate_ranking_data against `schema`; use
  // clean_ranking_data first for logged data), evaluating `validation` (may be empty: no
  // early stopping, every round kept) after every round. `report` may be null.
  // InvalidArgument for bad schema, data or options; Internal when XGBoost fails.
  [[nodiscard]] static Result<GbdtRanker> train(const FeatureSchema& schema,
                                                const RankingData& train,
                                                const RankingData& validation,
                                                const RankerTrainOptions& options,
                                                RankerTrainReport* report);

  // Scores n_rows rows in one batch: `features` has size n_rows * schema().features.size(),
  // row-major, all finite (else InvalidArgument naming the row and feature). On success
  // *scores has size n_rows; on error it is left unchanged.
  // Thread-safe: XGBoost >= 1.4 keeps prediction buffers and caches per thread and
  // configures under a lock (dmlc/xgboost#6648), and nothing here mutates the booster
  // after construction, so concurrent calls need no lock. Each call uses one thread.
  [[nodiscard]] Status predict(std::span<const float> features, size_t n_rows,
                               std::vector<float>* scores) const;

  // Per-feature contributions (exact TreeSHAP): *out has size n_rows * (n_features + 1),
  // row-major; column n_features is the bias. Each row sums to predict()'s score (float
  // rounding aside). Same input contract and thread safety as predict().
  [[nodiscard]] Status contributions(std::span<const float> features, size_t n_rows,
                                     std::vector<float>* out) const;

  // The model file, "FSRANK1\n" then one line of header JSON (schema, fingerprint, version,
  // payload format, size and FNV-1a 64), one line with the header's FNV-1a 64 in hex, then
  // the XGBoost model as UBJSON. save() writes `path` atomically (temporary file in the
  // same directory, fsync, rename); IOError when it cannot.
  [[nodiscard]] Status save(const std::string& path) const;
  std::string serialize() const;

  // Reads a model file. Corruption (naming the file and the problem) when it is not a
  // ranker model, truncated, or fails a checksum; NotFound when it does not exist;
  // InvalidArgument when its schema differs from `expected` (the message names both
  // schemas and the first differing feature).
  [[nodiscard]] static Result<GbdtRanker> load(const std::string& path,
                                               const FeatureSchema& expected);
  [[nodiscard]] static Result<GbdtRanker> deserialize(std::string_view bytes,
                                                      const FeatureSchema& expected);

  const FeatureSchema& schema() const;
  // First 12 hex digits of the FNV-1a 64 of the XGBoost model bytes: equal models (as
  // trained, or loaded from one file) have equal versions.
  const std::string& version() const;
  size_t rounds() const;  // boosting rounds in the model (trees)

 private:
  struct State;
  explicit GbdtRanker(std::unique_ptr<State> state);

  std::unique_ptr<State> state_;
};

// nDCG@k (gain 2^label - 1, log2 discount) of each group of `labels` ordered by `scores`
// descending; ties in score keep row order. A group with no relevant row scores 1, as in
// XGBoost's ndcg. Sizes: labels and scores n_rows, sum(group_sizes) == n_rows (else empty).
std::vector<double> ndcg_at_k_per_group(std::span<const float> labels,
                                        std::span<const float> scores,
                                        std::span<const uint32_t> group_sizes, size_t k);

}  // namespace feedscout
